// Revoking a user's or service principal's sessions: POST /v1/users/{id, UPN or client id}/revoke-sessions (Admin).
import {sendJson} from '../../http-util.js'
import {auditChange, type ApiRoute} from './context.js'
import {problem} from './problem.js'

/** What the cluster asks of the identity (a call to its admin API on a distributed platform). */
export interface SessionAdmin {
  revokeSubject(request: {tenantId: string; subject: string; kind: 'user' | 'servicePrincipal'}): Promise<{
    notBefore: string
    grantsRevoked: number
    enforced: boolean
  }>
  /** A service principal of this tenant by client id. */
  servicePrincipal(tenantId: string, clientId: string): {clientId: string; name: string} | undefined
}

interface Target {
  kind: 'user' | 'servicePrincipal'
  id: string
  upn?: string
  displayName: string
}

export const sessionsApi: ApiRoute = async (ctx, seg) => {
  const [, top, key, sub] = seg
  if (top !== 'users' || !key || sub !== 'revoke-sessions' || seg.length !== 4 || ctx.method !== 'POST') return false
  const admin = ctx.sessions
  if (!admin) throw problem(501, 'NOT_IMPLEMENTED', 'Revoking sessions is not available on this platform')
  const row = ctx.store
    .prepare('SELECT id, upn, display_name FROM users WHERE tenant_id = ? AND (id = ? OR upn = ? COLLATE NOCASE)')
    .get(ctx.tenantId, key, key) as {id: string; upn: string; display_name: string} | undefined
  const sp = row ? undefined : admin.servicePrincipal(ctx.tenantId, key)
  const target: Target | undefined = row
    ? {kind: 'user', id: row.id, upn: row.upn, displayName: row.display_name}
    : sp
      ? {kind: 'servicePrincipal', id: sp.clientId, displayName: sp.name}
      : undefined
  if (!target) throw problem(404, 'USER_NOT_FOUND', 'No such user or service principal in this tenant', key)
  const result = await admin.revokeSubject({tenantId: ctx.tenantId, subject: target.id, kind: target.kind})
  ctx.store.write(ctx.tenantId, (tx) =>
    auditChange(
      ctx,
      tx,
      'user.sessions_revoked',
      {type: target.kind, id: target.id, displayName: target.displayName, ...(target.upn ? {upn: target.upn} : {})},
      {notBefore: result.notBefore, grantsRevoked: result.grantsRevoked, ...(target.upn ? {upn: target.upn} : {})},
    ),
  )
  sendJson(ctx.res, 200, {
    id: target.id,
    kind: target.kind,
    ...(target.upn ? {upn: target.upn} : {}),
    displayName: target.displayName,
    notBefore: result.notBefore,
    grantsRevoked: result.grantsRevoked,
    enforced: result.enforced,
  })
  return true
}
