// Licenses: a user's assignments (GET, POST, DELETE /v1/users/{id}/licenses) and the tenant's SKUs (/v1/licenses/skus).
import {sendJson} from '../../http-util.js'
import {auditChange, type ApiRoute, type Ctx} from './context.js'
import {idempotent} from './idempotency.js'
import {HttpProblem, problem} from './problem.js'
import {readBody} from './request.js'
import {findUser, requireSelfOrAdmin} from './users.js'

interface SkuRow {
  id: string
  display_name: string
  enabled: number
  grants_premium: number
  capabilities: string
  consumed: number
}

const skuJson = (s: SkuRow) => ({
  id: s.id,
  displayName: s.display_name,
  grantsPremium: s.grants_premium === 1,
  capabilities: JSON.parse(s.capabilities) as string[],
  seats: {enabled: s.enabled, consumed: s.consumed, available: Math.max(0, s.enabled - s.consumed)},
})

function findSku(ctx: Ctx, id: string): SkuRow {
  const row = ctx.store
    .prepare(
      'SELECT s.*, (SELECT COUNT(*) FROM assignments a WHERE a.tenant_id = s.tenant_id AND a.sku_id = s.id) AS consumed FROM skus s WHERE s.tenant_id = ? AND s.id = ?',
    )
    .get(ctx.tenantId, id) as SkuRow | undefined
  if (!row) throw problem(404, 'SKU_NOT_FOUND', 'No such license SKU in this tenant', id)
  return row
}

/** A user's licences: on the assignments_user index (the primary key starts with the SKU, so alone it scans the tenant's assignments). */
export const LICENSES_OF_USER_SQL =
  'SELECT a.sku_id, a.assigned_at, s.display_name, s.grants_premium, s.capabilities FROM assignments a JOIN skus s ON s.tenant_id = a.tenant_id AND s.id = a.sku_id WHERE a.tenant_id = ? AND a.user_id = ? ORDER BY a.sku_id'

export function licensesOf(ctx: Ctx, userId: string) {
  const rows = ctx.store.prepare(LICENSES_OF_USER_SQL).all(ctx.tenantId, userId) as Array<{
    sku_id: string
    assigned_at: string
    display_name: string
    grants_premium: number
    capabilities: string
  }>
  return rows.map((r) => ({
    skuId: r.sku_id,
    displayName: r.display_name,
    grantsPremium: r.grants_premium === 1,
    capabilities: JSON.parse(r.capabilities) as string[],
    assignedAt: r.assigned_at,
  }))
}

export const assignmentsApi: ApiRoute = async (ctx, seg) => {
  const {method, principal, tenantId, res} = ctx
  const [, top, id, sub, subId] = seg
  if (top !== 'users' || !id || sub !== 'licenses') return false
  if (seg.length === 4 && method === 'GET') {
    const user = findUser(ctx, id)
    requireSelfOrAdmin(ctx, user)
    sendJson(res, 200, {userId: user.id, upn: user.upn, items: licensesOf(ctx, user.id), nextCursor: null})
    return true
  }
  if (seg.length === 4 && method === 'POST') {
    const body = await readBody(ctx.req)
    const user = findUser(ctx, id)
    if (typeof body.skuId !== 'string') throw problem(400, 'INVALID_BODY', 'skuId is required', 'Body: {"skuId": "POWERAPPS_PER_USER"}')
    const skuId = body.skuId
    await idempotent(ctx, {skuId}, (tx) => {
      const sku = findSku(ctx, skuId)
      const existing = tx.get<{assigned_at: string}>(
        'SELECT assigned_at FROM assignments WHERE tenant_id = ? AND sku_id = ? AND user_id = ?',
        tenantId,
        sku.id,
        user.id,
      )
      if (existing)
        return {status: 200, body: {userId: user.id, skuId: sku.id, assignedAt: existing.assigned_at, alreadyAssigned: true, seats: skuJson(sku).seats}}
      if (sku.consumed >= sku.enabled) {
        throw problem(
          409,
          'NO_SEATS_AVAILABLE',
          `No seats left on ${sku.id}`,
          `${sku.consumed} of ${sku.enabled} seats are assigned; revoke one or buy more.`,
          {seats: skuJson(sku).seats},
        )
      }
      const at = new Date().toISOString()
      tx.run(
        'INSERT INTO assignments (tenant_id, sku_id, user_id, assigned_at, assigned_by) VALUES (?, ?, ?, ?, ?)',
        tenantId,
        sku.id,
        user.id,
        at,
        principal.upn ?? principal.clientId ?? principal.subject,
      )
      auditChange(ctx, tx, 'license.assigned', {type: 'user', id: user.id, displayName: user.display_name, upn: user.upn}, {skuId: sku.id, upn: user.upn})
      return {
        status: 201,
        body: {userId: user.id, skuId: sku.id, assignedAt: at, alreadyAssigned: false, seats: skuJson({...sku, consumed: sku.consumed + 1}).seats},
      }
    })
    return true
  }
  if (subId && seg.length === 5 && method === 'DELETE') {
    const user = findUser(ctx, id)
    await idempotent(ctx, {skuId: subId}, (tx) => {
      const sku = findSku(ctx, subId)
      const removed = tx.run('DELETE FROM assignments WHERE tenant_id = ? AND sku_id = ? AND user_id = ?', tenantId, sku.id, user.id).changes
      if (removed === 0) throw problem(404, 'LICENSE_NOT_ASSIGNED', `${user.upn} does not hold ${sku.id}`)
      auditChange(ctx, tx, 'license.revoked', {type: 'user', id: user.id, displayName: user.display_name, upn: user.upn}, {skuId: sku.id, upn: user.upn})
      return {status: 200, body: {userId: user.id, skuId: sku.id, revoked: true, seats: skuJson({...sku, consumed: sku.consumed - 1}).seats}}
    })
    return true
  }
  return false
}

export const skusApi: ApiRoute = async (ctx, seg) => {
  const {method, store, tenantId, res} = ctx
  const [, top, id, sub] = seg
  if (top !== 'licenses' || id !== 'skus' || method !== 'GET') return false
  if (seg.length === 3) {
    const rows = store
      .prepare(
        'SELECT s.*, (SELECT COUNT(*) FROM assignments a WHERE a.tenant_id = s.tenant_id AND a.sku_id = s.id) AS consumed FROM skus s WHERE s.tenant_id = ? ORDER BY s.id',
      )
      .all(tenantId) as SkuRow[]
    sendJson(res, 200, {items: rows.map(skuJson), nextCursor: null})
    return true
  }
  if (sub && seg.length === 4) {
    sendJson(res, 200, skuJson(findSku(ctx, sub)))
    return true
  }
  return false
}

/** At most this many users per lookup: a page of a bulk file. */
const LOOKUP_MAX_USERS = 1000

/**
 * POST /v1/licenses/lookup {users: [id or UPN, …]}: the licences each user holds, in the order asked, a user not in
 * the tenant as `found: false` — what a bulk dry run reads for a page of rows in one request instead of one per row.
 */
export const licenseLookupApi: ApiRoute = async (ctx, seg) => {
  if (seg.length !== 3 || seg[1] !== 'licenses' || seg[2] !== 'lookup' || ctx.method !== 'POST') return false
  const body = await readBody(ctx.req, {limit: 512 * 1024})
  const users = body.users
  const example = 'Body: {"users": ["megan.bowen@contoso.com", "…"]}'
  if (!Array.isArray(users) || users.length === 0 || users.length > LOOKUP_MAX_USERS)
    throw problem(400, 'INVALID_BODY', `users must be a list of 1 to ${LOOKUP_MAX_USERS} user ids or UPNs`, example)
  const bad = users.findIndex((u) => typeof u !== 'string' || u.length === 0 || u.length > 320)
  if (bad >= 0) throw problem(400, 'INVALID_BODY', `users[${bad}] is not a user id or UPN (a string of 1 to 320 characters)`, example)
  const items = (users as string[]).map((key) => {
    let user: ReturnType<typeof findUser>
    try {
      user = findUser(ctx, key)
    } catch (err) {
      if (err instanceof HttpProblem && err.problem.status === 404) return {user: key, found: false}
      throw err
    }
    return {user: key, found: true, userId: user.id, upn: user.upn, items: licensesOf(ctx, user.id)}
  })
  sendJson(ctx.res, 200, {count: items.length, items})
  return true
}
