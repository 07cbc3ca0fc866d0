// route diagnose, one cluster: DNS, TCP connect, TLS handshake and certificate, then GET /v1/health.
import {performance} from 'node:perf_hooks'

import type {Context} from '../context.js'
import {trustedContext} from '../http/dispatcher.js'
import {proxyFor, type ProxySettings} from '../http/proxy-env.js'
import type {Http, RequestAuth} from '../http/types.js'
import {redactUrl} from '../output/redact.js'
import {causeOf, hop, type Hop, type Verdict} from './diagnose-hop.js'
import {probeDns, probeTcp, probeTls} from './diagnose-network.js'
import type {ClusterRef} from './types.js'

export interface ClusterProbe {
  role: 'home' | 'secondary'
  ref: ClusterRef
  tenantId: string
  /** The token the health check is asked with (and its DPoP key when bound). */
  auth: RequestAuth
  caPem?: string
  slowMs: number
  proxy?: ProxySettings
}

interface HealthBody {
  clusterId?: string
  region?: string
  status?: string
  replicationLagMs?: number
  tenants?: Array<{tenantId: string; role: string; epoch: number; replicationLagMs?: number; replicationLagEntries?: number; tenantKey?: string}>
}

const CONNECT_TIMEOUT_MS = 10_000
const LAG_WARN_MS = 5000

export async function diagnoseCluster(ctx: Context, http: Http, probe: ClusterProbe): Promise<Hop[]> {
  const {role, ref, slowMs} = probe
  const url = new URL(ref.uri)
  const port = Number(url.port) || 443
  const label = `${role} ${ref.clusterId}`
  // The home carries every request: its failures FAIL the route. The secondary's only matter at failover: WARN,
  // except an untrusted certificate, which is never acceptable.
  const bad: Verdict = role === 'home' ? 'FAIL' : 'WARN'
  const slowOr = (ms: number, ok: Verdict = 'OK'): Verdict => (ms > slowMs ? 'WARN' : ok)
  const hops: Hop[] = []
  const via = proxyFor(url, probe.proxy)

  let address = ''
  try {
    const dns = await probeDns(url.hostname)
    address = dns.addresses[0] ?? ''
    hops.push(
      hop({
        id: `${role}.dns`,
        title: `${label} DNS`,
        verdict: 'OK',
        ms: dns.ms,
        summary:
          dns.source === 'localhost-rule'
            ? `${url.hostname} → ${dns.addresses.join(', ')} (the .localhost rule, RFC 6761: loopback, no DNS query)`
            : `${url.hostname} → ${dns.addresses.join(', ')}`,
        details: {
          hostname: url.hostname,
          addresses: dns.addresses,
          source: dns.source,
          ...(via ? {note: 'requests go through the proxy, which resolves the name itself'} : {}),
        },
      }),
    )
  } catch (err) {
    if (!via) {
      hops.push(
        hop({
          id: `${role}.dns`,
          title: `${label} DNS`,
          verdict: bad,
          ms: 0,
          summary: `${url.hostname} does not resolve`,
          cause: `${url.hostname}: ${causeOf(err).cause}`,
          nextStep: 'Check DNS (or HTTPS_PROXY if this network resolves names only through a proxy).',
          details: {hostname: url.hostname},
        }),
      )
      return hops
    }
    address = url.hostname
    hops.push(
      hop({
        id: `${role}.dns`,
        title: `${label} DNS`,
        verdict: 'OK',
        ms: 0,
        summary: `${url.hostname} does not resolve here; the proxy resolves it`,
        details: {hostname: url.hostname, addresses: [], source: 'proxy'},
      }),
    )
  }

  const proxyUrl = via ? new URL(via) : undefined
  const tcp = await probeTcp({address, hostname: url.hostname, port}, CONNECT_TIMEOUT_MS, proxyUrl)
  const through = proxyUrl ? ` through the proxy ${redactUrl(proxyUrl)}` : ''
  if (!tcp.value) {
    hops.push(
      hop({
        id: `${role}.tcp`,
        title: `${label} TCP connect`,
        verdict: bad,
        ms: tcp.ms,
        summary: `cannot connect to ${url.hostname}:${port}${through}`,
        cause: `${ref.clusterId} (${url.hostname}:${port}): ${tcp.error!.code} ${tcp.error!.message}`,
        nextStep: 'Check the network, the firewall and HTTPS_PROXY / NO_PROXY.',
        details: {address, port, proxy: proxyUrl ? redactUrl(proxyUrl) : null},
      }),
    )
    return hops
  }
  hops.push(
    hop({
      id: `${role}.tcp`,
      title: `${label} TCP connect`,
      verdict: slowOr(tcp.ms),
      ms: tcp.ms,
      summary: `${address}:${port}${through} in ${tcp.ms} ms`,
      ...(tcp.ms > slowMs ? {cause: `slow connect: ${tcp.ms} ms`} : {}),
      details: {address, port, proxy: proxyUrl ? redactUrl(proxyUrl) : null},
    }),
  )

  const tls = await probeTls(tcp.value.socket, url.hostname, trustedContext(probe.caPem), CONNECT_TIMEOUT_MS, ctx.clock.now())
  if (!tls.value) {
    hops.push(
      hop({
        id: `${role}.tls`,
        title: `${label} TLS`,
        verdict: 'FAIL',
        ms: tls.ms,
        summary: `handshake failed: ${tls.error!.code}`,
        cause: `${ref.clusterId} (${url.hostname}): TLS verification failed (${tls.error!.code}): ${tls.error!.message}`,
        nextStep: 'If the platform uses a private CA, trust it: ppctl config set ca-file <pem>; otherwise the host is not who it claims to be.',
        details: {code: tls.error!.code},
      }),
    )
    return hops
  }
  const cert = tls.value
  const certVerdict: Verdict = !cert.nameMatches || cert.daysLeft < 0 ? 'FAIL' : cert.daysLeft < 14 ? 'WARN' : slowOr(tls.ms)
  hops.push(
    hop({
      id: `${role}.tls`,
      title: `${label} TLS`,
      verdict: certVerdict,
      ms: tls.ms,
      summary: `${cert.protocol ?? 'TLS'} in ${tls.ms} ms; certificate ${cert.subject}, issued by ${cert.issuer}, expires ${cert.validTo} (${cert.daysLeft} days), name ${cert.nameMatches ? 'matches' : 'DOES NOT match'}`,
      ...(certVerdict === 'FAIL'
        ? {
            cause: cert.nameMatches ? `the certificate of ${url.hostname} has expired` : `the certificate is not valid for ${url.hostname}`,
            nextStep: 'Ask the platform operators to fix the certificate.',
          }
        : certVerdict === 'WARN'
          ? {cause: cert.daysLeft < 14 ? `the certificate expires in ${cert.daysLeft} days` : `slow handshake: ${tls.ms} ms`}
          : {}),
      details: {...cert},
    }),
  )

  const started = performance.now()
  try {
    const res = await http.fetch(new URL('v1/health', ref.uri.endsWith('/') ? ref.uri : `${ref.uri}/`), {
      headers: {accept: 'application/json'},
      auth: probe.auth,
      retries: false,
    })
    const body = (await res.json().catch(() => ({}))) as HealthBody
    const ms = Math.round(performance.now() - started)
    if (!res.ok) {
      hops.push(
        hop({
          id: `${role}.health`,
          title: `${label} health`,
          verdict: bad,
          ms,
          summary: `HTTP ${res.status}`,
          cause: `${ref.clusterId} answered HTTP ${res.status} to GET /v1/health${res.headers.get('retry-after') ? ` (Retry-After ${res.headers.get('retry-after')} s)` : ''}.`,
          nextStep:
            role === 'home' ? 'The tenant cannot be served now; check the platform status, or fail over.' : 'A failover to this cluster would fail now.',
          details: {status: res.status, correlationId: res.headers.get('x-correlation-id')},
        }),
      )
      return hops
    }
    const tenant = body.tenants?.find((t) => t.tenantId === probe.tenantId)
    const expected = role === 'home' ? 'active' : 'passive'
    const lag = tenant?.replicationLagMs ?? body.replicationLagMs ?? 0
    let verdict: Verdict = 'OK'
    let cause: string | undefined
    let nextStep: string | undefined
    if (tenant && tenant.role !== expected) {
      verdict = role === 'home' ? 'FAIL' : 'WARN'
      cause = `${ref.clusterId} says it is ${tenant.role} for the tenant, but the route names it ${role}.`
      nextStep = 'The route is out of date: run ppctl route show --refresh.'
    } else if (lag > LAG_WARN_MS) {
      verdict = 'WARN'
      cause = `replication lag ${lag} ms`
      nextStep = 'A failover now could lose recent writes; wait for replication to catch up.'
    } else if (ms > slowMs) {
      verdict = 'WARN'
      cause = `slow: ${ref.clusterId} answered in ${ms} ms (over ${slowMs} ms)`
      nextStep = 'Requests will be slow; check the platform status.'
    }
    hops.push(
      hop({
        id: `${role}.health`,
        title: `${label} health`,
        verdict,
        ms,
        summary: `HTTP 200 in ${ms} ms: ${body.status ?? '?'}, region ${body.region ?? '?'}, role ${tenant?.role ?? 'unknown'}, replication lag ${lag} ms`,
        ...(cause ? {cause, nextStep} : {}),
        details: {
          status: 200,
          clusterId: body.clusterId ?? ref.clusterId,
          region: body.region ?? null,
          health: body.status ?? null,
          role: tenant?.role ?? null,
          epoch: tenant?.epoch ?? null,
          replicationLagMs: lag,
        },
      }),
    )
    if (role === 'home' && tenant?.tenantKey) hops.push(keyHop(tenant.tenantKey))
  } catch (err) {
    const ms = Math.round(performance.now() - started)
    const c = causeOf(err)
    hops.push(
      hop({
        id: `${role}.health`,
        title: `${label} health`,
        verdict: bad,
        ms,
        summary: `no answer (${c.code ?? 'error'})`,
        cause: `${ref.clusterId}: ${c.cause}`,
        nextStep: c.nextStep,
        details: {code: c.code ?? null},
      }),
    )
  }
  return hops
}

/** The tenant's data key (encryption at rest), from the home cluster's health: locked → every tenant request answers 423. */
function keyHop(state: string): Hop {
  const locked = state === 'locked'
  return hop({
    id: 'home.key',
    title: 'Tenant key',
    verdict: locked ? 'FAIL' : 'OK',
    ms: 0,
    summary: locked ? 'locked: the tenant is offline, every request answers 423 TENANT_LOCKED' : 'active: data encrypted at rest with the tenant key',
    ...(locked
      ? {
          cause: "the tenant's data key is locked, so none of its data can be read",
          nextStep: 'An Admin of the tenant unlocks it: ppctl keys unlock',
          code: 'TENANT_LOCKED',
        }
      : {}),
    details: {tenantKey: state},
  })
}
