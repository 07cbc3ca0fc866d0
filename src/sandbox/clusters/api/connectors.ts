// Connectors of the tenant: list, create (custom, in an environment), read, delete (custom), and block/unblock under If-Match (edits of the managed DLP policy).
import {randomBytes} from 'node:crypto'

import {sendJson} from '../../http-util.js'
import {auditChange, isAdmin, type ApiRoute, type Ctx} from './context.js'
import {checkIfMatch, etagOf} from './etag.js'
import {
  DEFAULT_ENVIRONMENT_ID,
  ENDPOINT_FILTERING,
  environmentOf,
  forgetConnectors,
  managedBlocked,
  readerOf,
  reconcileFlows,
  setManagedBlocked,
  type Reader,
} from './governance.js'
import {idempotent} from './idempotency.js'
import {decodeCursor, encodeCursor, likeOf, limitOf} from './paging.js'
import {problem} from './problem.js'
import {readBody} from './request.js'

export interface ConnectorRow {
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
  environment_id: string | null
  host_url: string | null
}

/** "Blocked" is the managed policy's blocked group (the `blocked` column is no longer written). */
const connectorJson = (c: ConnectorRow, blocked: ReadonlySet<string>) => ({
  id: c.id,
  displayName: c.display_name,
  publisher: c.publisher,
  tier: c.tier,
  blocked: blocked.has(c.id),
  unblockable: c.unblockable === 1,
  description: c.description,
  ...(c.created_by ? {createdBy: c.created_by} : {}),
  ...(c.tier === 'custom' ? {environmentId: c.environment_id ?? DEFAULT_ENVIRONMENT_ID} : {}),
  ...(c.host_url ? {hostUrl: c.host_url} : {}),
  endpointFiltering: ENDPOINT_FILTERING.has(c.id),
  createdAt: c.created_at,
  updatedAt: c.updated_at,
  etag: etagOf(c),
})

export function findConnector(ctx: Ctx, id: string): ConnectorRow {
  const row = ctx.store.prepare('SELECT * FROM connectors WHERE tenant_id = ? AND id = ?').get(ctx.tenantId, id) as ConnectorRow | undefined
  if (!row) throw problem(404, 'CONNECTOR_NOT_FOUND', 'No such connector in this tenant', id)
  return row
}

/** Whether the tenant-wide managed policy blocks the connector. */
export const isBlocked = (r: Reader, tenantId: string, id: string) => managedBlocked(r, tenantId).has(id)

function hostUrlOf(v: unknown): string | undefined {
  if (v === undefined) return undefined
  let url: URL | undefined
  try {
    url = typeof v === 'string' && v.length <= 500 ? new URL(v) : undefined
  } catch {
    url = undefined
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password)
    throw problem(400, 'INVALID_BODY', 'hostUrl must be an https URL', 'e.g. https://billing.contoso.example', {field: 'hostUrl'})
  return url.origin
}

export const connectorsApi: ApiRoute = async (ctx, seg) => {
  const {method, principal, url, store, tenantId, res} = ctx
  const [, top, id, sub] = seg
  if (top !== 'connectors') return false
  if (seg.length === 2 && method === 'GET') {
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
    const reader = readerOf(store)
    const blockedSet = managedBlocked(reader, tenantId)
    const blocked = url.searchParams.get('blocked')
    if (blocked !== null) {
      if (!['true', 'false'].includes(blocked)) throw problem(400, 'INVALID_FILTER', 'blocked must be true or false')
      where.push(`id ${blocked === 'true' ? '' : 'NOT '}IN (SELECT value FROM json_each(?))`)
      params.push(JSON.stringify([...blockedSet]))
    }
    const environment = url.searchParams.get('environment')
    if (environment !== null) {
      where.push("(tier != 'custom' OR coalesce(environment_id, ?) = ?)")
      params.push(DEFAULT_ENVIRONMENT_ID, environmentOf(reader, tenantId, environment, 'environment').id)
    }
    const search = url.searchParams.get('search')
    if (search) {
      where.push("(id LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')")
      params.push(likeOf(search), likeOf(search))
    }
    const rows = store.prepare(`SELECT * FROM connectors WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...params, limit + 1) as ConnectorRow[]
    const page = rows.slice(0, limit)
    sendJson(res, 200, {items: page.map((c) => connectorJson(c, blockedSet)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null})
    return true
  }
  if (seg.length === 2 && method === 'POST') {
    const body = await readBody(ctx.req)
    const displayName = typeof body.displayName === 'string' ? body.displayName.trim() : ''
    if (!/^[\p{L}\p{N} ._()-]{1,80}$/u.test(displayName))
      throw problem(400, 'INVALID_BODY', 'displayName is required', '1–80 letters, digits, spaces and . _ ( ) -')
    const description = typeof body.description === 'string' ? body.description.slice(0, 500) : ''
    const env = environmentOf(readerOf(store), tenantId, body.environmentId)
    const hostUrl = hostUrlOf(body.hostUrl)
    const newId = `custom_${
      displayName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 40) || 'connector'
    }-${randomBytes(3).toString('hex')}`
    const createdBy = principal.oid ?? principal.clientId ?? principal.subject
    // The fingerprint keeps its old form for requests without the new fields, so a retry across an upgrade replays.
    const fingerprint =
      body.environmentId === undefined && hostUrl === undefined ? {displayName, description} : {displayName, description, environmentId: env.id, hostUrl}
    await idempotent(ctx, fingerprint, (tx) => {
      const at = new Date().toISOString()
      tx.run(
        "INSERT INTO connectors (tenant_id, id, display_name, publisher, tier, blocked, unblockable, description, created_by, created_at, updated_at, version, environment_id, host_url) VALUES (?, ?, ?, ?, 'custom', 0, 0, ?, ?, ?, ?, 1, ?, ?)",
        tenantId,
        newId,
        displayName,
        principal.upn ?? principal.clientId ?? 'unknown',
        description,
        createdBy,
        at,
        at,
        env.id,
        hostUrl ?? null,
      )
      auditChange(
        ctx,
        tx,
        'connector.created',
        {type: 'connector', id: newId, displayName},
        {displayName, environmentId: env.id, ...(hostUrl ? {hostUrl} : {})},
      )
      // A new custom connector may fall in a blocked group by URL pattern or default: nothing uses it yet, so no flow changes.
      return {status: 201, body: connectorJson(findConnector(ctx, newId), managedBlocked(tx, tenantId))}
    })
    return true
  }
  if (id && seg.length === 3 && method === 'GET') {
    const row = findConnector(ctx, id)
    sendJson(res, 200, connectorJson(row, managedBlocked(readerOf(store), tenantId)), {etag: etagOf(row)})
    return true
  }
  if (id && seg.length === 3 && method === 'DELETE') {
    const row = findConnector(ctx, id)
    if (row.tier !== 'custom')
      throw problem(422, 'NOT_CUSTOM_CONNECTOR', 'Only custom connectors can be deleted', `${id} is a ${row.tier} connector; block it instead.`)
    if (!isAdmin(principal) && row.created_by !== (principal.oid ?? principal.clientId ?? principal.subject)) {
      throw problem(403, 'ROLE_FORBIDDEN', 'A Maker deletes only the custom connectors it created', 'Ask an Admin.')
    }
    checkIfMatch(ctx, row, false)
    store.write(tenantId, (tx) => {
      tx.run('DELETE FROM connectors WHERE tenant_id = ? AND id = ?', tenantId, id)
      auditChange(ctx, tx, 'connector.deleted', {type: 'connector', id, displayName: row.display_name}, {displayName: row.display_name})
      forgetConnectors(ctx, tx, [id])
    })
    res.writeHead(204).end()
    return true
  }
  if (id && (sub === 'block' || sub === 'unblock') && seg.length === 4 && method === 'POST') {
    const want = sub === 'block'
    const updated = store.write(tenantId, (tx) => {
      const row = findConnector(ctx, id)
      checkIfMatch(ctx, row, true)
      if (want && row.unblockable === 1) {
        throw problem(422, 'UNBLOCKABLE_CONNECTOR', `${row.display_name} cannot be blocked`, 'Core connectors stay available to every app.')
      }
      // The managed policy is the one record of "blocked"; the connector's version moves with it, so its ETag does.
      const change = setManagedBlocked(ctx, tx, id, want)
      if (!change.changed) return {row, blocked: managedBlocked(tx, tenantId)}
      const at = new Date().toISOString()
      tx.run('UPDATE connectors SET updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?', at, tenantId, id)
      const impact = reconcileFlows(ctx, tx, want ? 'connector.blocked' : 'connector.unblocked')
      auditChange(
        ctx,
        tx,
        want ? 'connector.blocked' : 'connector.unblocked',
        {type: 'connector', id, displayName: row.display_name},
        {
          previousEtag: etagOf(row),
          policyId: change.policy.id,
          policyEtag: change.policy.etag,
          suspendedFlows: impact.suspended.map((f) => f.id),
          resumedFlows: impact.resumed.map((f) => f.id),
        },
      )
      return {row: findConnector(ctx, id), blocked: managedBlocked(tx, tenantId)}
    })
    sendJson(res, 200, connectorJson(updated.row, updated.blocked), {etag: etagOf(updated.row)})
    return true
  }
  return false
}
