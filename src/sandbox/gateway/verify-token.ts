// Access-token validation at the gateway: signature from the identity's keys, issuer, audience, time, algorithm.
import {createLocalJWKSet, decodeJwt, errors, jwtVerify, type JSONWebKeySet, type JWTPayload} from 'jose'

import {createProofVerifier, ProofRejected, type DpopError, type ProofRequest, type ProofVerifier} from './dpop-proof.js'

export interface Principal {
  tenantId: string
  subject: string
  oid?: string
  upn?: string
  clientId?: string
  roles: string[]
  kind: 'user' | 'servicePrincipal'
  /** A stable key for rate limiting: the token's jti, or its subject. */
  rateKey: string
  expiresAt: number
}

export class TokenRejected extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_token' | DpopError,
    readonly description: string,
    /** DPoP: the challenge is a DPoP one (RFC 9449 §7.1), with a fresh nonce when the proof lacked a current one. */
    readonly dpop?: {nonce?: string},
    /** The problem code of the 401 (UNAUTHENTICATED unless a refusal has its own). */
    readonly code?: string,
  ) {
    super(description)
  }
}

const ACCEPTED_ALGORITHMS = ['PS256', 'RS256', 'ES256']
const CLOCK_SKEW_SECONDS = 60
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/
const DPOP = /^DPoP ([A-Za-z0-9._~+/-]+=*)$/

export interface TokenVerifierOptions {
  issuer: string
  audience: string
  jwks: () => JSONWebKeySet
  /** Whether a verified token's session was revoked (the identity's pushed "not before" records). */
  revoked?: (claims: JWTPayload) => boolean
  /** Checks the proofs of DPoP-bound tokens; one with its own replay cache and nonce key by default. */
  dpop?: ProofVerifier
}

export function createTokenVerifier(options: TokenVerifierOptions): (authorization: string | undefined, request?: ProofRequest) => Promise<Principal> {
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined
  const proofs = options.dpop ?? createProofVerifier()
  return async (authorization, request) => {
    if (!authorization) throw new TokenRejected('invalid_request', 'an access token is required')
    const dpopMatch = DPOP.exec(authorization)
    const match = dpopMatch ?? BEARER.exec(authorization)
    if (!match) throw new TokenRejected('invalid_request', 'the Authorization header must be "Bearer <token>" or "DPoP <token>"')
    keySet ??= createLocalJWKSet(options.jwks())
    try {
      const {payload, protectedHeader} = await jwtVerify(match[1], keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'iat', 'sub'],
        typ: 'at+jwt',
      })
      const tid = payload.tid
      if (typeof tid !== 'string') throw new TokenRejected('invalid_token', 'the token carries no tenant (tid)')
      if (options.revoked?.(payload)) throw new TokenRejected('invalid_token', 'session revoked', undefined, 'SESSION_REVOKED')
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : []
      const clientId = typeof payload.client_id === 'string' ? payload.client_id : typeof payload.azp === 'string' ? payload.azp : undefined
      const upn = typeof payload.upn === 'string' ? payload.upn : undefined
      void protectedHeader
      await checkBinding(payload.cnf, match[1], dpopMatch !== null, request, proofs)
      return {
        tenantId: tid,
        subject: payload.sub as string,
        oid: typeof payload.oid === 'string' ? payload.oid : undefined,
        upn,
        clientId,
        roles,
        kind: upn ? 'user' : 'servicePrincipal',
        rateKey: typeof payload.jti === 'string' ? payload.jti : `${tid}:${payload.sub}`,
        expiresAt: (payload.exp as number) * 1000,
      }
    } catch (err) {
      if (err instanceof TokenRejected) throw err
      throw new TokenRejected('invalid_token', describeJoseError(err))
    }
  }
}

/** A DPoP-bound token (cnf.jkt) only with the DPoP scheme and a proof of its key; the DPoP scheme only for a bound token. */
async function checkBinding(cnf: unknown, token: string, dpopScheme: boolean, request: ProofRequest | undefined, proofs: ProofVerifier): Promise<void> {
  const jkt = typeof cnf === 'object' && cnf !== null && typeof (cnf as {jkt?: unknown}).jkt === 'string' ? (cnf as {jkt: string}).jkt : undefined
  if (!jkt) {
    if (dpopScheme) throw new TokenRejected('invalid_token', 'the token is not DPoP-bound: send it with the Bearer scheme (Authorization: Bearer <token>)')
    return
  }
  if (!dpopScheme)
    throw new TokenRejected('invalid_token', 'the token is DPoP-bound: send it with the DPoP scheme (Authorization: DPoP <token>) and a proof of its key', {})
  try {
    await proofs.verify(request ?? {method: '', url: '', dpop: undefined}, token, jkt)
  } catch (err) {
    if (err instanceof ProofRejected) throw new TokenRejected(err.error, err.description, {nonce: err.nonce})
    throw err
  }
}

/**
 * The `tid` a bearer token claims, read WITHOUT verifying anything (the token may be forged or expired). It may only
 * choose which tenant's audit log records the token's refusal, never grant access or name an actor.
 */
export function unverifiedTenantOf(authorization: string | undefined): string | undefined {
  const match = authorization ? (BEARER.exec(authorization) ?? DPOP.exec(authorization)) : null
  if (!match) return undefined
  try {
    const tid = decodeJwt(match[1]).tid
    return typeof tid === 'string' && tid.length > 0 && tid.length <= 64 ? tid : undefined
  } catch {
    return undefined
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired'
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not accepted`
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not accepted'
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid'
  if (err instanceof errors.JWKSNoMatchingKey) return 'the token is not signed by a key of this platform'
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'the token is malformed'
  return 'the token is not valid'
}
