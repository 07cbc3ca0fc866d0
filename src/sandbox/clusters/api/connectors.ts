// Connectors of the tenant: list, create (custom), read, delete (custom), and block/unblock under If-Match.
import {randomBytes} from 'node:crypto'

import {sendJson} from '../../http-util.js'
import {auditChange, isAdmin, type ApiRoute, type Ctx} from './context.js'
import {checkIfMatch, etagOf} from './etag.js'
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
}

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

export function findConnector(ctx: Ctx, id: string): ConnectorRow {
  const row = ctx.store.prepare('SELECT * FROM connectors WHERE tenant_id = ? AND id = ?').get(ctx.tenantId, id) as ConnectorRow | undefined
  if (!row) throw problem(404, 'CONNECTOR_NOT_FOUND', 'No such connector in this tenant', id)
  return row
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
    const rows = store.prepare(`SELECT * FROM connectors WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...params, limit + 1) as ConnectorRow[]
    const page = rows.slice(0, limit)
    sendJson(res, 200, {items: page.map(connectorJson), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null})
    return true
  }
  if (seg.length === 2 && method === 'POST') {
    const body = await readBody(ctx.req)
    const displayName = typeof body.displayName === 'string' ? body.displayName.trim() : ''
    if (!/^[\p{L}\p{N} ._()-]{1,80}$/u.test(displayName))
      throw problem(400, 'INVALID_BODY', 'displayName is required', '1–80 letters, digits, spaces and . _ ( ) -')
    const description = typeof body.description === 'string' ? body.description.slice(0, 500) : ''
    const newId = `custom_${
      displayName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 40) || 'connector'
    }-${randomBytes(3).toString('hex')}`
    const createdBy = principal.oid ?? principal.clientId ?? principal.subject
    await idempotent(ctx, {displayName, description}, (tx) => {
      const at = new Date().toISOString()
      tx.run(
        "INSERT INTO connectors (tenant_id, id, display_name, publisher, tier, blocked, unblockable, description, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, 'custom', 0, 0, ?, ?, ?, ?, 1)",
        tenantId,
        newId,
        displayName,
        principal.upn ?? principal.clientId ?? 'unknown',
        description,
        createdBy,
        at,
        at,
      )
      auditChange(ctx, tx, 'connector.created', {type: 'connector', id: newId, displayName}, {displayName})
      return {status: 201, body: connectorJson(findConnector(ctx, newId))}
    })
    return true
  }
  if (id && seg.length === 3 && method === 'GET') {
    const row = findConnector(ctx, id)
    sendJson(res, 200, connectorJson(row), {etag: etagOf(row)})
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
    })
    res.writeHead(204).end()
    return true
  }
  if (id && (sub === 'block' || sub === 'unblock') && seg.length === 4 && method === 'POST') {
    const want = sub === 'block' ? 1 : 0
    const updated = store.write(tenantId, (tx) => {
      const row = findConnector(ctx, id)
      checkIfMatch(ctx, row, true)
      if (want === 1 && row.unblockable === 1) {
        throw problem(422, 'UNBLOCKABLE_CONNECTOR', `${row.display_name} cannot be blocked`, 'Core connectors stay available to every app.')
      }
      if (row.blocked === want) return row
      const at = new Date().toISOString()
      tx.run('UPDATE connectors SET blocked = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?', want, at, tenantId, id)
      auditChange(
        ctx,
        tx,
        want ? 'connector.blocked' : 'connector.unblocked',
        {type: 'connector', id, displayName: row.display_name},
        {previousEtag: etagOf(row)},
      )
      return findConnector(ctx, id)
    })
    sendJson(res, 200, connectorJson(updated), {etag: etagOf(updated)})
    return true
  }
  return false
}
