// Test fixtures for the HTTP client: a throwaway CA, a local HTTPS server, a counting CONNECT proxy and a fake IO.
import {generateKeyPairSync} from 'node:crypto'
import {createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import {connect as netConnect, type AddressInfo, type Server, type Socket} from 'node:net'
import forge from 'node-forge'

export interface TestPki {
  /** The CA certificate (PEM) a client must trust. */
  ca: string
  /** The server's certificate (PEM) and key (PKCS#8 PEM). */
  cert: string
  key: string
}

function rsaKeys(): {publicKey: string; privateKey: string} {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: {type: 'spki', format: 'pem'},
    privateKeyEncoding: {type: 'pkcs8', format: 'pem'},
  })
}

/** A fresh CA (named `caName`: OpenSSL finds an issuer by its name) and a server certificate it signed for `names` (DNS subjectAltNames). */
export function createTestPki(names: string[], caName = 'ppctl throwaway test CA'): TestPki {
  const caKeys = rsaKeys()
  const caKey = forge.pki.privateKeyFromPem(caKeys.privateKey)
  const notBefore = new Date(Date.now() - 60_000)
  const notAfter = new Date(Date.now() + 24 * 3600_000)
  const caSubject = [{name: 'commonName', value: caName}]

  const caCert = forge.pki.createCertificate()
  caCert.publicKey = forge.pki.publicKeyFromPem(caKeys.publicKey)
  caCert.serialNumber = '01'
  caCert.validity.notBefore = notBefore
  caCert.validity.notAfter = notAfter
  caCert.setSubject(caSubject)
  caCert.setIssuer(caSubject)
  caCert.setExtensions([
    {name: 'basicConstraints', cA: true, critical: true},
    {name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true},
    {name: 'subjectKeyIdentifier'},
  ])
  caCert.sign(caKey, forge.md.sha256.create())

  const leafKeys = rsaKeys()
  const leaf = forge.pki.createCertificate()
  leaf.publicKey = forge.pki.publicKeyFromPem(leafKeys.publicKey)
  leaf.serialNumber = '02'
  leaf.validity.notBefore = notBefore
  leaf.validity.notAfter = notAfter
  leaf.setSubject([{name: 'commonName', value: names[0]}])
  leaf.setIssuer(caSubject)
  leaf.setExtensions([
    {name: 'basicConstraints', cA: false},
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true},
    {name: 'extKeyUsage', serverAuth: true},
    {name: 'subjectAltName', altNames: names.map((value) => ({type: 2, value}))},
  ])
  leaf.sign(caKey, forge.md.sha256.create())

  return {ca: forge.pki.certificateToPem(caCert), cert: forge.pki.certificateToPem(leaf), key: leafKeys.privateKey}
}

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

export interface TestServer {
  port: number
  /** Every request the server received, in order. */
  seen: SeenRequest[]
  close(): Promise<void>
}

type Handler = (req: SeenRequest, res: ServerResponse) => void

const defaultHandler: Handler = (_req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ok: true}))
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return (server.address() as AddressInfo).port
}

function trackSockets(server: Server): () => void {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  return () => {
    for (const socket of sockets) socket.destroy()
  }
}

async function closeServer(server: Server, destroyAll: () => void): Promise<void> {
  destroyAll()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/** An HTTPS server on 127.0.0.1, port 0, that records requests (with bodies) before handing them to `handler`. */
export async function startHttpsServer(pki: TestPki, handler: Handler = defaultHandler): Promise<TestServer> {
  const seen: SeenRequest[] = []
  const server = createHttpsServer({cert: pki.cert, key: pki.key}, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const entry = {method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8')}
      seen.push(entry)
      handler(entry, res)
    })
  })
  const destroyAll = trackSockets(server)
  const port = await listen(server)
  return {port, seen, close: () => closeServer(server, destroyAll)}
}

export interface TestProxy {
  url: string
  /** The authority (host:port) of every CONNECT the proxy received. */
  connects: string[]
  close(): Promise<void>
}

/**
 * A CONNECT-only proxy on 127.0.0.1, port 0. It resolves `.localhost` names to 127.0.0.1 itself (as a proxy on
 * this machine would), and answers `refuseWith` instead of tunnelling when given.
 */
export async function startConnectProxy(options: {refuseWith?: number} = {}): Promise<TestProxy> {
  const connects: string[] = []
  const server = createHttpServer((_req, res) => {
    res.statusCode = 405
    res.end('CONNECT only')
  })
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const authority = req.url ?? ''
    connects.push(authority)
    client.on('error', () => client.destroy())
    if (options.refuseWith) {
      client.end(`HTTP/1.1 ${options.refuseWith} Refused\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    const match = /^(.+):(\d+)$/.exec(authority)
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n')
      return
    }
    const host = /(^|\.)localhost$/i.test(match[1]) ? '127.0.0.1' : match[1]
    const upstream = netConnect({host, port: Number(match[2])})
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'))
    upstream.on('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    client.on('close', () => upstream.destroy())
  })
  const destroyAll = trackSockets(server)
  const port = await listen(server)
  return {url: `http://127.0.0.1:${port}`, connects, close: () => closeServer(server, destroyAll)}
}

// The one fake IO of the test suite.
export {fakeIO} from './fake-io.js'

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createHttpServer()
  const port = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
