// Federated tokens (workload identity federation): a CI system's OIDC token, read from a file or asked of the CI system
// at each use — never written anywhere, never printed, never in argv.
import {readFile} from 'node:fs/promises'

import type {ClientAuth, TokenEndpointResponse} from 'openid-client'

import type {Context} from '../context.js'
import {AuthRequiredError, UsageError} from '../errors/index.js'
import type {Http} from '../http/types.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import {discover} from './discovery.js'
import {tokenEndpointDpop, type DpopKey} from './dpop.js'
import {oauthErrorCode, toAuthError} from './oauth-error.js'

export const FEDERATED_PROVIDERS = ['github', 'gitlab', 'azure-devops', 'file', 'auto'] as const
export type FederatedProviderName = (typeof FEDERATED_PROVIDERS)[number]
export type FederatedSourceKind = Exclude<FederatedProviderName, 'auto'>

/** The audience ppctl asks a CI system for (and a federated credential should expect) unless told otherwise. */
const DEFAULT_FEDERATED_AUDIENCE = 'api://ppctl'
/** GitLab: the variable a job's `id_tokens:` entry names (GitLab lets the pipeline choose it). */
const GITLAB_TOKEN_VARIABLE = 'PPCTL_ID_TOKEN'
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface FederatedSource {
  kind: FederatedSourceKind
  /** kind "file": the token file (re-read at every use). */
  file?: string
  /** The audience asked of GitHub or Azure DevOps. */
  audience: string
}

export interface FederatedSourceOptions {
  provider?: FederatedProviderName
  file?: string
  audience?: string
}

const has = (env: NodeJS.ProcessEnv, ...names: string[]) => names.every((n) => Boolean(env[n]))
const isCi = (env: NodeJS.ProcessEnv) => Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0'

/** What each provider needs in the environment, for the error when it is missing. */
const NEEDS: Record<Exclude<FederatedSourceKind, 'file'>, string> = {
  github: 'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (a job with `permissions: id-token: write`)',
  gitlab: `${GITLAB_TOKEN_VARIABLE} (an \`id_tokens:\` entry of the job)`,
  'azure-devops': 'SYSTEM_OIDCREQUESTURI and SYSTEM_ACCESSTOKEN (a task with the service connection, or `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`)',
}

function available(env: NodeJS.ProcessEnv, kind: Exclude<FederatedSourceKind, 'file'>): boolean {
  if (kind === 'github') return has(env, 'ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN')
  if (kind === 'azure-devops') return has(env, 'SYSTEM_OIDCREQUESTURI', 'SYSTEM_ACCESSTOKEN')
  return has(env, GITLAB_TOKEN_VARIABLE)
}

/**
 * Where the federated token comes from: a file (--federated-token-file, PPCTL_FEDERATED_TOKEN_FILE), or the CI system
 * named by --federated-provider / PPCTL_FEDERATED_PROVIDER, or — `auto`, the default in CI — the first whose variables
 * are set (file, GitHub, Azure DevOps, GitLab). Undefined when none applies.
 */
export function federatedSource(env: NodeJS.ProcessEnv, options: FederatedSourceOptions = {}): FederatedSource | undefined {
  const audience = options.audience || env.PPCTL_FEDERATED_AUDIENCE || DEFAULT_FEDERATED_AUDIENCE
  const file = options.file || env.PPCTL_FEDERATED_TOKEN_FILE || undefined
  const named = options.provider ?? (env.PPCTL_FEDERATED_PROVIDER as FederatedProviderName | undefined)
  if (named !== undefined && !FEDERATED_PROVIDERS.includes(named)) {
    throw new UsageError('INVALID_ENVIRONMENT', `PPCTL_FEDERATED_PROVIDER is "${sanitizeOneLine(String(named)).slice(0, 40)}".`, {
      nextStep: `Use one of ${FEDERATED_PROVIDERS.join(', ')}.`,
    })
  }
  const provider = named ?? (file || isCi(env) ? 'auto' : undefined)
  if (provider === undefined) return undefined
  if (provider === 'file' || (provider === 'auto' && file)) {
    if (!file) {
      throw new UsageError('FEDERATED_PROVIDER_UNAVAILABLE', '--federated-provider file needs the token file.', {
        nextStep: 'Pass --federated-token-file FILE or set PPCTL_FEDERATED_TOKEN_FILE.',
      })
    }
    return {kind: 'file', file, audience}
  }
  if (provider === 'auto') {
    const found = (['github', 'azure-devops', 'gitlab'] as const).find((kind) => available(env, kind))
    return found ? {kind: found, audience} : undefined
  }
  if (!available(env, provider)) {
    throw new UsageError('FEDERATED_PROVIDER_UNAVAILABLE', `--federated-provider ${provider} needs ${NEEDS[provider]}, and they are not set.`, {
      nextStep: 'Run in that CI system with the job allowed to ask for OIDC tokens, or pass --federated-token-file FILE.',
    })
  }
  return {kind: provider, audience}
}

/** Where a source's token comes from, for people (never the token). */
export function describeSource(source: FederatedSource): string {
  if (source.kind === 'file') return `the file ${source.file}`
  if (source.kind === 'github') return "GitHub Actions' token service (ACTIONS_ID_TOKEN_REQUEST_URL)"
  if (source.kind === 'azure-devops') return "Azure DevOps' token service (SYSTEM_OIDCREQUESTURI)"
  return `GitLab's ${GITLAB_TOKEN_VARIABLE} variable`
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

function checkShape(token: string, source: FederatedSource): string {
  if (!JWT_SHAPE.test(token)) {
    throw new UsageError('FEDERATED_TOKEN_INVALID', `The federated token from ${describeSource(source)} is not a JWT.`, {
      nextStep: 'Give the OIDC token itself (three base64url parts separated by dots), not a JSON answer or a file of several lines.',
    })
  }
  return token
}

async function requestToken(
  http: Http,
  source: FederatedSource,
  url: string,
  requestToken: string,
  method: 'GET' | 'POST',
  field: 'value' | 'oidcToken',
): Promise<string> {
  const res = await http.fetch(url, {method, auth: {token: requestToken}, headers: {accept: 'application/json'}, ...(method === 'POST' ? {body: ''} : {})})
  if (!res.ok) {
    await res.body?.cancel()
    throw new AuthRequiredError('FEDERATED_TOKEN_REQUEST_FAILED', `${describeSource(source)} answered HTTP ${res.status} to the token request.`, {
      nextStep:
        source.kind === 'github'
          ? 'Give the job `permissions: id-token: write`; the request token lasts only as long as the job.'
          : 'Check that the pipeline may use the service connection and that SYSTEM_ACCESSTOKEN is passed to the step.',
    })
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>
  const token = body[field]
  if (typeof token !== 'string' || token === '') {
    throw new AuthRequiredError('FEDERATED_TOKEN_REQUEST_FAILED', `${describeSource(source)} answered without a token ("${field}").`, {
      nextStep: 'Run again with --debug to see the conversation (tokens are redacted).',
    })
  }
  return token
}

/** The federated token, read or asked for now (they expire in minutes): kept only by the caller, in memory. */
export async function readFederatedToken(ctx: Context, source: FederatedSource, http?: Http): Promise<string> {
  const env = ctx.env
  if (source.kind === 'file') {
    let text: string
    try {
      text = await readFile(source.file ?? '', 'utf8')
    } catch (err) {
      throw new UsageError(
        'FEDERATED_TOKEN_UNREADABLE',
        `The federated token file ${source.file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
        {
          nextStep: 'Check the path (PPCTL_FEDERATED_TOKEN_FILE or --federated-token-file) and that the step wrote the token there.',
        },
      )
    }
    const token = text.trim()
    if (!token) {
      throw new UsageError('FEDERATED_TOKEN_UNREADABLE', `The federated token file ${source.file} is empty.`, {
        nextStep: "Write the CI system's OIDC token into it before running ppctl.",
      })
    }
    return checkShape(token, source)
  }
  if (source.kind === 'gitlab') return checkShape((env[GITLAB_TOKEN_VARIABLE] ?? '').trim(), source)
  const client = http ?? (await ctx.http())
  if (source.kind === 'github') {
    const base = env.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''
    const url = `${base}${base.includes('?') ? '&' : '?'}audience=${encodeURIComponent(source.audience)}`
    return checkShape(await requestToken(client, source, url, env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? '', 'GET', 'value'), source)
  }
  const base = env.SYSTEM_OIDCREQUESTURI ?? ''
  const connection = env.PPCTL_SERVICE_CONNECTION_ID || env.AZURESUBSCRIPTION_SERVICE_CONNECTION_ID
  const query = [
    `api-version=7.1`,
    ...(connection ? [`serviceConnectionId=${encodeURIComponent(connection)}`] : []),
    `audience=${encodeURIComponent(source.audience)}`,
  ]
  const url = `${base}${base.includes('?') ? '&' : '?'}${query.filter((q) => !base.includes(q.split('=')[0] + '=')).join('&')}`
  return checkShape(await requestToken(client, source, url, env.SYSTEM_ACCESSTOKEN ?? '', 'POST', 'oidcToken'), source)
}

/** The claims auth doctor compares (decoded, not verified: the identity provider verifies). */
export interface FederatedClaims {
  iss?: string
  sub?: string
  aud: string[]
  /** Epoch seconds. */
  exp?: number
  nbf?: number
}

export async function decodeFederatedToken(token: string): Promise<FederatedClaims> {
  const {decodeJwt} = await import('jose')
  const claims = decodeJwt(token)
  return {
    iss: typeof claims.iss === 'string' ? claims.iss : undefined,
    sub: typeof claims.sub === 'string' ? claims.sub : undefined,
    aud: Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [],
    exp: typeof claims.exp === 'number' ? claims.exp : undefined,
    nbf: typeof claims.nbf === 'number' ? claims.nbf : undefined,
  }
}

export interface FederatedGrantOptions {
  authority: string
  clientId: string
  source: FederatedSource
  resource?: string
  http?: Http
  dpop?: DpopKey
}

/** Client credentials with the federated token as the client assertion (RFC 7523), read or asked for now. */
export async function federatedGrant(ctx: Context, options: FederatedGrantOptions): Promise<TokenEndpointResponse> {
  const client = await import('openid-client')
  const assertion = await readFederatedToken(ctx, options.source, options.http)
  const claims = await decodeFederatedToken(assertion)
  if (claims.exp !== undefined && claims.exp * 1000 <= ctx.clock.now()) {
    throw new AuthRequiredError(
      'FEDERATED_TOKEN_EXPIRED',
      `The federated token from ${describeSource(options.source)} expired at ${new Date(claims.exp * 1000).toISOString()}.`,
      {
        nextStep:
          options.source.kind === 'file'
            ? 'Write a fresh token into the file (they last minutes); see what it holds: ppctl auth doctor'
            : 'Run the step again; see what the token holds: ppctl auth doctor',
      },
    )
  }
  const auth: ClientAuth = (_as, c, body) => {
    body.set('client_id', c.client_id)
    body.set('client_assertion_type', CLIENT_ASSERTION_TYPE)
    body.set('client_assertion', assertion)
  }
  const config = await discover(ctx, {authority: options.authority, clientId: options.clientId, clientAuth: auth, http: options.http})
  try {
    const dpop = options.dpop ? await tokenEndpointDpop(config, options.dpop) : undefined
    return await client.clientCredentialsGrant(config, options.resource ? {resource: options.resource} : {}, dpop)
  } catch (err) {
    if (oauthErrorCode(err) === 'invalid_client') {
      const text = (err as {error_description?: unknown}).error_description
      const detail = typeof text === 'string' && text ? sanitizeOneLine(text).slice(0, 300) : 'invalid_client'
      throw new AuthRequiredError('FEDERATION_REFUSED', `Federated sign-in as ${options.clientId} failed: ${detail}.`, {
        nextStep: 'Compare the token with the federated credentials: ppctl auth doctor',
      })
    }
    throw toAuthError(err, `Federated sign-in as ${options.clientId}`)
  }
}
