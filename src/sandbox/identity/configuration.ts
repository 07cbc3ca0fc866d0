// oidc-provider's configuration for the local platform, in one readable object.
import type {Adapter} from 'oidc-provider'

import type {Directory} from '../directory.js'
import {createClientAssertionCheck} from './client-assertion.js'
import {createExtraTokenClaims, createFindAccount, createResourceIndicators, API_SCOPE, SCOPE_CLAIMS} from './claims.js'
import {cliClient} from './clients.js'
import {deviceFlowPages, renderError} from './device-flow.js'
import {dpopFeature} from './dpop.js'
import {INTERACTION_PREFIX} from './interactions.js'
import type {IdentityKeys} from './keys.js'
import {withRevocationClaims, type SessionRevocation} from './session-revocation.js'

export const CLOCK_TOLERANCE_SECONDS = 15

const MINUTE = 60
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Lifetimes, in seconds. Refresh tokens rotate at every use, so each one lives until used or 14 days. */
const TTL = {
  AccessToken: HOUR,
  ClientCredentials: HOUR,
  DeviceCode: 10 * MINUTE,
  IdToken: HOUR,
  RefreshToken: 14 * DAY,
  Interaction: 10 * MINUTE,
  Session: DAY,
  Grant: 14 * DAY,
} as const

export interface ConfigurationInputs {
  apiAudience: string
  directory: Directory
  keys: IdentityKeys
  adapter: (model: string) => Adapter
  /** Stamps access tokens with what the gateway's revocation checks read (the provider is built before it exists). */
  revocation?: () => SessionRevocation | undefined
}

export function buildConfiguration({apiAudience, directory, keys, adapter, revocation}: ConfigurationInputs): Record<string, unknown> {
  const ttl = Object.fromEntries(Object.entries(TTL).map(([name, seconds]) => [name, () => seconds]))
  return {
    adapter,
    jwks: keys.jwks,
    cookies: {keys: keys.cookieKeys},
    clockTolerance: CLOCK_TOLERANCE_SECONDS,

    // Clients: ppctl (public, device flow + refresh) statically; service principals through the adapter's Client model.
    clients: [cliClient()],
    clientAuthMethods: ['none', 'private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['PS256', 'RS256', 'ES256'],
      idTokenSigningAlgValues: ['RS256', 'PS256'],
    },
    assertJwtClientAuthClaimsAndHeader: createClientAssertionCheck(directory, CLOCK_TOLERANCE_SECONDS),

    // Who the tokens are about, and what they say.
    findAccount: createFindAccount(directory),
    scopes: ['openid', 'profile', 'offline_access', API_SCOPE],
    claims: SCOPE_CLAIMS,
    conformIdTokenClaims: false,
    extraTokenClaims: withRevocationClaims(createExtraTokenClaims(directory), revocation ?? (() => undefined)),

    // Refresh tokens: issued when offline_access was granted to a client allowed the refresh_token grant; rotated at every use.
    issueRefreshToken: async (_ctx: unknown, client: {grantTypeAllowed(type: string): boolean}, code: {scopes: Set<string>}) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    ttl,

    features: {
      devInteractions: {enabled: false},
      deviceFlow: {enabled: true, ...deviceFlowPages},
      clientCredentials: {enabled: true},
      dPoP: dpopFeature(keys),
      resourceIndicators: createResourceIndicators(apiAudience),
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: {clientId: string}, token: {clientId: string}) => token.clientId === client.clientId,
      },
      // `auth status --check` asks whether a refresh token is still alive without using (and so rotating) it; only the
      // client the token was issued to may ask.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: {clientId: string}, token: {clientId: string}) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {enabled: false},
      userinfo: {enabled: true},
    },

    // No browser-based (JavaScript) clients: cross-origin calls to the identity are never allowed.
    clientBasedCORS: () => false,
    interactions: {url: (_ctx: unknown, interaction: {uid: string}) => `${INTERACTION_PREFIX}${interaction.uid}`},
    renderError,
  }
}
