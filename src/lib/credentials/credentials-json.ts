// The stored form of a profile's credentials: only the known fields are kept, and unreadable JSON reads as absent.
import type {DpopJwk, StoredCredentials} from './types.js'

const isDpopJwk = (k: unknown): k is DpopJwk => {
  const j = k as Partial<Record<keyof DpopJwk, unknown>>
  return typeof k === 'object' && k !== null && j.kty === 'EC' && j.crv === 'P-256' && [j.x, j.y, j.d].every((v) => typeof v === 'string' && v !== '')
}

/** Only the known fields: nothing else ever reaches a store. */
export function pickCredentials(c: StoredCredentials): StoredCredentials {
  const out: StoredCredentials = {}
  if (typeof c.accessToken === 'string') out.accessToken = c.accessToken
  if (typeof c.accessTokenExpiresAt === 'number') out.accessTokenExpiresAt = c.accessTokenExpiresAt
  if (typeof c.refreshToken === 'string') out.refreshToken = c.refreshToken
  if (typeof c.idToken === 'string') out.idToken = c.idToken
  if (isDpopJwk(c.dpopKey)) out.dpopKey = {kty: 'EC', crv: 'P-256', x: c.dpopKey.x, y: c.dpopKey.y, d: c.dpopKey.d}
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
