// getAccessToken: the one way commands get a token. Cached until 5 minutes before expiry, then refreshed under the profile lock.
import type {Context} from '../context.js'
import type {Profile} from '../config/store.js'
import type {CredentialStore, StoredCredentials} from '../credentials/types.js'
import {AuthRequiredError} from '../errors/index.js'
import type {DpopProver} from '../http/types.js'
import {text} from '../output/render.js'
import {certificateGrant, loadClientCertificate} from './certificate-sign-in.js'
import {acquireCiToken, ciCredentialsFromEnv, type CiCredentials, type CiToken} from './ci-env.js'
import {discover} from './discovery.js'
import {federatedGrant, federatedSource} from './federated-token.js'
import {tokenEndpointDpop, type DpopKey} from './dpop.js'
import {dpopKeys, type DpopKeys} from './dpop-tokens.js'
import {forgetSignIn, recordExpiry} from './forget.js'
import {identityProviderChanged, issuerChange} from './issuer-check.js'
import {oauthErrorCode, SIGN_IN_AGAIN, toAuthError} from './oauth-error.js'
import {resourceFor} from './resource.js'
import {toStoredCredentials} from './token-response.js'

/** A token is renewed this long before it expires, so a command never starts with one about to lapse. */
export const REFRESH_AHEAD_MS = 5 * 60 * 1000

export interface AccessToken {
  token: string
  /** Epoch ms. */
  expiresAt: number
  profile: string
  /** Where it came from: the store, a refresh, a new certificate sign-in, or the CI environment (memory only). */
  source: 'cache' | 'refreshed' | 'certificate' | 'federated' | 'environment'
  /** A DPoP-bound token's key: requests send `Authorization: DPoP` and a proof signed by it (pass the token as `auth`). */
  dpop?: DpopProver
}

export interface GetAccessTokenOptions {
  /** Renew even when the cached token is fresh. */
  forceRefresh?: boolean
}

/** The context's tokens: the one way commands get an access token. */
export interface Tokens {
  /** The active profile's token: from the store while fresh, else renewed under the profile lock; from the CI variables in CI mode. */
  get(options?: GetAccessTokenOptions): Promise<AccessToken>
  /**
   * The CI variables' token, acquired once per command run (context) and kept only in memory — acquired again (a new
   * federated token read or asked for) when it comes within REFRESH_AHEAD_MS of its expiry, or with `forceRefresh`.
   */
  ci(ci: CiCredentials, options?: GetAccessTokenOptions): Promise<CiToken>
}

export function createTokens(ctx: Context): Tokens {
  let ciToken: Promise<CiToken> | undefined
  let ciExpiresAt = Number.POSITIVE_INFINITY
  // One prover per key for the whole run, so the nonces servers hand out are remembered from request to request.
  const keys = dpopKeys()
  const tokens: Tokens = {
    get: (options = {}) => getAccessToken(ctx, tokens, keys, options),
    ci(ci, options = {}) {
      if (ciToken && (options.forceRefresh || ciExpiresAt - ctx.clock.now() <= REFRESH_AHEAD_MS)) ciToken = undefined
      if (!ciToken) {
        ciExpiresAt = Number.POSITIVE_INFINITY
        const acquiring = acquireCiToken(ctx, ci)
        ciToken = acquiring
        acquiring.then(
          (t) => {
            if (ciToken === acquiring) ciExpiresAt = t.expiresAt
          },
          () => {
            if (ciToken === acquiring) ciToken = undefined
          },
        )
      }
      return ciToken
    },
  }
  return tokens
}

function isFresh(creds: StoredCredentials | undefined, now: number): creds is StoredCredentials & {accessToken: string; accessTokenExpiresAt: number} {
  return Boolean(creds?.accessToken) && typeof creds?.accessTokenExpiresAt === 'number' && creds.accessTokenExpiresAt - now > REFRESH_AHEAD_MS
}

function notSignedIn(profile: string): AuthRequiredError {
  return new AuthRequiredError('NOT_SIGNED_IN', `Profile "${profile}" is not signed in.`, {
    nextStep: `${SIGN_IN_AGAIN}${profile === 'default' ? '' : ` --profile ${profile}`}`,
  })
}

async function getAccessToken(ctx: Context, tokens: Tokens, keys: DpopKeys, options: GetAccessTokenOptions): Promise<AccessToken> {
  const ci = ciCredentialsFromEnv(ctx.env)
  const {name, profile} = await ctx.activeProfile()
  if (ci) {
    const t = await tokens.ci(ci, options)
    return {token: t.token, expiresAt: t.expiresAt, profile: name, source: 'environment'}
  }
  if (!profile.authMethod) throw notSignedIn(name)
  const access = ctx.credentials()
  const store = await access.open({profile: name})
  const cached = await store.get(name)
  // Cheap, offline, and before any request: a token from another issuer is refused by the platform anyway, with a
  // message ("iss claim is not accepted") that does not say why. The tokens are kept: auth status still explains it.
  const changed = issuerChange(profile, cached)
  if (changed) throw identityProviderChanged(name, changed)
  if (!options.forceRefresh && isFresh(cached, ctx.clock.now())) {
    const key = await keys.of(name, cached)
    return {token: cached.accessToken, expiresAt: cached.accessTokenExpiresAt, profile: name, source: 'cache', ...(key ? {dpop: key.prover} : {})}
  }
  return access.withLock(name, async () => {
    // Another process may have renewed it while this one waited for the lock.
    const current = await store.get(name)
    const key = await keys.of(name, current)
    if (isFresh(current, ctx.clock.now()) && (!options.forceRefresh || current.accessToken !== cached?.accessToken)) {
      return {token: current.accessToken, expiresAt: current.accessTokenExpiresAt, profile: name, source: 'cache' as const, ...(key ? {dpop: key.prover} : {})}
    }
    const renewed =
      profile.authMethod === 'certificate'
        ? await renewWithCertificate(ctx, name, profile, store, key)
        : profile.authMethod === 'federated'
          ? await renewWithFederation(ctx, name, profile, store, key)
          : await refresh(ctx, name, profile, store, current, key)
    return key ? {...renewed, dpop: key.prover} : renewed
  })
}

async function refresh(
  ctx: Context,
  name: string,
  profile: Profile,
  store: CredentialStore,
  current: StoredCredentials | undefined,
  key: DpopKey | undefined,
): Promise<AccessToken> {
  if (!current?.refreshToken || !profile.authority || !profile.clientId) {
    await forgetSignIn(ctx, name)
    throw new AuthRequiredError('SESSION_EXPIRED', `The sign-in of profile "${name}" has expired and cannot be renewed.`, {nextStep: SIGN_IN_AGAIN})
  }
  const client = await import('openid-client')
  const config = await discover(ctx, {authority: profile.authority, clientId: profile.clientId})
  const now = ctx.clock.now()
  let res: Awaited<ReturnType<typeof client.refreshTokenGrant>>
  try {
    // A DPoP-bound refresh token (a public client's) is only accepted with a proof of the same key.
    res = await client.refreshTokenGrant(config, current.refreshToken, undefined, key ? await tokenEndpointDpop(config, key) : undefined)
  } catch (err) {
    const code = oauthErrorCode(err)
    if (code === 'invalid_grant' || code === 'invalid_token') {
      // Revoked, expired or already rotated by a process that did not hold the lock: what is cached is useless now.
      await forgetSignIn(ctx, name)
      throw new AuthRequiredError('SESSION_EXPIRED', `The sign-in of profile "${name}" has expired or was revoked; its cached tokens were deleted.`, {
        nextStep: SIGN_IN_AGAIN,
      })
    }
    throw toAuthError(err, 'Token refresh')
  }
  const next = toStoredCredentials(res, now, current)
  await store.set(name, next)
  await recordExpiry(ctx, name, next.accessTokenExpiresAt ?? now)
  return {token: res.access_token, expiresAt: next.accessTokenExpiresAt ?? now, profile: name, source: 'refreshed'}
}

/** Certificates have no refresh token: sign in again with the same file (its password from the environment or a prompt). */
async function renewWithCertificate(ctx: Context, name: string, profile: Profile, store: CredentialStore, key: DpopKey | undefined): Promise<AccessToken> {
  if (!profile.certificatePath || !profile.authority || !profile.clientId) throw notSignedIn(name)
  const cert = await loadClientCertificate(ctx, {file: profile.certificatePath})
  for (const warning of cert.warnings) ctx.reporter.warn(text`Warning: ${warning}`)
  const now = ctx.clock.now()
  const res = await certificateGrant(ctx, {authority: profile.authority, clientId: profile.clientId, cert, resource: resourceFor(profile), dpop: key})
  const next = toStoredCredentials(res, now, key ? {dpopKey: key.jwk} : undefined)
  await store.set(name, next)
  await recordExpiry(ctx, name, next.accessTokenExpiresAt ?? now)
  return {token: res.access_token, expiresAt: next.accessTokenExpiresAt ?? now, profile: name, source: 'certificate'}
}

/** Federation has no refresh token either: a new federated token is read (or asked for) now, and exchanged again. */
async function renewWithFederation(ctx: Context, name: string, profile: Profile, store: CredentialStore, key: DpopKey | undefined): Promise<AccessToken> {
  if (!profile.federatedProvider || !profile.authority || !profile.clientId) throw notSignedIn(name)
  const source = federatedSource(ctx.env, {provider: profile.federatedProvider, file: profile.federatedTokenFile, audience: profile.federatedAudience})
  if (!source) throw notSignedIn(name)
  const now = ctx.clock.now()
  const res = await federatedGrant(ctx, {authority: profile.authority, clientId: profile.clientId, source, resource: resourceFor(profile), dpop: key})
  const next = toStoredCredentials(res, now, key ? {dpopKey: key.jwk} : undefined)
  await store.set(name, next)
  await recordExpiry(ctx, name, next.accessTokenExpiresAt ?? now)
  return {token: res.access_token, expiresAt: next.accessTokenExpiresAt ?? now, profile: name, source: 'federated'}
}
