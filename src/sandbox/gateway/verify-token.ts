// Access-token validation at the gateway: signature from the identity's keys, issuer, audience, time, algorithm.
import {createLocalJWKSet, decodeJwt, errors, jwtVerify, type JSONWebKeySet, type JWTPayload} from 'jose'

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
    readonly error: 'invalid_request' | 'invalid_token',
    readonly description: string,
    /** The problem code of the 401 (UNAUTHENTICATED unless a refusal has its own). */
    readonly code?: string,
  ) {
    super(description)
  }
}

const ACCEPTED_ALGORITHMS = ['PS256', 'RS256', 'ES256']
const CLOCK_SKEW_SECONDS = 60
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/

export interface TokenVerifierOptions {
  issuer: string
  audience: string
  jwks: () => JSONWebKeySet
  /** Whether a verified token's session was revoked (the identity's pushed "not before" records). */
  revoked?: (claims: JWTPayload) => boolean
}

export function createTokenVerifier(options: TokenVerifierOptions): (authorization: string | undefined) => Promise<Principal> {
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined
  return async (authorization) => {
    if (!authorization) throw new TokenRejected('invalid_request', 'an access token is required')
    const match = BEARER.exec(authorization)
    if (!match) throw new TokenRejected('invalid_request', 'the Authorization header must be "Bearer <token>"')
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
      if (options.revoked?.(payload)) throw new TokenRejected('invalid_token', 'session revoked', 'SESSION_REVOKED')
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : []
      const clientId = typeof payload.client_id === 'string' ? payload.client_id : typeof payload.azp === 'string' ? payload.azp : undefined
      const upn = typeof payload.upn === 'string' ? payload.upn : undefined
      void protectedHeader
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

/**
 * The `tid` a bearer token claims, read WITHOUT verifying anything (the token may be forged or expired). It may only
 * choose which tenant's audit log records the token's refusal, never grant access or name an actor.
 */
export function unverifiedTenantOf(authorization: string | undefined): string | undefined {
  const match = authorization ? BEARER.exec(authorization) : null
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
