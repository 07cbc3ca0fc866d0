// The DPoP keys of one command run: a stored key imported once, so its prover (and the nonces it learnt) serve every request.
import type {StoredCredentials} from '../credentials/types.js'
import {dpopKeyFrom, storedDpopKey, type DpopKey} from './dpop.js'

export interface DpopKeys {
  /** The key the profile's stored tokens are bound to; none for bearer tokens. A bound token without its key: DPOP_KEY_MISSING. */
  of(name: string, creds: StoredCredentials | undefined): Promise<DpopKey | undefined>
}

export function dpopKeys(): DpopKeys {
  const loaded = new Map<string, Promise<DpopKey>>()
  return {
    async of(name, creds) {
      const jwk = creds?.dpopKey
      if (!jwk) {
        // A bound token whose key is gone (a damaged or hand-edited record) is useless: say so rather than send it as Bearer.
        if (creds?.accessToken && boundKeyOf(creds.accessToken)) return storedDpopKey(name, creds)
        return undefined
      }
      let key = loaded.get(jwk.d)
      if (!key) {
        key = dpopKeyFrom(jwk)
        loaded.set(jwk.d, key)
      }
      return key
    },
  }
}

/** The cnf.jkt an access token claims, read without verifying it (only to explain a missing key). */
function boundKeyOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {cnf?: {jkt?: unknown}}
    return typeof payload?.cnf?.jkt === 'string' ? payload.cnf.jkt : undefined
  } catch {
    return undefined
  }
}
