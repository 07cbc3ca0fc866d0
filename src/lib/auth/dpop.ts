// DPoP (RFC 9449) keys of a profile: an ES256 key pair made at sign-in and kept in the credential store with the tokens,
// the proofs it signs for API requests, and openid-client's handle of it for the token endpoint.
import {randomUUID} from 'node:crypto'

import type {Configuration, CryptoKey, CryptoKeyPair, DPoPHandle, TokenEndpointResponse} from 'openid-client'

import type {DpopJwk, StoredCredentials} from '../credentials/types.js'
import {AuthRequiredError} from '../errors/index.js'
import type {DpopProver} from '../http/types.js'
import {SIGN_IN_AGAIN} from './oauth-error.js'

const DPOP_ALG = 'ES256'

/** A profile's DPoP key, ready to sign: its stored (private) JWK, the key pair, and a prover for API requests. */
export interface DpopKey {
  jwk: DpopJwk
  keyPair: CryptoKeyPair
  prover: DpopProver
}

/** A new key pair for a sign-in; its private JWK is what the credential store keeps. */
export async function newDpopKey(): Promise<DpopKey> {
  const {generateKeyPair, exportJWK} = await import('jose')
  const {privateKey} = await generateKeyPair(DPOP_ALG, {extractable: true})
  const {kty, crv, x, y, d} = await exportJWK(privateKey)
  return dpopKeyFrom({kty, crv, x, y, d} as DpopJwk)
}

/** The key kept with the tokens, imported for signing (the private key is not extractable once imported). */
export async function dpopKeyFrom(jwk: DpopJwk): Promise<DpopKey> {
  const {importJWK} = await import('jose')
  const {d: _private, ...publicJwk} = jwk
  const privateKey = (await importJWK({...jwk, ext: false}, DPOP_ALG, {extractable: false})) as CryptoKey
  // oauth4webapi requires an extractable public key (it puts it in the proof's header).
  const publicKey = (await importJWK(publicJwk, DPOP_ALG, {extractable: true})) as CryptoKey
  return {jwk, keyPair: {privateKey, publicKey}, prover: createProver(privateKey, publicJwk)}
}

/**
 * The key of a DPoP profile's stored credentials. A profile that signed in with DPoP but whose key is gone cannot
 * use (or renew) its tokens: it must sign in again, which makes a new key.
 */
export async function storedDpopKey(name: string, creds: StoredCredentials | undefined): Promise<DpopKey> {
  if (!creds?.dpopKey) {
    throw new AuthRequiredError('DPOP_KEY_MISSING', `Profile "${name}" signed in with DPoP, but its key is not in the credential store.`, {
      nextStep: `${SIGN_IN_AGAIN}${name === 'default' ? '' : ` --profile ${name}`} --dpop`,
    })
  }
  return dpopKeyFrom(creds.dpopKey)
}

/**
 * A sign-in that asked for DPoP must get a DPoP token (token_type DPoP, RFC 9449 §5): a provider that ignored the proof
 * issued a bearer token, which would be stored as if it were bound. Nothing is stored then.
 */
export function checkDpopBound(res: TokenEndpointResponse, authority: string): void {
  if (res.token_type?.toLowerCase() === 'dpop') return
  throw new AuthRequiredError('DPOP_NOT_SUPPORTED', `The identity provider ${authority} issued a bearer token, not a DPoP-bound one; nothing was stored.`, {
    nextStep: 'Sign in without binding the tokens: ppctl auth login --no-dpop   (or ask the provider to enable DPoP for the client)',
  })
}

/** openid-client's handle of the key: proofs for the token endpoint, with the provider's nonce followed by openid-client. */
export async function tokenEndpointDpop(config: Configuration, key: DpopKey): Promise<{DPoP: DPoPHandle}> {
  const client = await import('openid-client')
  return {DPoP: client.getDPoPHandle(config, key.keyPair)}
}

function createProver(privateKey: CryptoKey, publicJwk: Omit<DpopJwk, 'd'>): DpopProver {
  const nonces = new Map<string, string>()
  return {
    async proof(htm, url, accessToken) {
      const [{SignJWT, base64url}, {createHash}] = await Promise.all([import('jose'), import('node:crypto')])
      const nonce = nonces.get(url.origin)
      const claims: Record<string, unknown> = {htm, htu: `${url.origin}${url.pathname}`, jti: randomUUID()}
      if (accessToken) claims.ath = base64url.encode(createHash('sha256').update(accessToken).digest())
      if (nonce) claims.nonce = nonce
      return new SignJWT(claims).setProtectedHeader({alg: DPOP_ALG, typ: 'dpop+jwt', jwk: publicJwk}).setIssuedAt().sign(privateKey)
    },
    rememberNonce(url, nonce) {
      // Bounded: one nonce per origin, and a profile talks to a handful of origins.
      if (nonces.size > 32 && !nonces.has(url.origin)) nonces.clear()
      nonces.set(url.origin, nonce)
    },
  }
}
