// `ppctl whoami`: who the profile in use signs in as — account, tenant, roles — read from the token's claims and the routing cache, offline.
import type {Context} from '../context.js'
import {AuthRequiredError} from '../errors/index.js'
import {ciCredentialsFromEnv} from './ci-env.js'
import {identityProviderChanged, issuerChange} from './issuer-check.js'
import {loginCommand} from './check.js'

export interface WhoamiResult {
  /** The UPN of a person, or the client id of a service principal. */
  account: string
  kind: 'user' | 'servicePrincipal'
  tenantId: string | null
  /** From the routing cache (the global service's answer); null when no route was fetched yet. */
  tenantName: string | null
  /** The roles the access token carries (Admin, Maker, Support, …), as the platform will see them. */
  roles: string[]
  profile: string
  method: 'device-code' | 'browser' | 'certificate' | 'federated'
}

/** A JWT's claims, read without verification: for display only, never to trust (the platform verifies). */
function claimsOf(token: string | undefined): Record<string, unknown> {
  const parts = token?.split('.')
  if (!parts || parts.length !== 3) return {}
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)

export async function whoami(ctx: Context): Promise<WhoamiResult> {
  const {name, profile} = await ctx.activeProfile()
  const ci = ciCredentialsFromEnv(ctx.env)
  let accessToken: string | undefined
  let idToken: string | undefined
  if (ci) {
    // Nothing is stored in CI mode: the roles are only known from a token, signed in for on demand (memory only).
    accessToken = (await ctx.tokens().get()).token
  } else {
    const notSignedIn = new AuthRequiredError('NOT_SIGNED_IN', `Profile "${name}" is not signed in.`, {nextStep: `Sign in with: ${loginCommand(name)}`})
    if (!profile.authMethod) throw notSignedIn
    const creds = await (await ctx.credentials().open({profile: name})).get(name)
    if (!creds || !(creds.accessToken || creds.refreshToken)) throw notSignedIn
    const changed = issuerChange(profile, creds)
    if (changed) throw identityProviderChanged(name, changed)
    accessToken = creds.accessToken
    idToken = creds.idToken
  }
  const access = claimsOf(accessToken)
  const id = claimsOf(idToken)
  const claim = (key: string) => str(access[key]) ?? str(id[key])
  const upn = claim('upn') ?? claim('preferred_username')
  const appId = claim('appid') ?? claim('azp')
  const account = upn ?? (ci ? ci.clientId : undefined) ?? profile.account ?? appId ?? claim('sub') ?? 'unknown'
  const rolesClaim = Array.isArray(access.roles) ? access.roles : Array.isArray(id.roles) ? id.roles : []
  const tenantId = claim('tid') ?? (ci ? ci.tenant : profile.tenantId) ?? null
  let tenantName: string | null = null
  try {
    const cached = await (await ctx.router().cache(name)).get('me')
    if (cached && (!tenantId || cached.route.tenantId === tenantId)) tenantName = cached.route.tenantName ?? null
  } catch {
    // No cache, or an unreadable one: the name is a nicety, the id is the answer.
  }
  return {
    account,
    kind: upn ? 'user' : ci || profile.authMethod === 'certificate' || profile.authMethod === 'federated' ? 'servicePrincipal' : 'user',
    tenantId,
    tenantName,
    roles: rolesClaim.filter((r): r is string => typeof r === 'string'),
    profile: name,
    method: ci ? (ci.federated ? 'federated' : 'certificate') : (profile.authMethod ?? 'device-code'),
  }
}
