// POST /v1/access-checks: may this user use this connector as a maker or an app user, and why.
import {sendJson} from '../../http-util.js'
import type {ApiRoute} from './context.js'
import {findConnector, type ConnectorRow} from './connectors.js'
import {licensesOf} from './licenses.js'
import {problem} from './problem.js'
import {readBody} from './request.js'
import {findUser, requireSelfOrAdmin, type UserRow} from './users.js'

export type AccessReason = 'CONNECTOR_BLOCKED' | 'MAKER_NOT_LICENSE_RESTRICTED' | 'STANDARD_CONNECTOR' | 'PREMIUM_LICENSE_HELD' | 'PREMIUM_LICENSE_REQUIRED'

/** Blocked is blocked for everyone; makers are never blocked by licensing; app users need a premium SKU for premium and custom. */
function checkAccess(user: UserRow, connector: ConnectorRow, role: 'maker' | 'app-user', licenses: Array<{skuId: string; grantsPremium: boolean}>) {
  const base = {userId: user.id, upn: user.upn, connectorId: connector.id, tier: connector.tier, role}
  if (connector.blocked === 1) return {...base, decision: 'deny' as const, reason: 'CONNECTOR_BLOCKED' as AccessReason}
  if (role === 'maker') return {...base, decision: 'allow' as const, reason: 'MAKER_NOT_LICENSE_RESTRICTED' as AccessReason}
  if (connector.tier === 'standard') return {...base, decision: 'allow' as const, reason: 'STANDARD_CONNECTOR' as AccessReason}
  const premium = licenses.find((l) => l.grantsPremium)
  if (premium) return {...base, decision: 'allow' as const, reason: 'PREMIUM_LICENSE_HELD' as AccessReason, skuId: premium.skuId}
  return {...base, decision: 'deny' as const, reason: 'PREMIUM_LICENSE_REQUIRED' as AccessReason, requiredCapability: 'premium-connectors'}
}

export const accessChecksApi: ApiRoute = async (ctx, seg) => {
  const [, top] = seg
  if (top !== 'access-checks' || seg.length !== 2 || ctx.method !== 'POST') return false
  const body = await readBody(ctx.req)
  const {userId, connectorId, role} = body
  if (typeof userId !== 'string' || typeof connectorId !== 'string' || (role !== 'maker' && role !== 'app-user')) {
    throw problem(400, 'INVALID_BODY', 'userId, connectorId and role are required', 'role is "maker" or "app-user"; userId is an id or UPN.')
  }
  const user = findUser(ctx, userId)
  requireSelfOrAdmin(ctx, user)
  const connector = findConnector(ctx, connectorId)
  sendJson(ctx.res, 200, checkAccess(user, connector, role, licensesOf(ctx, user.id)))
  return true
}
