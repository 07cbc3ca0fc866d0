// private_key_jwt (RFC 7523): a short-lived assertion signed with the certificate's key, naming the certificate by x5t#S256.
import {randomUUID} from 'node:crypto'

import type {ClientAuth, ServerMetadata} from 'openid-client'

import type {Clock} from '../clock.js'
import {UsageError} from '../errors/index.js'
import type {ClientCertificate} from './certificate.js'

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** Well under the 5 minutes providers accept (the local platform refuses more). */
export const ASSERTION_LIFETIME_SECONDS = 120

export type AssertionAlg = 'PS256' | 'RS256' | 'ES256'

/** PS256 when the provider offers it; RS256 only when it does not; ES256 for an EC key. */
export function chooseAssertionAlg(metadata: Pick<ServerMetadata, 'token_endpoint_auth_signing_alg_values_supported'>, cert: ClientCertificate): AssertionAlg {
  const offered = metadata.token_endpoint_auth_signing_alg_values_supported
  const keyType = cert.key.asymmetricKeyType
  const pick = (preferred: AssertionAlg[]): AssertionAlg => {
    if (!offered) return preferred[preferred.length - 1]
    const found = preferred.find((alg) => offered.includes(alg))
    if (found) return found
    throw new UsageError(
      'ASSERTION_ALG_UNSUPPORTED',
      `The identity provider accepts none of ${preferred.join(', ')} for client assertions (it offers ${offered.join(', ') || 'none'}); the certificate in ${cert.source} (thumbprint ${cert.thumbprint}) cannot be used.`,
      {
        nextStep: 'Use an RSA certificate, or ask the provider to accept PS256 or RS256.',
      },
    )
  }
  if (keyType === 'rsa') return pick(['PS256', 'RS256'])
  if (keyType === 'ec') return pick(['ES256'])
  throw new UsageError(
    'CERTIFICATE_KEY_UNSUPPORTED',
    `The key in ${cert.source} (thumbprint ${cert.thumbprint}) is ${keyType ?? 'of an unknown type'}; ppctl signs with RSA or EC P-256 keys.`,
    {
      nextStep: 'Use an RSA (2048 bits or more) or EC P-256 certificate.',
    },
  )
}

export interface AssertionInput {
  cert: ClientCertificate
  alg: AssertionAlg
  clientId: string
  /** One audience: the provider's issuer. */
  audience: string
  /** Epoch ms. */
  now: number
}

/** The signed assertion: iss = sub = client id, one aud, a fresh jti, exp ASSERTION_LIFETIME_SECONDS out. */
export async function signClientAssertion(input: AssertionInput): Promise<string> {
  const {SignJWT} = await import('jose')
  const now = Math.floor(input.now / 1000)
  return new SignJWT({})
    .setProtectedHeader({alg: input.alg, typ: 'JWT', 'x5t#S256': input.cert.thumbprintS256})
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.audience)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
    .sign(input.cert.key)
}

/**
 * openid-client's client authentication hook, signing a new assertion for every request. Without `alg`, it is chosen
 * from the provider's metadata (token_endpoint_auth_signing_alg_values_supported) at each request.
 */
export function certificateClientAuth(cert: ClientCertificate, alg: AssertionAlg | undefined, clock: Clock): ClientAuth {
  return async (as, client, body) => {
    const chosen = alg ?? chooseAssertionAlg(as, cert)
    body.set('client_id', client.client_id)
    body.set('client_assertion_type', CLIENT_ASSERTION_TYPE)
    body.set('client_assertion', await signClientAssertion({cert, alg: chosen, clientId: client.client_id, audience: as.issuer, now: clock.now()}))
  }
}
