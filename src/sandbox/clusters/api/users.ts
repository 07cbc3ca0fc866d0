// Users of the tenant: GET /v1/users (pages, search) and GET /v1/users/{id or UPN}.
import {sendJson} from '../../http-util.js'
import {isAdmin, type ApiRoute, type Ctx} from './context.js'
import {decodeCursor, encodeCursor, likeOf, limitOf} from './paging.js'
import {problem} from './problem.js'

export interface UserRow {
  tenant_id: string
  id: string
  upn: string
  display_name: string
  roles: string
  sign_in: number
}

const userJson = (u: UserRow) => ({id: u.id, upn: u.upn, displayName: u.display_name, roles: JSON.parse(u.roles) as string[], signInEnabled: u.sign_in === 1})

/** Users are addressed by id (oid) or UPN; another tenant's users do not exist here (404). */
export function findUser(ctx: Ctx, key: string): UserRow {
  // Two lookups, each on an index (an OR of the two columns scans every user of the tenant).
  const row = (ctx.store.prepare('SELECT * FROM users WHERE tenant_id = ? AND id = ?').get(ctx.tenantId, key) ??
    ctx.store.prepare('SELECT * FROM users WHERE tenant_id = ? AND upn = ? COLLATE NOCASE').get(ctx.tenantId, key)) as UserRow | undefined
  if (!row) throw problem(404, 'USER_NOT_FOUND', 'No such user in this tenant', key)
  return row
}

export function requireSelfOrAdmin(ctx: Ctx, user: UserRow): void {
  if (isAdmin(ctx.principal)) return
  if (ctx.principal.oid !== user.id)
    throw problem(403, 'ROLE_FORBIDDEN', "Only an Admin reads other users' data", 'Ask about your own user, or sign in as an Admin.')
}

export const usersApi: ApiRoute = async (ctx, seg) => {
  const {method, url, store, tenantId, res} = ctx
  const [, top, id] = seg
  if (top !== 'users') return false
  if (seg.length === 2 && method === 'GET') {
    const limit = limitOf(url)
    const after = decodeCursor(url.searchParams.get('cursor')) ?? ''
    const search = url.searchParams.get('search')
    const rows = store
      .prepare(
        `SELECT * FROM users WHERE tenant_id = ? AND upn > ? ${search ? "AND (upn LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')" : ''} ORDER BY upn LIMIT ?`,
      )
      .all(...[tenantId, after, ...(search ? [likeOf(search), likeOf(search)] : []), limit + 1]) as UserRow[]
    const page = rows.slice(0, limit)
    sendJson(res, 200, {items: page.map(userJson), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].upn) : null})
    return true
  }
  if (id && seg.length === 3 && method === 'GET') {
    const user = findUser(ctx, id)
    requireSelfOrAdmin(ctx, user)
    sendJson(res, 200, userJson(user))
    return true
  }
  return false
}
