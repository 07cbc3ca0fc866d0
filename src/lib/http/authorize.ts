// The Authorization header of a request: Bearer, or DPoP with a fresh proof (RFC 9449), and the nonces servers ask for.
import type {RequestAuth} from './types.js'

/** Sets `Authorization` (and `DPoP`) for one request to `url`. */
export async function authorize(headers: Headers, auth: RequestAuth, method: string, url: URL): Promise<void> {
  if (!auth.dpop) {
    headers.set('authorization', `Bearer ${auth.token}`)
    return
  }
  headers.set('authorization', `DPoP ${auth.token}`)
  headers.set('dpop', await auth.dpop.proof(method, url, auth.token))
}

/** A server may send a new nonce with any answer (RFC 9449 §8.2): the next proofs to that origin carry it. */
export function rememberNonce(auth: RequestAuth, url: URL, response: Response): void {
  const nonce = response.headers.get('dpop-nonce')
  if (auth.dpop && nonce) auth.dpop.rememberNonce(url, nonce)
}

/** 401 with a DPoP challenge `error="use_dpop_nonce"` and a nonce to use. */
export function isNonceChallenge(response: Response): boolean {
  if (response.status !== 401 || !response.headers.get('dpop-nonce')) return false
  const challenge = response.headers.get('www-authenticate') ?? ''
  return /(^|,\s*)DPoP\b[^]*?\berror="use_dpop_nonce"/i.test(challenge)
}
