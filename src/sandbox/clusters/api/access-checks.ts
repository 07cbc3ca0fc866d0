// POST /v1/access-checks: may this user use this connector (or a flow's connector set, in an environment) as a maker or an app user, and why — licence, security group and DLP together.
import {sendJson} from '../../http-util.js'
import {evaluate} from '../../dlp/evaluate.js'
import type {ApiRoute} from './context.js'
import {findConnector, isBlocked, type ConnectorRow} from './connectors.js'
import {parseFlowConnectors} from './flows.js'
import {admits, catalogOf, environmentOf, policiesOf, readerOf} from './governance.js'
import {licensesOf} from './licenses.js'
import {problem} from './problem.js'
import {readBody} from './request.js'
import {findUser, requireSelfOrAdmin, type UserRow} from './users.js'

export type AccessReason = 'CONNECTOR_BLOCKED' | 'MAKER_NOT_LICENSE_RESTRICTED' | 'STANDARD_CONNECTOR' | 'PREMIUM_LICENSE_HELD' | 'PREMIUM_LICENSE_REQUIRED'

/** Blocked is blocked for everyone; makers are never blocked by licensing; app users need a premium SKU for premium and custom. */
function checkAccess(
  user: UserRow,
  connector: ConnectorRow,
  blocked: boolean,
  role: 'maker' | 'app-user',
  licenses: Array<{skuId: string; grantsPremium: boolean}>,
) {
  const base = {userId: user.id, upn: user.upn, connectorId: connector.id, tier: connector.tier, role}
  if (blocked) return {...base, decision: 'deny' as const, reason: 'CONNECTOR_BLOCKED' as AccessReason}
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
  const {userId, connectorId, connectorIds, environmentId, role} = body
  const flowForm = connectorIds !== undefined || environmentId !== undefined
  if (
    typeof userId !== 'string' ||
    (role !== 'maker' && role !== 'app-user') ||
    (!flowForm && typeof connectorId !== 'string') ||
    (connectorId !== undefined && typeof connectorId !== 'string') ||
    (connectorId !== undefined && connectorIds !== undefined)
  ) {
    throw problem(
      400,
      'INVALID_BODY',
      'userId, role, and connectorId or connectorIds are required',
      'role is "maker" or "app-user"; userId is an id or UPN; connectorIds (with an optional environmentId) checks a flow\'s connector set.',
    )
  }
  const user = findUser(ctx, userId)
  requireSelfOrAdmin(ctx, user)
  const reader = readerOf(ctx.store)
  const licenses = licensesOf(ctx, user.id)
  if (!flowForm) {
    const connector = findConnector(ctx, connectorId as string)
    sendJson(ctx.res, 200, checkAccess(user, connector, isBlocked(reader, ctx.tenantId, connector.id), role, licenses))
    return true
  }
  const env = environmentOf(reader, ctx.tenantId, environmentId)
  const catalog = catalogOf(reader, ctx.tenantId)
  const connectors = parseFlowConnectors(connectorIds ?? [connectorId], catalog, env.id, true)
  const dlp = evaluate({environmentId: env.id, connectors}, catalog, policiesOf(reader, ctx.tenantId))
  const perConnector = connectors.map((c) => checkAccess(user, findConnector(ctx, c.id), isBlocked(reader, ctx.tenantId, c.id), role, licenses))
  const member = admits(reader, ctx.tenantId, env, user.id)
  const reasons = [
    ...new Set([
      ...perConnector.filter((d) => d.decision === 'deny').map((d) => d.reason),
      ...(dlp.allowed ? [] : ['DLP_VIOLATION']),
      ...(member ? [] : ['ENVIRONMENT_ACCESS_DENIED']),
    ]),
  ]
  sendJson(ctx.res, 200, {
    userId: user.id,
    upn: user.upn,
    role,
    environmentId: env.id,
    decision: reasons.length === 0 ? 'allow' : 'deny',
    reasons,
    environment: {
      allowed: member,
      securityGroupId: env.security_group_id,
      reason: env.security_group_id === null ? 'NO_SECURITY_GROUP' : member ? 'SECURITY_GROUP_MEMBER' : 'NOT_A_MEMBER',
    },
    licenses: perConnector,
    dlp,
  })
  return true
}
