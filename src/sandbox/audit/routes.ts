// The cluster's audit API: GET /v1/audit/events (pages) and GET /v1/audit/stream (SSE or NDJSON), for the caller's tenant.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {AuditRouteContext} from '../clusters/audit-store.js'
import type {Principal} from '../gateway/verify-token.js'
import {sendJson, sendProblem, type RequestContext} from '../http-util.js'
import {findRoute, satisfies, type RouteSpec} from '../route-spec.js'
import {QueryError, checkHead, checkRetention, parseFilters, parseLimit, parsePageCursor, parseStreamCursor, parseStreamEnd} from './query.js'
import type {AuditReader} from './reader.js'
import {negotiateFormat, serveStream, type StreamProbe} from './stream.js'

const DEFAULT_HEARTBEAT_MS = 15_000
const DEFAULT_RETRY_MS = 3_000
const DEFAULT_BATCH_SIZE = 500

/** The audit API on a cluster; the cluster handler enforces each route's role before it hands a request here. */
export const AUDIT_ROUTES: readonly RouteSpec[] = [
  {method: 'GET', path: '/v1/audit/events', role: 'Admin'},
  {method: 'GET', path: '/v1/audit/stream', role: 'Admin'},
]

export interface AuditRoutesOptions<C> {
  /** The audit log of the tenant's active cluster (the handler has already refused other clusters with 421); default `cluster.audit`. */
  readerOf?: (clusterId: string, cluster: C, principal: Principal) => AuditReader
  /** Who may read the tenant's audit log (default: whoever holds the route's role in AUDIT_ROUTES). */
  canRead?: (principal: Principal) => boolean
  /** Interval of the stream's heartbeat comments (default 15 s). */
  heartbeatMs?: number
  /** The SSE `retry:` the stream advises (default 3 s). */
  retryMs?: number
  /** Events read from the store per write (default 500). */
  batchSize?: number
  probe?: StreamProbe
  /** Aborted when the platform shuts down: open streams end at once instead of holding the server open. */
  signal?: AbortSignal
}

/** Answers requests under /v1/audit/; returns false for any other path so the caller answers it. */
export type AuditRoutes<C> = (clusterId: string, req: IncomingMessage, res: ServerResponse, rc: RequestContext, principal: Principal, cluster: C) => boolean

export function createAuditRoutes<C = AuditRouteContext>(options: AuditRoutesOptions<C> = {}): AuditRoutes<C> {
  const readerOf = options.readerOf ?? ((_id: string, cluster: C) => (cluster as AuditRouteContext).audit)
  const streamOptions = {
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    retryMs: options.retryMs ?? DEFAULT_RETRY_MS,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    probe: options.probe,
    signal: options.signal,
  }

  return function auditRoutes(clusterId, req, res, rc, principal, cluster) {
    const url = new URL(req.url ?? '/', 'https://cluster.invalid')
    const found = findRoute(AUDIT_ROUTES, req.method ?? 'GET', url.pathname)
    if (found.allowed.length === 0) return false
    if (!found.route) {
      sendProblem(res, rc, {status: 405, code: 'METHOD_NOT_ALLOWED', title: 'Method not allowed'}, {allow: found.allowed.join(', ')})
      return true
    }
    const route = found.route.path === '/v1/audit/events' ? 'events' : 'stream'
    if (!(options.canRead ? options.canRead(principal) : satisfies(found.route.role, principal.roles))) {
      sendProblem(res, rc, {
        status: 403,
        code: 'ROLE_FORBIDDEN',
        title: 'The audit log needs the Admin role',
        detail: 'Sign in as an administrator of the tenant.',
      })
      return true
    }
    const tenantId = principal.tenantId
    try {
      const reader = readerOf(clusterId, cluster, principal)
      const filters = parseFilters(url)
      if (route === 'events') {
        const after = parsePageCursor(url)
        const limit = parseLimit(url)
        checkHead(reader, tenantId, after)
        checkRetention(reader, tenantId, after)
        const page = reader.list({...filters, tenantId, after: after ?? 0, limit: limit + 1})
        const items = page.slice(0, limit)
        const nextCursor = page.length > limit ? String(items[items.length - 1].seq) : null
        sendJson(res, 200, {items, nextCursor}, {'cache-control': 'no-store'})
        return true
      }
      const after = parseStreamCursor(req, url)
      checkHead(reader, tenantId, after)
      checkRetention(reader, tenantId, after)
      // Without a cursor the stream starts at the oldest retained event.
      const start = after ?? Math.max(0, reader.oldestRetainedSeq(tenantId) - 1)
      const endAt = parseStreamEnd(url) === 'head' ? reader.lastSeq(tenantId) : undefined
      // Tells the client the end frame will come: a platform without end=head would stream on forever.
      if (endAt !== undefined) res.setHeader('x-audit-stream-end', 'head')
      serveStream(req, res, reader, tenantId, start, filters, negotiateFormat(req), {...streamOptions, endAt}).catch((err: Error) => {
        process.stderr.write(`audit stream error trace=${rc.traceId}: ${err.stack ?? err}\n`)
        res.destroy(err)
      })
      return true
    } catch (err) {
      if (err instanceof QueryError) {
        sendProblem(res, rc, err.problem)
        return true
      }
      throw err
    }
  }
}
