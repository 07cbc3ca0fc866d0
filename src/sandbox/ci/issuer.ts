// The local platform's CI token issuer: plays GitHub Actions' (and Azure DevOps') OIDC token service, for federation tests.
import {createHash, generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual, type JsonWebKey} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {join} from 'node:path'

import {writeFileSyncAtomic} from '../fs-util.js'
import {sendJson} from '../http-util.js'

/** GitHub's tokens live 5 minutes (and up to 10 with skew); the same here by default. */
const CI_TOKEN_LIFETIME_SECONDS = 300
/** The audience a runner asks for when the job names none (GitHub uses the owner's URL; ppctl always names one). */
const DEFAULT_CI_AUDIENCE = 'api://ppctl'
/** How long a job's request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN) works: a job's length. */
const JOB_LIFETIME_MS = 6 * 60 * 60 * 1000

export interface MintRequest {
  subject: string
  audience: string
  /** Seconds from now; negative for a token that has already expired. */
  lifetimeSeconds?: number
}

export interface MintedToken {
  token: string
  issuer: string
  subject: string
  audience: string
  expiresAt: string
}

export interface CiJob {
  issuer: string
  subject: string
  /** What a GitHub runner has in ACTIONS_ID_TOKEN_REQUEST_URL (the client appends `&audience=`). */
  requestUrl: string
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN (GitHub) or SYSTEM_ACCESSTOKEN (Azure DevOps): a secret of the job. */
  requestToken: string
  /** SYSTEM_OIDCREQUESTURI for the Azure DevOps form of the same request. */
  azureDevOpsRequestUri: string
  expiresAt: string
}

export interface CiIssuer {
  issuer: string
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>
  mint(request: MintRequest): Promise<MintedToken>
  startJob(subject: string): CiJob
}

interface StoredKey {
  privateJwk: JsonWebKey & {kid: string}
}

function loadKey(dataDir: string): StoredKey {
  const file = join(dataDir, 'ci-issuer', 'signing-key.json')
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as StoredKey
    if (parsed?.privateJwk?.kty === 'RSA' && typeof parsed.privateJwk.kid === 'string') return parsed
    throw new Error(`${file} is not valid; remove it to have a new key made at the next start`)
  }
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const jwk = privateKey.export({format: 'jwk'}) as JsonWebKey
  const kid = createHash('sha256')
    .update(JSON.stringify({e: jwk.e, kty: jwk.kty, n: jwk.n}))
    .digest('base64url')
  const stored: StoredKey = {privateJwk: {...jwk, kid}}
  writeFileSyncAtomic(file, JSON.stringify(stored) + '\n', 0o600)
  return stored
}

/** "repo:contoso/app:ref:refs/heads/main" → the GitHub-style claims a workflow's token carries besides sub. */
function githubClaims(subject: string): Record<string, string> {
  const match = /^repo:([^:]+\/[^:]+):(.*)$/.exec(subject)
  if (!match) return {}
  const [, repository, rest] = match
  const claims: Record<string, string> = {repository, repository_owner: repository.split('/')[0]}
  if (rest.startsWith('ref:')) claims.ref = rest.slice(4)
  else if (rest.startsWith('environment:')) claims.environment = rest.slice(12)
  else if (rest === 'pull_request') claims.event_name = 'pull_request'
  return claims
}

const hashOf = (token: string) => createHash('sha256').update(token).digest()

export function createCiIssuer(options: {issuer: string; dataDir: string; now?: () => number}): CiIssuer {
  const now = options.now ?? Date.now
  const {issuer} = options
  const key = loadKey(options.dataDir)
  const {d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk} = key.privateJwk
  const jwks = {keys: [{...publicJwk, use: 'sig', alg: 'RS256'}]}
  const jobs = new Map<string, {hash: Buffer; subject: string; expiresAt: number}>()

  const mint = async (request: MintRequest): Promise<MintedToken> => {
    const {importJWK, SignJWT} = await import('jose')
    const signingKey = await importJWK(key.privateJwk, 'RS256')
    const iat = Math.floor(now() / 1000)
    const lifetime = request.lifetimeSeconds ?? CI_TOKEN_LIFETIME_SECONDS
    // An expired token was also issued in the past, so that nbf and iat stay before exp.
    const issuedAt = lifetime < 0 ? iat + lifetime - CI_TOKEN_LIFETIME_SECONDS : iat
    const exp = iat + lifetime
    const token = await new SignJWT({...githubClaims(request.subject)})
      .setProtectedHeader({alg: 'RS256', kid: key.privateJwk.kid, typ: 'JWT'})
      .setIssuer(issuer)
      .setSubject(request.subject)
      .setAudience(request.audience)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(exp)
      .sign(signingKey)
    return {token, issuer, subject: request.subject, audience: request.audience, expiresAt: new Date(exp * 1000).toISOString()}
  }

  const jobOf = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? ''
    const match = /^bearer\s+(\S+)$/i.exec(header)
    if (!match) return undefined
    const presented = hashOf(match[1])
    for (const [id, job] of jobs) {
      if (job.expiresAt <= now()) {
        jobs.delete(id)
        continue
      }
      if (timingSafeEqual(job.hash, presented)) return job
    }
    return undefined
  }

  const refuse = (res: ServerResponse, status: number, message: string) => sendJson(res, status, {message}, {'cache-control': 'no-store'})

  return {
    issuer,
    mint,
    startJob(subject) {
      const requestToken = randomBytes(32).toString('base64url')
      const expiresAt = now() + JOB_LIFETIME_MS
      jobs.set(randomUUID(), {hash: hashOf(requestToken), subject, expiresAt})
      return {
        issuer,
        subject,
        requestUrl: `${issuer}/idtoken?api-version=2.0`,
        requestToken,
        azureDevOpsRequestUri: `${issuer}/oidctoken?api-version=7.1`,
        expiresAt: new Date(expiresAt).toISOString(),
      }
    },
    async handler(req, res) {
      const url = new URL(req.url ?? '/', issuer)
      const path = url.pathname
      if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
        return sendJson(res, 200, {
          issuer,
          jwks_uri: `${issuer}/.well-known/jwks`,
          subject_types_supported: ['public', 'pairwise'],
          response_types_supported: ['id_token'],
          id_token_signing_alg_values_supported: ['RS256'],
          claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'repository', 'repository_owner', 'ref', 'environment'],
          scopes_supported: ['openid'],
        })
      }
      if (req.method === 'GET' && path === '/.well-known/jwks') return sendJson(res, 200, jwks)
      // GitHub's form: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… → {"value": jwt}; Azure DevOps': POST → {"oidcToken": jwt}.
      const github = req.method === 'GET' && path === '/idtoken'
      const azureDevOps = req.method === 'POST' && path === '/oidctoken'
      if (github || azureDevOps) {
        req.resume()
        const job = jobOf(req)
        if (!job) return refuse(res, 401, 'The request token is missing, unknown or expired.')
        const audience = url.searchParams.get('audience') || DEFAULT_CI_AUDIENCE
        if (audience.length > 256) return refuse(res, 400, 'The audience is too long (256 characters at most).')
        const minted = await mint({subject: job.subject, audience})
        return sendJson(res, 200, github ? {value: minted.token, count: 1} : {oidcToken: minted.token}, {'cache-control': 'no-store'})
      }
      req.resume()
      return refuse(
        res,
        404,
        `No ${req.method} ${path} here: the CI token issuer serves /.well-known/openid-configuration, /.well-known/jwks, /idtoken and /oidctoken.`,
      )
    },
  }
}
