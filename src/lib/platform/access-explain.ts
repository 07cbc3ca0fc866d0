// Why a user may or may not use a connector: the platform's access check, told in words a person understands.
import type {Context} from '../context.js'
import {PpctlError} from '../errors/index.js'
import {getConnector, type ConnectorTier} from './connectors.js'
import {listSkus, userLicenses, type HeldLicense} from './licenses.js'
import {connectorNotFound, userNotFound} from './not-found.js'

export type AccessRole = 'maker' | 'app-user'
export type AccessReason = 'CONNECTOR_BLOCKED' | 'MAKER_NOT_LICENSE_RESTRICTED' | 'STANDARD_CONNECTOR' | 'PREMIUM_LICENSE_HELD' | 'PREMIUM_LICENSE_REQUIRED'

interface AccessCheck {
  userId: string
  upn: string
  connectorId: string
  tier: ConnectorTier
  role: AccessRole
  decision: 'allow' | 'deny'
  reason: AccessReason
  skuId?: string
  requiredCapability?: string
}

export interface AccessExplanation {
  connectorId: string
  connectorName?: string
  upn: string
  userId: string
  role: AccessRole
  tier: ConnectorTier
  decision: 'allow' | 'deny'
  reason: AccessReason
  /** The platform's decision in one sentence. */
  explanation: string
  /** What the decision would be in the other role. */
  otherRole: {role: AccessRole; decision: 'allow' | 'deny'; reason: AccessReason}
  licenses: string[]
  skuId?: string
  /** SKUs of the tenant that grant premium connectors (known to admins only). */
  premiumSkus?: string[]
  nextStep?: string
}

async function check(ctx: Context, connectorId: string, upn: string, role: AccessRole): Promise<AccessCheck> {
  const {body} = await ctx.api().request<AccessCheck>({
    method: 'POST',
    path: '/v1/access-checks',
    body: {userId: upn, connectorId, role},
    what: `Checking access of ${upn} to ${connectorId}`,
    notFound: {USER_NOT_FOUND: userNotFound(upn), CONNECTOR_NOT_FOUND: connectorNotFound(connectorId)},
  })
  return body
}

/** Extra facts for the sentence; a role that may not read them just gets a shorter one. */
async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (err) {
    if (err instanceof PpctlError && err.exitCode === 5) return undefined
    throw err
  }
}

const roleName = (role: AccessRole) => (role === 'maker' ? 'a maker' : 'an app user')

export async function explainAccess(ctx: Context, connectorId: string, upn: string, role: AccessRole = 'app-user'): Promise<AccessExplanation> {
  const other: AccessRole = role === 'maker' ? 'app-user' : 'maker'
  const result = await check(ctx, connectorId, upn, role)
  const [otherResult, connector, held, skus] = await Promise.all([
    check(ctx, connectorId, upn, other),
    optional(() => getConnector(ctx, connectorId)),
    optional(() => userLicenses(ctx, result.userId)),
    optional(() => listSkus(ctx)),
  ])
  const licenses: HeldLicense[] = held?.items ?? []
  const premiumSkus = skus?.filter((s) => s.grantsPremium).map((s) => s.id)
  const name = connector ? `${connector.displayName} (${connectorId})` : connectorId
  const who = result.upn
  const otherWords = `${roleName(other)} would be ${otherResult.decision === 'allow' ? 'allowed' : 'denied'}`
  let explanation: string
  let nextStep: string | undefined
  switch (result.reason) {
    case 'CONNECTOR_BLOCKED':
      explanation = `${name} is blocked in this tenant, for every user and every app`
      nextStep = `An admin can unblock it: ppctl connector unblock ${connectorId}`
      break
    case 'MAKER_NOT_LICENSE_RESTRICTED':
      explanation = `${result.tier} connector; makers may use every connector that is not blocked, whatever their licenses; ${otherWords}`
      break
    case 'STANDARD_CONNECTOR':
      explanation = `standard connector; every user may use standard connectors, no premium license needed`
      break
    case 'PREMIUM_LICENSE_HELD': {
      const sku = licenses.find((l) => l.skuId === result.skuId)
      explanation = `${result.tier} connector; ${who} holds ${result.skuId ?? 'a SKU'}${sku ? ` (${sku.displayName})` : ''}, which grants premium connectors`
      break
    }
    case 'PREMIUM_LICENSE_REQUIRED': {
      const holds = licenses.length ? ` (holds ${licenses.map((l) => l.skuId).join(', ')})` : held ? ' (holds no license at all)' : ''
      const what = result.tier === 'custom' ? 'custom connector; custom connectors need a license that grants premium connectors' : 'premium connector'
      explanation = `${what}; ${who} holds no SKU that grants premium connectors${holds}; ${otherWords}`
      // Advise only SKUs with a seat left: the command shown must work when it is run.
      const free = skus?.filter((s) => s.grantsPremium && s.seats.available > 0).map((s) => s.id)
      if (premiumSkus?.length && !free?.length)
        nextStep = `Every SKU that grants premium connectors (${premiumSkus.join(', ')}) has all its seats assigned: revoke one (ppctl license revoke --user UPN --sku ${premiumSkus[0]}) or buy more seats.`
      else
        nextStep = `Assign ${free?.length ? free.join(' or ') : 'a SKU that grants premium connectors'}: ppctl license assign --user ${who} --sku ${free?.[0] ?? 'SKU'}`
      break
    }
    default:
      explanation = `the platform answered ${String(result.reason)}`
  }
  return {
    connectorId,
    ...(connector ? {connectorName: connector.displayName} : {}),
    upn: result.upn,
    userId: result.userId,
    role,
    tier: result.tier,
    decision: result.decision,
    reason: result.reason,
    explanation,
    otherRole: {role: other, decision: otherResult.decision, reason: otherResult.reason},
    licenses: licenses.map((l) => l.skuId),
    ...(result.skuId ? {skuId: result.skuId} : {}),
    ...(premiumSkus ? {premiumSkus} : {}),
    ...(nextStep ? {nextStep} : {}),
  }
}
