// Whether a stored sign-in still belongs to the profile's identity provider: the tokens' `iss` against the authority.
import type {Profile} from '../config/store.js'
import type {StoredCredentials} from '../credentials/types.js'
import {AuthRequiredError} from '../errors/index.js'

export interface IssuerChange {
  /** The issuer the stored tokens came from. */
  was: string
  /** The profile's authority today. */
  now: string
}

const normalize = (url: string) => url.trim().replace(/\/+$/, '')

/** The `iss` claim of a JWT, read without verification: it only decides whether to use the token, never to trust it. */
export function issuerOfJwt(token: string | undefined): string | undefined {
  const parts = token?.split('.')
  if (!parts || parts.length !== 3) return undefined
  try {
    const iss = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as {iss?: unknown}).iss
    return typeof iss === 'string' && iss !== '' ? iss : undefined
  } catch {
    return undefined
  }
}

/**
 * The change when the stored tokens were issued by another provider than the profile's authority names — the local
 * platform restarted on another port, or the authority was reconfigured. The ID token (validated at sign-in) speaks
 * first; an opaque access token and no ID token says nothing, and nothing is reported.
 */
export function issuerChange(profile: Profile, creds: StoredCredentials | undefined): IssuerChange | undefined {
  if (!profile.authority || !creds) return undefined
  const was = issuerOfJwt(creds.idToken) ?? issuerOfJwt(creds.accessToken)
  if (!was || normalize(was) === normalize(profile.authority)) return undefined
  return {was: normalize(was), now: normalize(profile.authority)}
}

/** Exit 4, saying why the platform now refuses the sign-in (rather than the gateway's "iss claim is not accepted"). */
export function identityProviderChanged(profileName: string, change: IssuerChange): AuthRequiredError {
  return new AuthRequiredError(
    'IDENTITY_PROVIDER_CHANGED',
    `The platform's identity provider changed (was ${change.was}, now ${change.now}): the sign-in of profile "${profileName}" is no longer accepted.`,
    {nextStep: `Sign in again with ppctl auth login${profileName === 'default' ? '' : ` --profile ${profileName}`}`},
  )
}
