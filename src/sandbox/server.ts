// The local platform in one process: TLS listener (gateway) → identity, global service, clusters; a private control socket.
import {createWriteStream, existsSync, rmSync} from 'node:fs'
import {createServer as createHttpServer, type Server} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {AuditSink} from './audit-sink.js'
import {createAuditRoutes} from './audit/routes.js'
import {createControlHandler} from './control.js'
import {FaultTable} from './faults/fault-table.js'
import {Directory} from './directory.js'
import {InFlight} from './in-flight.js'
import {guardClientErrors, guardRequests, listenerOptions, timeoutsOf, type ListenerTimeouts} from './listener.js'
import type {AuditRetention} from './clusters/audit-store.js'
import {ClusterSet, type ReplicationStatus} from './clusters/cluster-set.js'
import {createClusterControlRoutes} from './clusters/control-routes.js'
import {createClusterHandler, type AuditRoutes} from './clusters/handler.js'
import {BASE_DOMAIN, createGateway, type RequestLogEntry} from './gateway/gateway.js'
import type {RateLimit} from './gateway/rate-limit.js'
import {createRefusalAudit, gatewayRefusal} from './gateway/refusal-audit.js'
import {createFirewallEnforcement} from './firewall/enforce.js'
import {createSignInPolicyCheck} from './signin/check.js'
import {createTokenVerifier} from './gateway/verify-token.js'
import {RevokedSessions} from './gateway/revoked-sessions.js'
import {RouteTable} from './global/route-table.js'
import {createGlobalService} from './global/service.js'
import {createIdentity} from './identity/provider.js'
import {KeyVault} from './keys/key-vault.js'
import {API_AUDIENCE, CLUSTERS, findTenant} from './seed.js'
import {readerOf} from './clusters/api/governance.js'
import {ensureTls} from './tls.js'
import {createCiIssuer} from './ci/issuer.js'
import {createIssuerFetch} from './identity/issuer-fetch.js'

export interface PlatformOptions {
  dataDir: string
  port: number
  host?: string
  rateLimit?: RateLimit
  log?: (line: string) => void
  /** The audit HTTP API (/v1/audit/*), called after the 421 and authorization checks; false → 404. Without it: 501. */
  auditRoutes?: AuditRoutes
  /** Audit retention per tenant (every store); default: keep everything. */
  auditRetention?: AuditRetention
  /** Seconds between SSE heartbeat comments on the audit stream; default 15 s. */
  auditHeartbeatMs?: number
  /** Ship replication entries only once they are this old (a slow link); default 0. */
  replicationDelayMs?: number
  /** Encryption at rest with per-tenant keys held by the key vault (PPCTL_SANDBOX_ENCRYPTION); default on. */
  encryption?: boolean
  /** Listener bounds: headers 10 s, whole request 30 s, keep-alive idle 5 s unless given. */
  timeouts?: Partial<ListenerTimeouts>
}

export interface PlatformUrls {
  gateway: string
  authority: string
  global: string
  clusterPattern: string
}

export interface RunningPlatform {
  port: number
  urls: PlatformUrls
  caFile: string
  controlSocket: string
  directory: Directory
  /** The cluster databases: each tenant's data and audit log (the identity's sink), replication and failover. */
  clusters: ClusterSet
  routes: RouteTable
  health(): HealthReport
  close(graceMs?: number): Promise<void>
}

export interface HealthReport {
  status: 'ok' | 'degraded'
  startedAt: string
  uptimeSeconds: number
  components: Array<{name: string; status: 'ok' | 'down'; detail: string}>
  replication: ReplicationStatus[]
}

const DEFAULT_RATE_LIMIT: RateLimit = {rps: 50, burst: 100}

function urlsFor(port: number): PlatformUrls {
  return {
    gateway: `https://${BASE_DOMAIN}:${port}`,
    authority: `https://login.${BASE_DOMAIN}:${port}`,
    global: `https://global.${BASE_DOMAIN}:${port}`,
    clusterPattern: `https://<cluster>.clusters.${BASE_DOMAIN}:${port}`,
  }
}

/** A Unix socket path in the data dir, or in the temp dir when the data dir's path is too long for one. */
function controlSocketPath(dataDir: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\ppctl-sandbox-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`
  const inDir = join(dataDir, 'control.sock')
  if (Buffer.byteLength(inDir) < 100) return inDir
  return join(tmpdir(), `ppctl-sandbox-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`)
}

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const log = options.log ?? (() => {})
  const startedAt = new Date()
  const tls = ensureTls(options.dataDir)
  const directory = Directory.open(options.dataDir)
  const routes = new RouteTable(options.dataDir)
  const clusters = new ClusterSet({
    dataDir: options.dataDir,
    routes,
    directory,
    retention: options.auditRetention,
    replicationDelayMs: options.replicationDelayMs,
    log,
    vault: options.encryption === false ? undefined : new KeyVault(options.dataDir),
  })
  const requestLog = createWriteStream(join(options.dataDir, 'requests.jsonl'), {flags: 'a', mode: 0o600})

  const timeouts = timeoutsOf(options.timeouts)
  const server = createHttpsServer({key: tls.keyPem, cert: tls.certPem, minVersion: 'TLSv1.2', ...listenerOptions(timeouts)})
  guardClientErrors(server, 'gateway', log)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const urls = urlsFor(port)
  const clusterUri = (clusterId: string) => `https://${clusterId}.clusters.${BASE_DOMAIN}:${port}`
  clusters.clusterUri = clusterUri

  // The identity reaches external issuers (federation) with the system CAs, and this platform's own CI issuer with its CA.
  const issuers = createIssuerFetch(tls.caPem)
  const ciIssuer = createCiIssuer({issuer: `https://ci.${BASE_DOMAIN}:${port}`, dataDir: options.dataDir})

  let identity: Awaited<ReturnType<typeof createIdentity>>
  try {
    identity = await createIdentity({
      issuer: urls.authority,
      dataDir: options.dataDir,
      directory,
      audit: clusters as AuditSink,
      apiAudience: API_AUDIENCE,
      issuerFetch: issuers.fetch,
      log,
      signInPolicy: createSignInPolicyCheck((tenantId) => (routes.get(tenantId) ? readerOf(clusters.active(tenantId).tenants) : undefined), log),
    })
  } catch (err) {
    server.close()
    clusters.close()
    await issuers.close()
    throw err
  }

  const health = (): HealthReport => {
    const replication = clusters.replication()
    const components: HealthReport['components'] = [
      {name: 'gateway', status: 'ok', detail: `listening on ${options.host ?? '127.0.0.1'}:${port}`},
      {name: 'identity', status: 'ok', detail: urls.authority},
      {name: 'global', status: 'ok', detail: `${routes.all().length} tenant routes`},
      ...Object.keys(CLUSTERS).map((id) => ({name: `cluster ${id}`, status: 'ok' as const, detail: clusterDetail(id, replication)})),
      // A tenant whose replication stopped: its writes are acknowledged on the active cluster but not copied.
      ...replication.flatMap((r) =>
        r.broken
          ? [
              {
                name: `replication ${r.tenant}`,
                status: 'down' as const,
                detail: `${r.active} → ${r.secondary} broken at entry ${r.broken.lsn} since ${r.broken.since}: ${r.broken.error}. Repair: ${r.broken.repair}`,
              },
            ]
          : [],
      ),
    ]
    return {
      status: components.every((c) => c.status === 'ok') ? 'ok' : 'degraded',
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      components,
      replication,
    }
  }

  // The gateway follows the identity's revocation feed, as a gateway in another process would follow its events.
  const revokedSessions = new RevokedSessions()
  const unfollow = revokedSessions.follow(identity.sessions.feed)

  const faults = new FaultTable()
  // Aborted by close(): audit streams end instead of holding their connections for the whole grace period.
  const shutdown = new AbortController()
  const inFlight = new InFlight()
  const cluster = createClusterHandler({
    routes,
    clusters,
    clusterUri,
    auditRoutes: options.auditRoutes ?? createAuditRoutes({heartbeatMs: options.auditHeartbeatMs, signal: shutdown.signal}),
    sessions: {
      revokeSubject: (request) => identity.sessions.revokeSubject(request),
      servicePrincipal: (tenantId, clientId) => {
        const sp = directory.findServicePrincipal(clientId)
        return sp?.tenantId === tenantId ? {clientId: sp.clientId, name: sp.name} : undefined
      },
    },
  })
  // Gateway refusals (401, 429) go to the tenant's log coalesced: a flood of forged tokens adds few events.
  const refusals = createRefusalAudit({record: (event) => clusters.record(event), log})
  const hasLog = (tenantId: string) => findTenant(tenantId)?.id === tenantId && routes.get(tenantId) !== undefined
  const gateway = createGateway({
    identity: identity.handler,
    ciIssuer: ciIssuer.handler,
    global: createGlobalService({routes, clusterUri, audit: clusters}),
    cluster: (...args) => {
      const work = cluster(...args)
      // The gateway answers a failure of this work; the tracker only waits for it.
      inFlight.track(Promise.resolve(work).catch(() => {}))
      return work
    },
    fault: faults.intercept,
    clusterIds: Object.keys(CLUSTERS),
    verify: createTokenVerifier({
      issuer: urls.authority,
      audience: API_AUDIENCE,
      jwks: () => identity.publicJwks() as never,
      revoked: (claims) => revokedSessions.revoked(claims),
    }),
    rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
    health,
    requestLog: (entry: RequestLogEntry) => requestLog.write(JSON.stringify(entry) + '\n'),
    onRefused: (rc, req, status, reason, principal) => refusals.refuse(gatewayRefusal({hasLog}, rc, req, status, reason, principal)),
    admit: createFirewallEnforcement({
      reader: (tenantId) => (hasLog(tenantId) ? readerOf(clusters.active(tenantId).tenants) : undefined),
      tenantName: (tenantId) => findTenant(tenantId)?.displayName ?? tenantId,
      refused: (req, rc, principal, decision, reason) =>
        refusals.refuse({
          ...gatewayRefusal({hasLog}, rc, req, 403, reason, principal),
          code: 'IP_BLOCKED',
          ...(decision.clientIp ? {clientIp: decision.clientIp} : {}),
        }),
      record: (event) => clusters.record(event),
      log,
    }),
  })
  server.on(
    'request',
    guardRequests(
      (req, res) => {
        // While closing, a connection whose last response just ended (a stream, a slow request) is let go at once.
        res.once('finish', () => {
          if (shutdown.signal.aborted) setImmediate(() => server.closeIdleConnections())
        })
        const work = gateway(req, res)
        inFlight.track(work)
        return work
      },
      'gateway',
      log,
    ),
  )

  const controlSocket = controlSocketPath(options.dataDir)
  if (process.platform !== 'win32' && existsSync(controlSocket)) rmSync(controlSocket)
  const control: Server = createHttpServer(
    listenerOptions(timeouts),
    guardRequests(
      createControlHandler({directory, health, routes: createClusterControlRoutes(clusters), faults, ciIssuer, audit: clusters as AuditSink}),
      'control',
      log,
    ),
  )
  guardClientErrors(control, 'control', log)
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject)
    control.listen(controlSocket, () => resolve())
  })
  log(`local platform listening on ${urls.gateway} (identity ${urls.authority}, global ${urls.global})`)

  return {
    port,
    urls,
    caFile: tls.caFile,
    controlSocket,
    directory,
    clusters,
    routes,
    health,
    async close(graceMs = 5000) {
      shutdown.abort()
      const closed = Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => control.close(() => resolve())),
      ])
      server.closeIdleConnections()
      control.closeIdleConnections()
      const timer = setTimeout(() => server.closeAllConnections(), graceMs)
      await closed
      clearTimeout(timer)
      // A request whose client went away can still be between an await and its store access: let it finish first.
      await inFlight.settled()
      // No request is left to refuse: the open windows' counts are recorded before the stores close.
      refusals.close()
      unfollow()
      await identity.close()
      await issuers.close()
      // Stops the replication shipper, then closes the stores.
      clusters.close()
      await new Promise<void>((resolve) => requestLog.end(() => resolve()))
    },
  }
}

function clusterDetail(clusterId: string, replication: readonly ReplicationStatus[]): string {
  const roles = replication.flatMap((r) =>
    r.active === clusterId
      ? [
          `${r.tenant} active (epoch ${r.epoch}, lag ${r.lagEntries} entries / ${r.lagMs} ms${r.paused ? ', paused' : ''}${r.broken ? ', replication BROKEN' : ''})`,
        ]
      : r.secondary === clusterId
        ? [`${r.tenant} passive`]
        : [],
  )
  return `region ${CLUSTERS[clusterId].region}${roles.length > 0 ? `; ${roles.join('; ')}` : ''}`
}
