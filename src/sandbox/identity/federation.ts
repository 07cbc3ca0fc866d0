// Workload identity federation at the token endpoint: a client assertion issued by a registered external issuer (a CI
// system's OIDC token) authenticates a service principal, checked against that issuer's published keys and the
// service principal's federated credentials.
import {generateKeyPairSync, randomUUID, type JsonWebKey} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {Readable} from 'node:stream'

import type {AuditSink} from '../audit-sink.js'
import {BodyRejected, readBody} from '../body.js'
import type {Directory, FederatedCredential, ServicePrincipal} from '../directory.js'
import {sendJson} from '../http-util.js'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** The kid of the identity's own key that re-signs a verified federated assertion for oidc-provider. */
export const FEDERATION_KID = 'ppctl-federation'
/** oidc-provider's own limit for a request body. */
const TOKEN_BODY_LIMIT = 56 * 1024
/** An issuer's discovery document and keys are fetched again after this long (a key rotation is picked up). */
const METADATA_TTL_MS = 5 * 60 * 1000

export type IssuerFetch = (url: string) => Promise<Response>

export interface FederationMatch {
  credential: string
  issuer: string
  subject: string
}

export interface Federation {
  /** The public key oidc-provider verifies re-signed assertions with: part of every federated service principal's jwks. */
  publicJwk: JsonWebKey
  /**
   * For POST /token: reads the body, and hands oidc-provider a request it can read again — the same body, or, for a
   * verified federated assertion, the body with an assertion re-signed by the identity. A refused federated assertion
   * is answered here (invalid_client). Returns the request for oidc-provider, or undefined when answered.
   */
  prepare(req: IncomingMessage, res: ServerResponse): Promise<IncomingMessage | undefined>
  /** The federated credential a request (as handed to oidc-provider) signed in with, for the audit. */
  matchOf(req: unknown): FederationMatch | undefined
}

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly reason = description,
  ) {
    super(description)
  }
}

/** A body oidc-provider reads as it reads a request's own: a readable stream, with the request's headers and socket. */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const stream = Readable.from([body], {objectMode: false})
  const headers = {...req.headers, 'content-length': String(body.length)}
  delete headers['transfer-encoding']
  return Object.assign(stream, {
    headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    complete: true,
    aborted: false,
    trailers: {},
    rawTrailers: [],
  }) as unknown as IncomingMessage
}

/** Printable and short: a presented value echoed back in an error or the audit. */
const shown = (value: unknown) =>
  JSON.stringify(
    String(value)
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 200),
  )

export function createFederation(options: {
  issuer: string
  directory: Directory
  audit: AuditSink
  fetch: IssuerFetch
  clockToleranceSeconds: number
  log: (line: string) => void
}): Federation {
  const {directory} = options
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const publicJwk = {...(publicKey.export({format: 'jwk'}) as JsonWebKey), kid: FEDERATION_KID, use: 'sig', alg: 'ES256'}
  const matches = new WeakMap<object, FederationMatch>()
  const issuers = new Map<string, {at: number; jwks: Promise<ReturnType<typeof import('jose').createRemoteJWKSet>>}>()

  const keysOf = (issuer: string) => {
    const cached = issuers.get(issuer)
    if (cached && Date.now() - cached.at < METADATA_TTL_MS) return cached.jwks
    const jwks = (async () => {
      const jose = await import('jose')
      const res = await options.fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)
      if (!res.ok) throw new Error(`its discovery document answered ${res.status}`)
      const metadata = (await res.json()) as {issuer?: unknown; jwks_uri?: unknown}
      if (metadata.issuer !== issuer) throw new Error('its discovery document names another issuer')
      if (typeof metadata.jwks_uri !== 'string' || !metadata.jwks_uri.startsWith('https://')) throw new Error('its discovery document has no https jwks_uri')
      return jose.createRemoteJWKSet(new URL(metadata.jwks_uri), {[jose.customFetch]: (url: string) => options.fetch(url)})
    })()
    issuers.set(issuer, {at: Date.now(), jwks})
    jwks.catch(() => issuers.delete(issuer))
    return jwks
  }

  const verify = async (assertion: string, sp: ServicePrincipal, claims: {iss: string; sub?: string}): Promise<FederationMatch> => {
    const jose = await import('jose')
    const credentials: FederatedCredential[] = sp.federatedCredentials ?? []
    const ofIssuer = credentials.filter((c) => c.issuer === claims.iss)
    if (ofIssuer.length === 0)
      throw new Refused(401, 'invalid_client', `the issuer (iss) of the client assertion, ${shown(claims.iss)}, is not registered for this client`)
    let jwks
    try {
      jwks = await keysOf(claims.iss)
    } catch (err) {
      throw new Refused(
        401,
        'invalid_client',
        "the issuer's published keys could not be read, so the client assertion cannot be verified",
        `issuer keys: ${(err as Error).message}`,
      )
    }
    let payload: import('jose').JWTPayload
    try {
      ;({payload} = await jose.jwtVerify(assertion, jwks, {
        issuer: claims.iss,
        clockTolerance: options.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub', 'aud'],
      }))
    } catch (err) {
      if (err instanceof jose.errors.JWTExpired) throw new Refused(401, 'invalid_client', 'the client assertion has expired (exp)')
      if (err instanceof jose.errors.JWTClaimValidationFailed && err.claim === 'nbf')
        throw new Refused(401, 'invalid_client', 'the client assertion is not valid yet (nbf)')
      if (err instanceof jose.errors.JWTClaimValidationFailed)
        throw new Refused(401, 'invalid_client', `the client assertion's ${err.claim} claim is missing or invalid`)
      if (err instanceof jose.errors.JWKSTimeout || !(err instanceof jose.errors.JOSEError)) {
        throw new Refused(
          401,
          'invalid_client',
          "the issuer's published keys could not be read, so the client assertion cannot be verified",
          `issuer keys: ${(err as Error).message}`,
        )
      }
      throw new Refused(
        401,
        'invalid_client',
        "the client assertion's signature does not verify with its issuer's published keys",
        `signature: ${(err as Error).message}`,
      )
    }
    const ofSubject = ofIssuer.filter((c) => c.subject === payload.sub)
    if (ofSubject.length === 0) {
      throw new Refused(
        401,
        'invalid_client',
        `the subject (sub) of the client assertion, ${shown(payload.sub)}, matches no federated credential of this client for its issuer`,
      )
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
    const match = ofSubject.find((c) => c.audiences.some((a) => audiences.includes(a)))
    if (!match) {
      throw new Refused(
        401,
        'invalid_client',
        `the audience (aud) of the client assertion, ${shown(audiences.join(' '))}, matches no federated credential of this client for its issuer and subject`,
      )
    }
    return {credential: match.name, issuer: match.issuer, subject: match.subject}
  }

  /** What oidc-provider verifies instead: iss = sub = the client, signed by the identity's federation key. */
  const resign = async (clientId: string): Promise<string> => {
    const {SignJWT} = await import('jose')
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT({})
      .setProtectedHeader({alg: 'ES256', kid: FEDERATION_KID, typ: 'JWT'})
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(options.issuer)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey)
  }

  const audit = (req: IncomingMessage, sp: ServicePrincipal, reason: string, claims: {iss: string; sub?: string}) => {
    try {
      const ua = req.headers['user-agent']
      options.audit.record({
        tenantId: sp.tenantId,
        action: 'client.auth_failed',
        result: 'failed',
        actor: {type: 'servicePrincipal', id: sp.clientId, appId: sp.clientId},
        target: {type: 'client', id: sp.clientId},
        clientIp: req.socket.remoteAddress,
        userAgent: typeof ua === 'string' ? ua : undefined,
        details: {
          grantType: 'client_credentials',
          method: 'federated',
          reason,
          issuer: String(claims.iss).slice(0, 200),
          subject: String(claims.sub ?? '').slice(0, 200),
        },
      })
    } catch (err) {
      options.log(`identity: could not record audit event client.auth_failed: ${(err as Error).message}`)
    }
  }

  const answer = (res: ServerResponse, refused: Refused) =>
    sendJson(res, refused.status, {error: refused.error, error_description: refused.description}, {'cache-control': 'no-store', pragma: 'no-cache'})

  return {
    publicJwk,
    matchOf: (req) => (typeof req === 'object' && req !== null ? matches.get(req) : undefined),
    async prepare(req, res) {
      let body: Buffer
      try {
        body = await readBody(req, {types: ['application/x-www-form-urlencoded'], limit: TOKEN_BODY_LIMIT})
      } catch (err) {
        if (!(err instanceof BodyRejected)) throw err
        // As oidc-provider answers a body it cannot read: 400 invalid_request, the OAuth error format.
        sendJson(res, 400, {error: 'invalid_request', error_description: err.detail ?? err.message}, {'cache-control': 'no-store', ...err.headers})
        return undefined
      }
      const params = new URLSearchParams(body.toString('utf8'))
      const assertion = params.get('client_assertion')
      if (params.get('client_assertion_type') !== JWT_BEARER || !assertion) return replay(req, body)
      let claims: {iss?: unknown; sub?: unknown}
      try {
        claims = (await import('jose')).decodeJwt(assertion)
      } catch {
        return replay(req, body) // oidc-provider answers a malformed assertion itself
      }
      // A service principal's own assertion (its certificate's) has iss = sub = its client id; anything else is federated.
      if (typeof claims.iss !== 'string' || claims.iss === claims.sub) return replay(req, body)
      const presented = {iss: claims.iss, sub: typeof claims.sub === 'string' ? claims.sub : undefined}
      const clientId = params.get('client_id')
      if (!clientId) {
        answer(res, new Refused(400, 'invalid_request', 'a federated client assertion needs the client_id of the service principal'))
        return undefined
      }
      if (params.get('grant_type') !== 'client_credentials') {
        answer(res, new Refused(400, 'invalid_request', 'a federated client assertion is accepted with grant_type=client_credentials only'))
        return undefined
      }
      const sp = directory.findServicePrincipal(clientId)
      if (!sp) {
        answer(res, new Refused(401, 'invalid_client', 'client not found'))
        return undefined
      }
      let match: FederationMatch
      try {
        match = await verify(assertion, sp, presented)
      } catch (err) {
        if (!(err instanceof Refused)) throw err
        audit(req, sp, err.reason, presented)
        answer(res, err)
        return undefined
      }
      params.set('client_assertion', await resign(sp.clientId))
      const next = replay(req, Buffer.from(params.toString(), 'utf8'))
      matches.set(next, match)
      return next
    },
  }
}
