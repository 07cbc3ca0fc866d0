// DPoP (RFC 9449) at the gateway: a proof is checked against the access token's key (cnf.jkt), the request, the clock,
// the gateway's nonce and a replay cache of jti values.
import {createHash, createHmac, randomBytes, timingSafeEqual} from 'node:crypto'

import {calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK} from 'jose'

/** What the gateway saw of the request the proof is for. */
export interface ProofRequest {
  method: string
  /** The request's absolute URL as the client addressed it (https://host[:port]/path?query). */
  url: string
  /** The DPoP header(s); more than one is refused. */
  dpop: string | string[] | undefined
}

export type DpopError = 'invalid_dpop_proof' | 'use_dpop_nonce'

/** A refused proof: the gateway answers 401 with a DPoP challenge (and a fresh nonce when `nonce` is set). */
export class ProofRejected extends Error {
  constructor(
    readonly error: DpopError,
    readonly description: string,
    readonly nonce?: string,
  ) {
    super(description)
  }
}

/** The algorithms a proof may be signed with: asymmetric only (RFC 9449 §4.2), the ones ppctl and jose support. */
const DPOP_ALGORITHMS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const

export interface ProofVerifierOptions {
  /** Seconds a proof's iat may be in the past or the future; also how long its jti is remembered. Default 60. */
  windowSeconds?: number
  /** Seconds a nonce is current; the previous one is still accepted, so a nonce lives one to two steps. Default 300. */
  nonceStepSeconds?: number
  /** The gateway's clock (epoch ms); tests inject one. */
  now?: () => number
  /** The nonce key; random per process by default (a restart makes clients fetch a new nonce: one challenge). */
  nonceSecret?: Buffer
  /** Most jti values kept; past it the oldest are dropped first. */
  maxReplayEntries?: number
}

export interface ProofVerifier {
  /** Checks the proof of a request that presents `accessToken`, bound to the key whose thumbprint is `jkt`. */
  verify(request: ProofRequest, accessToken: string, jkt: string): Promise<void>
  /** The nonce a client should use now. */
  currentNonce(): string
}

const b64url = (buf: Buffer) => buf.toString('base64url')

/** The URL as htu compares it (RFC 9449 §4.3): scheme, host, port and path; no query or fragment; normalized by URL. */
function htuOf(value: string): string | undefined {
  try {
    const url = new URL(value)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return undefined
  }
}

const equalText = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export function createProofVerifier(options: ProofVerifierOptions = {}): ProofVerifier {
  const windowSeconds = options.windowSeconds ?? 60
  const step = options.nonceStepSeconds ?? 300
  const now = options.now ?? Date.now
  const secret = options.nonceSecret ?? randomBytes(32)
  const maxEntries = options.maxReplayEntries ?? 100_000
  // jti → epoch seconds after which a proof carrying it is too old anyway (and so need not be remembered).
  const seen = new Map<string, number>()

  const nonceFor = (slot: number) => b64url(createHmac('sha256', secret).update(`dpop-nonce:${slot}`).digest())
  const slotNow = () => Math.floor(now() / 1000 / step)
  const currentNonce = () => nonceFor(slotNow())
  const nonceAccepted = (nonce: string) => {
    const slot = slotNow()
    return equalText(nonce, nonceFor(slot)) || equalText(nonce, nonceFor(slot - 1))
  }

  const remember = (jti: string, until: number, nowSeconds: number): boolean => {
    if (seen.has(jti)) return false
    if (seen.size >= maxEntries) {
      for (const [key, expiry] of seen) if (expiry < nowSeconds) seen.delete(key)
      // Still full of live entries: the oldest insertions go first (Map keeps insertion order).
      for (const key of seen.keys()) {
        if (seen.size < maxEntries) break
        seen.delete(key)
      }
    }
    seen.set(jti, until)
    return true
  }

  const invalid = (description: string) => new ProofRejected('invalid_dpop_proof', description)

  return {
    currentNonce,
    async verify(request, accessToken, jkt) {
      if (request.dpop === undefined || request.dpop === '') throw invalid('the token is DPoP-bound: send a DPoP-proof with it')
      if (Array.isArray(request.dpop)) throw invalid('send exactly one DPoP-proof')
      let header: {jwk?: JWK}
      let payload: Record<string, unknown>
      try {
        // The embedded key verifies the signature; whether it is the token's key is checked next, by thumbprint.
        const verified = await jwtVerify(request.dpop, EmbeddedJWK, {typ: 'dpop+jwt', algorithms: [...DPOP_ALGORITHMS]})
        header = verified.protectedHeader as {jwk?: JWK}
        payload = verified.payload as Record<string, unknown>
      } catch {
        throw invalid('the DPoP-proof is not a valid signed dpop+jwt')
      }
      if (!header.jwk || (await calculateJwkThumbprint(header.jwk, 'sha256')) !== jkt)
        throw invalid('the DPoP-proof is not signed by the key the token is bound to')
      if (payload.htm !== request.method.toUpperCase()) throw invalid('the DPoP-proof is for another HTTP method (htm)')
      const expected = htuOf(request.url)
      if (typeof payload.htu !== 'string' || expected === undefined || htuOf(payload.htu) !== expected) throw invalid('the DPoP-proof is for another URL (htu)')
      const ath = b64url(createHash('sha256').update(accessToken).digest())
      if (typeof payload.ath !== 'string' || !equalText(payload.ath, ath)) throw invalid('the DPoP-proof is not for this access token (ath)')
      const nowSeconds = Math.floor(now() / 1000)
      if (typeof payload.iat !== 'number' || Math.abs(nowSeconds - payload.iat) > windowSeconds)
        throw invalid('the DPoP-proof is too old or from the future (iat)')
      if (typeof payload.jti !== 'string' || payload.jti.length < 8 || payload.jti.length > 256) throw invalid('the DPoP-proof has no usable jti')
      // The nonce before the replay check: a proof refused for its nonce is not used up, the client retries with a new one.
      if (typeof payload.nonce !== 'string' || !nonceAccepted(payload.nonce)) {
        throw new ProofRejected(
          'use_dpop_nonce',
          payload.nonce === undefined ? 'the DPoP-proof must carry the gateway nonce' : 'the nonce of the DPoP-proof is stale',
          currentNonce(),
        )
      }
      if (!remember(payload.jti, payload.iat + windowSeconds, nowSeconds)) throw invalid('the DPoP-proof was already used (replayed jti)')
    },
  }
}

/** RFC 9449 §7.1: the challenge of a DPoP refusal, naming the algorithms a proof may use. */
export function dpopChallenge(error: string, description: string): string {
  // A quoted-string cannot hold a bare double quote.
  return `DPoP algs="${DPOP_ALGORITHMS.join(' ')}", error="${error}", error_description="${description.replace(/["\\]/g, "'")}"`
}
