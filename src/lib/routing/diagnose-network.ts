// Network probes of route diagnose: DNS answers, TCP connect and TLS handshake (with the profile's CA, verification on).
import {lookup} from 'node:dns/promises'
import {request as httpRequest} from 'node:http'
import {connect as netConnect, type Socket} from 'node:net'
import {performance} from 'node:perf_hooks'
import {checkServerIdentity, connect as tlsConnect, type PeerCertificate, type SecureContext} from 'node:tls'

import {isLocalhostName} from '../http/localhost-lookup.js'

export interface DnsAnswer {
  addresses: string[]
  /** 'localhost-rule' when the name is under .localhost (RFC 6761: loopback, no DNS query), else 'dns'. */
  source: 'localhost-rule' | 'dns'
  ms: number
}

export async function probeDns(hostname: string): Promise<DnsAnswer> {
  const started = performance.now()
  if (isLocalhostName(hostname)) return {addresses: ['127.0.0.1'], source: 'localhost-rule', ms: 0}
  const answers = await lookup(hostname, {all: true})
  return {addresses: answers.map((a) => a.address), source: 'dns', ms: Math.round(performance.now() - started)}
}

export interface Probed<T> {
  ms: number
  value?: T
  error?: {code: string; message: string}
}

const errorOf = (err: unknown) => ({code: String((err as NodeJS.ErrnoException).code ?? 'ERROR'), message: String((err as Error).message ?? err)})

/** Opens a TCP connection: directly, or a CONNECT tunnel through `proxy`. Resolves with the socket. */
function openSocket(target: {address: string; hostname: string; port: number}, timeoutMs: number, proxy?: URL): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (!proxy) {
      const socket = netConnect({host: target.address, port: target.port})
      socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), {code: 'ETIMEDOUT'})))
      socket.once('connect', () => {
        socket.setTimeout(0)
        resolve(socket)
      })
      socket.once('error', reject)
      return
    }
    const auth = proxy.username
      ? {'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`}
      : undefined
    const req = httpRequest({
      host: proxy.hostname,
      port: Number(proxy.port) || 80,
      method: 'CONNECT',
      path: `${target.hostname}:${target.port}`,
      headers: {host: `${target.hostname}:${target.port}`, ...auth},
      timeout: timeoutMs,
    })
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket)
      else {
        socket.destroy()
        reject(Object.assign(new Error(`the proxy answered ${res.statusCode} to CONNECT`), {code: 'PROXY_FAILED'}))
      }
    })
    req.once('timeout', () => req.destroy(Object.assign(new Error(`the proxy did not answer in ${timeoutMs} ms`), {code: 'ETIMEDOUT'})))
    req.once('error', reject)
    req.end()
  })
}

export interface TcpResult {
  ms: number
  socket: Socket
}

export async function probeTcp(target: {address: string; hostname: string; port: number}, timeoutMs: number, proxy?: URL): Promise<Probed<TcpResult>> {
  const started = performance.now()
  try {
    const socket = await openSocket(target, timeoutMs, proxy)
    const ms = Math.round(performance.now() - started)
    return {ms, value: {ms, socket}}
  } catch (err) {
    return {ms: Math.round(performance.now() - started), error: errorOf(err)}
  }
}

export interface CertificateFacts {
  subject: string
  issuer: string
  validFrom: string
  validTo: string
  daysLeft: number
  subjectAltNames: string[]
  nameMatches: boolean
  /** Why the certificate is not trusted (an OpenSSL code), when it is not. */
  verifyError?: string
  protocol?: string
}

const dn = (part: PeerCertificate['subject'] | undefined) =>
  part
    ? Object.entries(part)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
        .join(', ')
    : ''

/** A TLS handshake on `socket` for `hostname` with the trust of ppctl's connections (trustedContext), verification ON: a failure is reported, never bypassed. */
export function probeTls(socket: Socket, hostname: string, secureContext: SecureContext, timeoutMs: number, now: number): Promise<Probed<CertificateFacts>> {
  const started = performance.now()
  return new Promise((resolve) => {
    const tls = tlsConnect({socket, servername: hostname, secureContext, rejectUnauthorized: true, ALPNProtocols: ['http/1.1']})
    const timer = setTimeout(
      () => tls.destroy(Object.assign(new Error(`TLS handshake timed out after ${timeoutMs} ms`), {code: 'ERR_TLS_HANDSHAKE_TIMEOUT'})),
      timeoutMs,
    )
    const done = (result: Probed<CertificateFacts>) => {
      clearTimeout(timer)
      tls.destroy()
      socket.destroy()
      resolve(result)
    }
    tls.once('secureConnect', () => {
      const ms = Math.round(performance.now() - started)
      const cert = tls.getPeerCertificate()
      const nameError = checkServerIdentity(hostname, cert)
      done({
        ms,
        value: {
          subject: dn(cert.subject),
          issuer: dn(cert.issuer),
          validFrom: new Date(cert.valid_from).toISOString(),
          validTo: new Date(cert.valid_to).toISOString(),
          daysLeft: Math.floor((Date.parse(cert.valid_to) - now) / 86_400_000),
          subjectAltNames: (cert.subjectaltname ?? '').split(/,\s*/).filter(Boolean),
          nameMatches: nameError === undefined,
          protocol: tls.getProtocol() ?? undefined,
        },
      })
    })
    tls.once('error', (err) => done({ms: Math.round(performance.now() - started), error: errorOf(err)}))
  })
}
