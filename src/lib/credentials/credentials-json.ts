// The stored form of a profile's credentials: only the known fields are kept, and unreadable JSON reads as absent.
import type {StoredCredentials} from './types.js'

/** Only the known fields: nothing else ever reaches a store. */
export function pickCredentials(c: StoredCredentials): StoredCredentials {
  const out: StoredCredentials = {}
  if (typeof c.accessToken === 'string') out.accessToken = c.accessToken
  if (typeof c.accessTokenExpiresAt === 'number') out.accessTokenExpiresAt = c.accessTokenExpiresAt
  if (typeof c.refreshToken === 'string') out.refreshToken = c.refreshToken
  if (typeof c.idToken === 'string') out.idToken = c.idToken
  return out
}

/** The credentials in `json`, or undefined when it is not a JSON object. */
export function parseCredentials(json: string): StoredCredentials | undefined {
  try {
    const parsed = JSON.parse(json) as StoredCredentials
    return typeof parsed === 'object' && parsed !== null ? pickCredentials(parsed) : undefined
  } catch {
    return undefined
  }
}
