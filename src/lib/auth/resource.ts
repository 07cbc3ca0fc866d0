// The API's resource indicator and the scopes ppctl asks for at sign-in.
import type {Profile} from '../config/store.js'

/** openid + profile for who signed in, offline_access for a refresh token, api for the platform API. */
export const SIGN_IN_SCOPE = 'openid profile offline_access api'
/** The local platform's API audience, used for the sandbox profile when it names none. */
const SANDBOX_API_RESOURCE = 'https://api.sandbox.localhost'

export function resourceFor(profile: Profile): string | undefined {
  return profile.apiResource ?? (profile.sandboxDataDir ? SANDBOX_API_RESOURCE : undefined)
}
