// Extra checks on a service principal's client assertion: its certificate's x5t#S256, one audience, a short lifetime.
import {errors, type ClientLike, type KoaContextWithOIDC} from 'oidc-provider'

import type {Directory} from '../directory.js'
import {FEDERATION_KID} from './federation.js'

/** The longest lifetime accepted for a client assertion, in seconds (RFC 7523 asks for a short one). */
const MAX_ASSERTION_LIFETIME_SECONDS = 300

/**
 * oidc-provider's `assertJwtClientAuthClaimsAndHeader` hook, called after the assertion's signature, iss, sub, aud, exp
 * and jti were verified and before its jti is recorded. oidc-provider itself ignores x5t#S256; here it must name the
 * certificate registered for the service principal.
 */
export function createClientAssertionCheck(directory: Directory, clockToleranceSeconds: number) {
  return async function assertJwtClientAuthClaimsAndHeader(
    _ctx: KoaContextWithOIDC,
    claims: Record<string, unknown>,
    header: Record<string, unknown>,
    client: ClientLike,
  ): Promise<void> {
    const sp = directory.findServicePrincipal(client.clientId)
    if (!sp) throw new errors.InvalidClientAuth('client not found')
    // Re-signed by the identity after a federated assertion was verified (federation.ts): no certificate is involved.
    if (header.kid === FEDERATION_KID && header.alg === 'ES256' && (sp.federatedCredentials?.length ?? 0) > 0) return
    const x5t = header['x5t#S256']
    if (typeof x5t !== 'string' || x5t.length === 0) {
      throw new errors.InvalidClientAuth('the client assertion header must carry x5t#S256, the thumbprint of the registered certificate')
    }
    if (x5t !== sp.thumbprintS256) {
      throw new errors.InvalidClientAuth('x5t#S256 does not match the certificate registered for this client')
    }
    if (Array.isArray(claims.aud) && claims.aud.length !== 1) {
      throw new errors.InvalidClientAuth('the client assertion must have exactly one audience (aud)')
    }
    const now = Math.floor(Date.now() / 1000)
    if (typeof claims.exp === 'number' && claims.exp - now > MAX_ASSERTION_LIFETIME_SECONDS + clockToleranceSeconds) {
      throw new errors.InvalidClientAuth(`the client assertion must expire within ${MAX_ASSERTION_LIFETIME_SECONDS} seconds`)
    }
  }
}
