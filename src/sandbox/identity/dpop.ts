// The identity's DPoP feature (RFC 9449): DPoP-bound access and refresh tokens (cnf.jkt) for clients that send a proof.
import {createHmac} from 'node:crypto'

import type {IdentityKeys} from './keys.js'

/**
 * oidc-provider's `features.dPoP`. The token endpoint asks for its own nonce (a `use_dpop_nonce` answer with a
 * `DPoP-Nonce` header, which openid-client follows), so a proof cannot be made ahead of time. The nonce key is derived
 * from the identity's persisted cookie key: nonces stay valid across a restart, and no new key file is needed.
 */
export function dpopFeature(keys: IdentityKeys): Record<string, unknown> {
  const nonceSecret = createHmac('sha256', Buffer.from(keys.cookieKeys[0], 'base64url')).update('ppctl-sandbox dpop nonce').digest()
  return {enabled: true, nonceSecret, requireNonce: () => true, allowReplay: false}
}
