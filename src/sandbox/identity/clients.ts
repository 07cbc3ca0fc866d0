// The identity's clients: the public CLI client, and service principals from the Directory as private_key_jwt clients.
import type {ServicePrincipal} from '../directory.js'
import {CLI_CLIENT_ID} from '../seed.js'

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/**
 * The browser sign-in's redirect (RFC 8252 §7.3): loopback over http. A native client's loopback redirect matches with
 * any port in oidc-provider, as the RFC asks, since ppctl listens on a random free one.
 */
const CLI_LOOPBACK_REDIRECT = 'http://127.0.0.1/callback'

/** ppctl: a public (no secret) native client that signs people in with the device flow or the browser (PKCE), and keeps refresh tokens. */
export function cliClient(): Record<string, unknown> {
  return {
    client_id: CLI_CLIENT_ID,
    client_name: 'ppctl',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: [DEVICE_CODE_GRANT, 'authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [CLI_LOOPBACK_REDIRECT],
  }
}

/**
 * A service principal: client credentials only, authenticated with a JWT signed by its registered certificate's key —
 * or, when it has federated credentials, by the identity's federation key (an assertion re-signed after the external
 * one was verified, see federation.ts).
 */
export function servicePrincipalClient(sp: ServicePrincipal, federationJwk?: Record<string, unknown>): Record<string, unknown> {
  const federated = federationJwk && (sp.federatedCredentials?.length ?? 0) > 0
  return {
    client_id: sp.clientId,
    client_name: sp.name,
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    jwks: {keys: federated ? [sp.jwk, federationJwk] : [sp.jwk]},
  }
}
