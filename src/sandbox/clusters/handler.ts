// The cluster services behind the gateway: health, and the tenant API (users, connectors, access, licenses) on the active cluster.
import {createHash, randomBytes} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {AuditInput} from '../audit-sink.js'
import type {Principal} from '../gateway/verify-token.js'
import type {RouteTable} from '../global/route-table.js'
import {sendJson, sendProblem, type Problem, type RequestContext} from '../http-util.js'
import {CLUSTERS, OPERATOR_TENANT_ID} from '../seed.js'
import type {AuditRouteContext} from './audit-store.js'
import type {Tx} from './cluster-db.js'
import type {ClusterSet} from './cluster-set.js'

export type AuditRoutes = (clusterId: string, req: IncomingMessage, res: ServerResponse, rc: RequestContext, principal: Principal, cluster: AuditRouteContext) => boolean

export interface ClusterHandlerOptions {
  routes: RouteTable
  clusters?: ClusterSet
  clusterUri?: (clusterId: string) => string
  auditRoutes?: AuditRoutes
}

export const ACTIVE_CLUSTER_HEADER = 'x-active-cluster-uri'
const MAX_BODY = 64 * 1024
const DEFAULT_LIMIT = 50
const MAX_LIMIT = 200

interface UserRow {
  tenant_id: string
  id: string
  upn: string
  display_name: string
  roles: string
  sign_in: number
}
interface ConnectorRow {
  id: string
  display_name: string
  publisher: string
  tier: 'standard' | 'premium' | 'custom'
  blocked: number
  unblockable: number
  description: string
  created_by: string | null
  created_at: string
  updated_at: string
  version: number
}
interface SkuRow {
  id: string
  display_name: string
  enabled: number
  grants_premium: number
  capabilities: string
  consumed: number
}

class HttpProblem extends Error {
  constructor(readonly problem: Problem, readonly headers: Record<string, string> = {}) {
    super(problem.title)
  }
}

const problem = (status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}) =>
  new HttpProblem({status, code, title, ...(detail ? {detail} : {}), ...extra})

const userJson = (u: UserRow) => ({id: u.id, upn: u.upn, displayName: u.display_name, roles: JSON.parse(u.roles) as string[], signInEnabled: u.sign_in === 1})
const connectorJson = (c: ConnectorRow) => ({
  id: c.id,
  displayName: c.display_name,
  publisher: c.publisher,
  tier: c.tier,
  blocked: c.blocked === 1,
  unblockable: c.unblockable === 1,
  description: c.description,
  ...(c.created_by ? {createdBy: c.created_by} : {}),
  createdAt: c.created_at,
  updatedAt: c.updated_at,
  etag: etagOf(c),
})
const etagOf = (c: ConnectorRow) => `"${c.version}"`
const skuJson = (s: SkuRow) => ({
  id: s.id,
  displayName: s.display_name,
  grantsPremium: s.grants_premium === 1,
  capabilities: JSON.parse(s.capabilities) as string[],
  seats: {enabled: s.enabled, consumed: s.consumed, available: Math.max(0, s.enabled - s.consumed)},
})

function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({k: key})).toString('base64url')
}
function decodeCursor(cursor: string | null): string | undefined {
  if (!cursor) return undefined
  try {
    const k = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {k?: unknown}).k
    if (typeof k === 'string') return k
  } catch {
    // fall through
  }
  throw problem(400, 'INVALID_CURSOR', 'The cursor is not valid', 'Pass back the nextCursor of a previous page unchanged.')
}
function limitOf(url: URL): number {
  const raw = url.searchParams.get('limit')
  if (raw === null) return DEFAULT_LIMIT
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw problem(400, 'INVALID_LIMIT', 'The limit is not valid', `limit must be an integer from 1 to ${MAX_LIMIT}.`)
  return n
}
function likeOf(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large')
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  try {
    const body = JSON.parse(text) as unknown
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>
  } catch {
    // fall through
  }
  throw problem(400, 'INVALID_BODY', 'The request body must be a JSON object')
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function actorOf(p: Principal): AuditInput['actor'] {
  return p.kind === 'user' ? {type: 'user', id: p.oid ?? p.subject, upn: p.upn, ...(p.clientId ? {appId: p.clientId} : {})} : {type: 'servicePrincipal', id: p.clientId ?? p.subject, appId: p.clientId}
}

const ROLES = {
  admin: ['Admin'],
  maker: ['Admin', 'Maker'],
  member: ['Admin', 'Maker', 'AppUser'],
}

export function createClusterHandler(options: ClusterHandlerOptions) {
  const {routes} = options

  const health = (clusterId: string, res: ServerResponse, principal: Principal) => {
    const isSupport = principal.roles.includes('Support')
    const tenants = routes
      .all()
      .filter((r) => (r.home === clusterId || r.secondary === clusterId) && (isSupport || r.tenantId === principal.tenantId))
      .map((r) => {
        const repl = options.clusters?.replicationStatus(r.tenantId)
        return {
          tenantId: r.tenantId,
          role: r.home === clusterId ? 'active' : 'passive',
          epoch: r.epoch,
          peer: r.home === clusterId ? r.secondary : r.home,
          replicationLagEntries: repl?.lagEntries ?? 0,
          replicationLagMs: repl?.lagMs ?? 0,
        }
      })
    const replicationLagMs = Math.max(0, ...tenants.map((t) => t.replicationLagMs))
    sendJson(res, 200, {clusterId, region: CLUSTERS[clusterId].region, status: 'ok', replicationLagMs, tenants}, {'cache-control': 'no-store'})
  }

  return function handle(clusterId: string, req: IncomingMessage, res: ServerResponse, rc: RequestContext, principal: Principal): void {
    const url = new URL(req.url ?? '/', 'https://cluster.invalid')
    const path = url.pathname
    const method = req.method ?? 'GET'
    if (method === 'GET' && path === '/v1/health') {
      health(clusterId, res, principal)
      return
    }
    const clusters = options.clusters
    const refuse = (err: HttpProblem) => {
      const p = err.problem
      if ([403, 404, 409, 412, 421, 422, 428].includes(p.status) && clusters) {
        try {
          clusters.record({
            tenantId: principal.tenantId,
            action: 'request.refused',
            result: 'failed',
            actor: actorOf(principal),
            cluster: clusterId,
            clientIp: req.socket.remoteAddress,
            userAgent: header(req, 'user-agent'),
            correlationId: rc.correlationId,
            details: {status: p.status, code: p.code, method, path},
          })
        } catch {
          // Auditing a refusal must not turn it into a 500.
        }
      }
      if (!res.headersSent) sendProblem(res, rc, p, err.headers)
    }
    const fail = (err: unknown) => {
      if (err instanceof HttpProblem) return refuse(err)
      if (!res.headersSent) sendProblem(res, rc, {status: 500, code: 'INTERNAL', title: 'Internal error', detail: 'See the platform log for the trace id.'})
      process.stderr.write(`cluster ${clusterId} error trace=${rc.traceId}: ${(err as Error).stack ?? err}\n`)
    }
    try {
      if (!clusters) throw problem(501, 'NOT_IMPLEMENTED', 'This cluster endpoint is not available', `${method} ${path} on ${clusterId}`)
      if (principal.tenantId === OPERATOR_TENANT_ID || principal.roles.includes('Support')) {
        throw problem(403, 'TENANT_DATA_FORBIDDEN', 'Support reads routes and health, not tenant data', `${method} ${path}`)
      }
      const route = routes.get(principal.tenantId)
      if (!route) throw problem(404, 'TENANT_NOT_FOUND', 'Unknown tenant')
      if (route.home !== clusterId) {
        const activeUri = options.clusterUri?.(route.home) ?? route.home
        throw new HttpProblem(
          {status: 421, code: 'WRONG_CLUSTER', title: "This cluster is not the tenant's active cluster", detail: `Send tenant requests to ${activeUri} (epoch ${route.epoch}).`, activeUri, activeClusterId: route.home, epoch: route.epoch},
          {[ACTIVE_CLUSTER_HEADER]: activeUri},
        )
      }
      const ctx = {clusterId, req, res, rc, principal, url, method, path, db: clusters.cluster(clusterId), tenantId: principal.tenantId}
      if (path === '/v1/audit' || path.startsWith('/v1/audit/')) {
        requireRole(principal, ROLES.admin)
        if (!options.auditRoutes) throw problem(501, 'NOT_IMPLEMENTED', 'The audit API is not available yet', `${method} ${path}`)
        const handled = options.auditRoutes(clusterId, req, res, rc, principal, {clusterId, tenantId: principal.tenantId, audit: ctx.db, platform: clusters})
        if (!handled) throw problem(404, 'NOT_FOUND', 'No such endpoint', `${method} ${path}`)
        return
      }
      route_(ctx).catch(fail)
    } catch (err) {
      fail(err)
    }
  }
}

interface Ctx {
  clusterId: string
  req: IncomingMessage
  res: ServerResponse
  rc: RequestContext
  principal: Principal
  url: URL
  method: string
  path: string
  db: import('./cluster-db.js').ClusterDb
  tenantId: string
}

function requireRole(principal: Principal, allowed: readonly string[]): void {
  if (!principal.roles.some((r) => allowed.includes(r))) {
    throw problem(403, 'ROLE_FORBIDDEN', 'Your role does not allow this', `One of these roles is required: ${allowed.join(', ')}.`)
  }
}
const isAdmin = (p: Principal) => p.roles.includes('Admin')

/** Users are addressed by id (oid) or UPN; another tenant's users do not exist here (404). */
function findUser(ctx: Ctx, key: string): UserRow {
  const row = ctx.db.db.prepare('SELECT * FROM users WHERE tenant_id = ? AND (id = ? OR upn = ? COLLATE NOCASE)').get(ctx.tenantId, key, key) as UserRow | undefined
  if (!row) throw problem(404, 'USER_NOT_FOUND', 'No such user in this tenant', key)
  return row
}
function requireSelfOrAdmin(ctx: Ctx, user: UserRow): void {
  if (isAdmin(ctx.principal)) return
  if (ctx.principal.oid !== user.id) throw problem(403, 'ROLE_FORBIDDEN', "Only an Admin reads other users' data", 'Ask about your own user, or sign in as an Admin.')
}
function findConnector(ctx: Ctx, id: string): ConnectorRow {
  const row = ctx.db.db.prepare('SELECT * FROM connectors WHERE tenant_id = ? AND id = ?').get(ctx.tenantId, id) as ConnectorRow | undefined
  if (!row) throw problem(404, 'CONNECTOR_NOT_FOUND', 'No such connector in this tenant', id)
  return row
}
function findSku(ctx: Ctx, id: string): SkuRow {
  const row = ctx.db.db
    .prepare('SELECT s.*, (SELECT COUNT(*) FROM assignments a WHERE a.tenant_id = s.tenant_id AND a.sku_id = s.id) AS consumed FROM skus s WHERE s.tenant_id = ? AND s.id = ?')
    .get(ctx.tenantId, id) as SkuRow | undefined
  if (!row) throw problem(404, 'SKU_NOT_FOUND', 'No such license SKU in this tenant', id)
  return row
}
function licensesOf(ctx: Ctx, userId: string) {
  const rows = ctx.db.db
    .prepare('SELECT a.sku_id, a.assigned_at, s.display_name, s.grants_premium, s.capabilities FROM assignments a JOIN skus s ON s.tenant_id = a.tenant_id AND s.id = a.sku_id WHERE a.tenant_id = ? AND a.user_id = ? ORDER BY a.sku_id')
    .all(ctx.tenantId, userId) as Array<{sku_id: string; assigned_at: string; display_name: string; grants_premium: number; capabilities: string}>
  return rows.map((r) => ({skuId: r.sku_id, displayName: r.display_name, grantsPremium: r.grants_premium === 1, capabilities: JSON.parse(r.capabilities) as string[], assignedAt: r.assigned_at}))
}

function auditChange(ctx: Ctx, tx: Tx, action: string, target: {type: string; id: string}, details?: Record<string, unknown>) {
  return tx.audit({
    tenantId: ctx.tenantId,
    action,
    result: 'succeeded',
    actor: actorOf(ctx.principal),
    target,
    clientIp: ctx.req.socket.remoteAddress,
    userAgent: header(ctx.req, 'user-agent'),
    correlationId: ctx.rc.correlationId,
    ...(details ? {details} : {}),
  })
}

/** If-Match is required on connector state changes: 428 without it, 412 when it does not match. */
function checkIfMatch(ctx: Ctx, row: ConnectorRow, required: boolean): void {
  const given = header(ctx.req, 'if-match')
  if (!given) {
    if (required) throw problem(428, 'PRECONDITION_REQUIRED', 'If-Match is required', "Send the connector's current ETag in If-Match.")
    return
  }
  const tags = given.split(',').map((t) => t.trim().replace(/^W\//, ''))
  if (!tags.includes('*') && !tags.includes(etagOf(row))) {
    throw problem(412, 'PRECONDITION_FAILED', 'The connector changed since you read it', `Current ETag is ${etagOf(row)}; read it again.`, {currentEtag: etagOf(row)})
  }
}

/**
 * Runs a write under an optional Idempotency-Key: a key seen before with the same request replays the stored answer;
 * with a different request it is 422 IDEMPOTENCY_KEY_REUSED. The answer is stored in the same transaction as the change.
 */
async function idempotent(ctx: Ctx, body: unknown, run: (tx: Tx) => {status: number; body: unknown}): Promise<void> {
  const key = header(ctx.req, 'idempotency-key')
  if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) throw problem(400, 'INVALID_IDEMPOTENCY_KEY', 'The Idempotency-Key is not valid', '1–255 visible ASCII characters.')
  const fingerprint = createHash('sha256').update(JSON.stringify([ctx.principal.subject, ctx.method, ctx.path, body])).digest('hex')
  const answer = ctx.db.write(ctx.tenantId, (tx) => {
    if (key !== undefined) {
      const seen = tx.get<{fingerprint: string; status: number; body: string}>('SELECT fingerprint, status, body FROM idempotency WHERE tenant_id = ? AND key = ?', ctx.tenantId, key)
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          throw problem(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request', 'Use a new key for a new request.')
        }
        return {status: seen.status, body: JSON.parse(seen.body) as unknown, replayed: true}
      }
    }
    const out = run(tx)
    if (key !== undefined) {
      tx.run('INSERT INTO idempotency (tenant_id, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)', ctx.tenantId, key, fingerprint, out.status, JSON.stringify(out.body), new Date().toISOString())
    }
    return {...out, replayed: false}
  })
  sendJson(ctx.res, answer.status, answer.body, answer.replayed ? {'idempotent-replayed': 'true'} : {})
}

async function route_(ctx: Ctx): Promise<void> {
  const {method, path, principal, url, db, tenantId, res} = ctx
  const seg = path.split('/').slice(1).map((s) => decodeURIComponent(s))
  // seg[0] === 'v1'
  if (seg[0] !== 'v1') throw problem(404, 'NOT_FOUND', 'No such endpoint', `${method} ${path}`)
  const [, top, id, sub, subId] = seg

  if (top === 'users' && seg.length === 2 && method === 'GET') {
    requireRole(principal, ROLES.admin)
    const limit = limitOf(url)
    const after = decodeCursor(url.searchParams.get('cursor')) ?? ''
    const search = url.searchParams.get('search')
    const rows = db.db
      .prepare(`SELECT * FROM users WHERE tenant_id = ? AND upn > ? ${search ? "AND (upn LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')" : ''} ORDER BY upn LIMIT ?`)
      .all(...[tenantId, after, ...(search ? [likeOf(search), likeOf(search)] : []), limit + 1]) as UserRow[]
    const page = rows.slice(0, limit)
    sendJson(res, 200, {items: page.map(userJson), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].upn) : null})
    return
  }
  if (top === 'users' && id && seg.length === 3 && method === 'GET') {
    requireRole(principal, ROLES.member)
    const user = findUser(ctx, id)
    requireSelfOrAdmin(ctx, user)
    sendJson(res, 200, userJson(user))
    return
  }
  if (top === 'users' && id && sub === 'licenses' && seg.length === 4 && method === 'GET') {
    requireRole(principal, ROLES.member)
    const user = findUser(ctx, id)
    requireSelfOrAdmin(ctx, user)
    sendJson(res, 200, {userId: user.id, upn: user.upn, items: licensesOf(ctx, user.id), nextCursor: null})
    return
  }
  if (top === 'users' && id && sub === 'licenses' && seg.length === 4 && method === 'POST') {
    requireRole(principal, ROLES.admin)
    const body = await readBody(ctx.req)
    const user = findUser(ctx, id)
    if (typeof body.skuId !== 'string') throw problem(400, 'INVALID_BODY', 'skuId is required', 'Body: {"skuId": "POWERAPPS_PER_USER"}')
    const skuId = body.skuId
    await idempotent(ctx, {skuId}, (tx) => {
      const sku = findSku(ctx, skuId)
      const existing = tx.get<{assigned_at: string}>('SELECT assigned_at FROM assignments WHERE tenant_id = ? AND sku_id = ? AND user_id = ?', tenantId, sku.id, user.id)
      if (existing) return {status: 200, body: {userId: user.id, skuId: sku.id, assignedAt: existing.assigned_at, alreadyAssigned: true, seats: skuJson(sku).seats}}
      if (sku.consumed >= sku.enabled) {
        throw problem(409, 'NO_SEATS_AVAILABLE', `No seats left on ${sku.id}`, `${sku.consumed} of ${sku.enabled} seats are assigned; revoke one or buy more.`, {seats: skuJson(sku).seats})
      }
      const at = new Date().toISOString()
      tx.run('INSERT INTO assignments (tenant_id, sku_id, user_id, assigned_at, assigned_by) VALUES (?, ?, ?, ?, ?)', tenantId, sku.id, user.id, at, principal.upn ?? principal.clientId ?? principal.subject)
      auditChange(ctx, tx, 'license.assigned', {type: 'user', id: user.id}, {skuId: sku.id, upn: user.upn})
      return {status: 201, body: {userId: user.id, skuId: sku.id, assignedAt: at, alreadyAssigned: false, seats: skuJson({...sku, consumed: sku.consumed + 1}).seats}}
    })
    return
  }
  if (top === 'users' && id && sub === 'licenses' && subId && seg.length === 5 && method === 'DELETE') {
    requireRole(principal, ROLES.admin)
    const user = findUser(ctx, id)
    await idempotent(ctx, {skuId: subId}, (tx) => {
      const sku = findSku(ctx, subId)
      const removed = tx.run('DELETE FROM assignments WHERE tenant_id = ? AND sku_id = ? AND user_id = ?', tenantId, sku.id, user.id).changes
      if (removed === 0) throw problem(404, 'LICENSE_NOT_ASSIGNED', `${user.upn} does not hold ${sku.id}`)
      auditChange(ctx, tx, 'license.revoked', {type: 'user', id: user.id}, {skuId: sku.id, upn: user.upn})
      return {status: 200, body: {userId: user.id, skuId: sku.id, revoked: true, seats: skuJson({...sku, consumed: sku.consumed - 1}).seats}}
    })
    return
  }
  if (top === 'licenses' && id === 'skus' && seg.length === 3 && method === 'GET') {
    requireRole(principal, ROLES.admin)
    const rows = db.db
      .prepare('SELECT s.*, (SELECT COUNT(*) FROM assignments a WHERE a.tenant_id = s.tenant_id AND a.sku_id = s.id) AS consumed FROM skus s WHERE s.tenant_id = ? ORDER BY s.id')
      .all(tenantId) as SkuRow[]
    sendJson(res, 200, {items: rows.map(skuJson), nextCursor: null})
    return
  }
  if (top === 'licenses' && id === 'skus' && sub && seg.length === 4 && method === 'GET') {
    requireRole(principal, ROLES.admin)
    sendJson(res, 200, skuJson(findSku(ctx, sub)))
    return
  }
  if (top === 'connectors' && seg.length === 2 && method === 'GET') {
    requireRole(principal, ROLES.maker)
    const limit = limitOf(url)
    const after = decodeCursor(url.searchParams.get('cursor')) ?? ''
    const where = ['tenant_id = ?', 'id > ?']
    const params: unknown[] = [tenantId, after]
    const tier = url.searchParams.get('tier')
    if (tier !== null) {
      if (!['standard', 'premium', 'custom'].includes(tier)) throw problem(400, 'INVALID_FILTER', 'tier must be standard, premium or custom')
      where.push('tier = ?')
      params.push(tier)
    }
    const blocked = url.searchParams.get('blocked')
    if (blocked !== null) {
      if (!['true', 'false'].includes(blocked)) throw problem(400, 'INVALID_FILTER', 'blocked must be true or false')
      where.push('blocked = ?')
      params.push(blocked === 'true' ? 1 : 0)
    }
    const search = url.searchParams.get('search')
    if (search) {
      where.push("(id LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')")
      params.push(likeOf(search), likeOf(search))
    }
    const rows = db.db.prepare(`SELECT * FROM connectors WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...params, limit + 1) as ConnectorRow[]
    const page = rows.slice(0, limit)
    sendJson(res, 200, {items: page.map(connectorJson), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null})
    return
  }
  if (top === 'connectors' && seg.length === 2 && method === 'POST') {
    requireRole(principal, ROLES.maker)
    const body = await readBody(ctx.req)
    const displayName = typeof body.displayName === 'string' ? body.displayName.trim() : ''
    if (!/^[\p{L}\p{N} ._()-]{1,80}$/u.test(displayName)) throw problem(400, 'INVALID_BODY', 'displayName is required', '1–80 letters, digits, spaces and . _ ( ) -')
    const description = typeof body.description === 'string' ? body.description.slice(0, 500) : ''
    const newId = `custom_${displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'connector'}-${randomBytes(3).toString('hex')}`
    const createdBy = principal.oid ?? principal.clientId ?? principal.subject
    await idempotent(ctx, {displayName, description}, (tx) => {
      const at = new Date().toISOString()
      tx.run(
        "INSERT INTO connectors (tenant_id, id, display_name, publisher, tier, blocked, unblockable, description, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, 'custom', 0, 0, ?, ?, ?, ?, 1)",
        tenantId, newId, displayName, principal.upn ?? principal.clientId ?? 'unknown', description, createdBy, at, at,
      )
      auditChange(ctx, tx, 'connector.created', {type: 'connector', id: newId}, {displayName})
      return {status: 201, body: connectorJson(findConnector(ctx, newId))}
    })
    return
  }
  if (top === 'connectors' && id && seg.length === 3 && method === 'GET') {
    requireRole(principal, ROLES.maker)
    const row = findConnector(ctx, id)
    sendJson(res, 200, connectorJson(row), {etag: etagOf(row)})
    return
  }
  if (top === 'connectors' && id && seg.length === 3 && method === 'DELETE') {
    requireRole(principal, ROLES.maker)
    const row = findConnector(ctx, id)
    if (row.tier !== 'custom') throw problem(422, 'NOT_CUSTOM_CONNECTOR', 'Only custom connectors can be deleted', `${id} is a ${row.tier} connector; block it instead.`)
    if (!isAdmin(principal) && row.created_by !== (principal.oid ?? principal.clientId ?? principal.subject)) {
      throw problem(403, 'ROLE_FORBIDDEN', 'A Maker deletes only the custom connectors it created', 'Ask an Admin.')
    }
    checkIfMatch(ctx, row, false)
    db.write(tenantId, (tx) => {
      tx.run('DELETE FROM connectors WHERE tenant_id = ? AND id = ?', tenantId, id)
      auditChange(ctx, tx, 'connector.deleted', {type: 'connector', id}, {displayName: row.display_name})
    })
    res.writeHead(204).end()
    return
  }
  if (top === 'connectors' && id && (sub === 'block' || sub === 'unblock') && seg.length === 4 && method === 'POST') {
    requireRole(principal, ROLES.admin)
    const want = sub === 'block' ? 1 : 0
    const updated = db.write(tenantId, (tx) => {
      const row = findConnector(ctx, id)
      checkIfMatch(ctx, row, true)
      if (want === 1 && row.unblockable === 1) {
        throw problem(422, 'UNBLOCKABLE_CONNECTOR', `${row.display_name} cannot be blocked`, 'Core connectors stay available to every app.')
      }
      if (row.blocked === want) return row
      const at = new Date().toISOString()
      tx.run('UPDATE connectors SET blocked = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?', want, at, tenantId, id)
      auditChange(ctx, tx, want ? 'connector.blocked' : 'connector.unblocked', {type: 'connector', id}, {previousEtag: etagOf(row)})
      return findConnector(ctx, id)
    })
    sendJson(res, 200, connectorJson(updated), {etag: etagOf(updated)})
    return
  }
  if (top === 'access-checks' && seg.length === 2 && method === 'POST') {
    requireRole(principal, ROLES.member)
    const body = await readBody(ctx.req)
    const {userId, connectorId, role} = body
    if (typeof userId !== 'string' || typeof connectorId !== 'string' || (role !== 'maker' && role !== 'app-user')) {
      throw problem(400, 'INVALID_BODY', 'userId, connectorId and role are required', 'role is "maker" or "app-user"; userId is an id or UPN.')
    }
    const user = findUser(ctx, userId)
    requireSelfOrAdmin(ctx, user)
    const connector = findConnector(ctx, connectorId)
    sendJson(res, 200, checkAccess(user, connector, role, licensesOf(ctx, user.id)))
    return
  }
  throw problem(404, 'NOT_FOUND', 'No such endpoint', `${method} ${path}`)
}

export type AccessReason = 'CONNECTOR_BLOCKED' | 'MAKER_NOT_LICENSE_RESTRICTED' | 'STANDARD_CONNECTOR' | 'PREMIUM_LICENSE_HELD' | 'PREMIUM_LICENSE_REQUIRED'

/** Blocked is blocked for everyone; makers are never blocked by licensing; app users need a premium SKU for premium and custom. */
export function checkAccess(
  user: UserRow,
  connector: ConnectorRow,
  role: 'maker' | 'app-user',
  licenses: Array<{skuId: string; grantsPremium: boolean}>,
) {
  const base = {userId: user.id, upn: user.upn, connectorId: connector.id, tier: connector.tier, role}
  if (connector.blocked === 1) return {...base, decision: 'deny' as const, reason: 'CONNECTOR_BLOCKED' as AccessReason}
  if (role === 'maker') return {...base, decision: 'allow' as const, reason: 'MAKER_NOT_LICENSE_RESTRICTED' as AccessReason}
  if (connector.tier === 'standard') return {...base, decision: 'allow' as const, reason: 'STANDARD_CONNECTOR' as AccessReason}
  const premium = licenses.find((l) => l.grantsPremium)
  if (premium) return {...base, decision: 'allow' as const, reason: 'PREMIUM_LICENSE_HELD' as AccessReason, skuId: premium.skuId}
  return {...base, decision: 'deny' as const, reason: 'PREMIUM_LICENSE_REQUIRED' as AccessReason, requiredCapability: 'premium-connectors'}
}
