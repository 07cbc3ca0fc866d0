// What ppctl keeps from a token response: the secrets for the credential store, and who signed in for the profile.
import type {TokenEndpointResponse, TokenEndpointResponseHelpers} from 'openid-client'

import type {StoredCredentials} from '../credentials/types.js'

/** Secrets to store; a rotated refresh token replaces the old one, and an absent one keeps it. */
export function toStoredCredentials(res: TokenEndpointResponse, now: number, previous?: StoredCredentials): StoredCredentials {
  const expiresIn = typeof res.expires_in === 'number' && res.expires_in > 0 ? res.expires_in : 3600
  const out: StoredCredentials = {accessToken: res.access_token, accessTokenExpiresAt: now + expiresIn * 1000}
  const refreshToken = res.refresh_token ?? previous?.refreshToken
  const idToken = res.id_token ?? previous?.idToken
  if (refreshToken) out.refreshToken = refreshToken
  if (idToken) out.idToken = idToken
  // The key the tokens are bound to stays with them through every renewal.
  if (previous?.dpopKey) out.dpopKey = previous.dpopKey
  return out
}

export interface SignedInIdentity {
  account?: string
  tenantId?: string
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)

/** The account and tenant: from the validated ID token when there is one, else from the access token's claims (shown, not trusted). */
export function identityOf(res: TokenEndpointResponse & Partial<TokenEndpointResponseHelpers>): SignedInIdentity {
  const claims = (res.id_token && res.claims?.()) || decodeJwtPayload(res.access_token) || {}
  const c = claims as Record<string, unknown>
  return {
    account: str(c.upn) ?? str(c.preferred_username) ?? str(c.email) ?? str(c.appid) ?? str(c.azp) ?? str(c.client_id) ?? str(c.sub),
    tenantId: str(c.tid),
  }
}

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
