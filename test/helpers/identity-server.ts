// Runs the identity provider in-process for tests: temp data dir, TLS, directory, audit log, an HTTPS listener on 127.0.0.1.
import {randomUUID} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Agent, fetch as undiciFetch} from 'undici'
import {importPKCS8} from 'jose'

import {localhostLookup} from '../../src/lib/http/localhost-lookup.js'
import {JsonlAuditLog} from '../../src/sandbox/audit-sink.js'
import {Directory, type ServicePrincipal} from '../../src/sandbox/directory.js'
import {createIdentity, type Identity} from '../../src/sandbox/identity/provider.js'
import {API_AUDIENCE, TENANTS} from '../../src/sandbox/seed.js'
import {certificateDer, certificateJwk, ensureTls, issueCertificate, rsaKeyPair, thumbprints, type TlsMaterial} from '../../src/sandbox/tls.js'

export interface IdentityHarness {
  dir: string
  port: number
  issuer: string
  tls: TlsMaterial
  identity: Identity
  directory: Directory
  audit: JsonlAuditLog
  /** A fetch that trusts the test CA and resolves *.localhost to loopback. */
  fetch: typeof fetch
  password(upn: string): string
  /** Closes the identity and creates it again on the same data dir and port, as a platform restart does. */
  restart(): Promise<void>
  close(): Promise<void>
}

export async function startIdentity(): Promise<IdentityHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'ppctl-identity-'))
  const tls = ensureTls(dir)
  const server: Server = createServer({key: tls.keyPem, cert: tls.certPem})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const issuer = `https://login.sandbox.localhost:${port}`

  const open = async () => {
    const directory = Directory.open(dir)
    const audit = new JsonlAuditLog(dir, () => 'test-cluster')
    const identity = await createIdentity({issuer, dataDir: dir, directory, audit, apiAudience: API_AUDIENCE, log: () => {}})
    return {directory, audit, identity}
  }
  let current = await open()
  server.on('request', (req, res) => current.identity.handler(req, res))

  const agent = new Agent({connect: {ca: tls.caPem, lookup: localhostLookup}})
  const fetchImpl = ((input: string | URL, init?: RequestInit) => undiciFetch(input, {...(init as object), dispatcher: agent})) as unknown as typeof fetch
  const passwords = JSON.parse(readFileSync(current.directory.passwordsFile, 'utf8')) as Array<{upn: string; password: string}>

  const harness: IdentityHarness = {
    dir,
    port,
    issuer,
    tls,
    get identity() {
      return current.identity
    },
    get directory() {
      return current.directory
    },
    get audit() {
      return current.audit
    },
    fetch: fetchImpl,
    password(upn) {
      const entry = passwords.find((p) => p.upn === upn)
      if (!entry) throw new Error(`no seeded user ${upn}`)
      return entry.password
    },
    async restart() {
      await current.identity.close()
      current = await open()
    },
    async close() {
      await current.identity.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await agent.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
  return harness
}

export interface TestServicePrincipal {
  sp: ServicePrincipal
  privatePem: string
  privateKey(alg: 'PS256' | 'RS256'): ReturnType<typeof importPKCS8>
}

/** Registers a service principal with a fresh key and self-signed certificate, as `ppctl sandbox sp create` does. */
export function registerServicePrincipal(directory: Directory, name = 'ci-bot', tenantId = TENANTS[0].id): TestServicePrincipal {
  const key = rsaKeyPair()
  const cert = issueCertificate({subjectCN: name, publicPem: key.publicPem, signerKeyPem: key.privatePem, days: 30, clientAuth: true})
  const der = certificateDer(cert)
  const {s256, sha1} = thumbprints(der)
  const jwk = certificateJwk(key.publicPem, der)
  const sp: ServicePrincipal = {
    clientId: randomUUID(),
    tenantId,
    name,
    roles: ['Automation'],
    jwk,
    thumbprintS256: s256,
    thumbprintSha1: sha1,
    notAfter: cert.validity.notAfter.toISOString(),
    createdAt: new Date().toISOString(),
  }
  directory.addServicePrincipal(sp)
  return {sp, privatePem: key.privatePem, privateKey: (alg) => importPKCS8(key.privatePem, alg)}
}
