// The identity's clients: the public CLI client, and service principals from the Directory as private_key_jwt clients.
import type {ServicePrincipal} from '../directory.js'
import {CLI_CLIENT_ID} from '../seed.js'

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/** ppctl: a public (no secret) native client that signs people in with the device flow and keeps refresh tokens. */
export function cliClient(): Record<string, unknown> {
  return {
    client_id: CLI_CLIENT_ID,
    client_name: 'ppctl',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  }
}

/** A service principal: client credentials only, authenticated with a JWT signed by its registered certificate's key. */
export function servicePrincipalClient(sp: ServicePrincipal): Record<string, unknown> {
  return {
    client_id: sp.clientId,
    client_name: sp.name,
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    jwks: {keys: [sp.jwk]},
  }
}
