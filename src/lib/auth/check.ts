// `auth status --check`: asks the platform whether the stored sign-in is still good, without using (or rotating) it.
import type {Context} from '../context.js'
import type {Profile} from '../config/store.js'
import type {StoredCredentials} from '../credentials/types.js'
import {ExitCode, PpctlError, UnreachableError, type ExitCodeValue} from '../errors/index.js'
import type {Http} from '../http/types.js'
import {redactText} from '../output/redact.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import {dpopKeyFrom} from './dpop.js'
import {issuerOfJwt} from './issuer-check.js'
import type {AccessToken} from './token-lifecycle.js'

/** How long a check may take before the platform is reported unreachable: a status must answer, not hang. */
const CHECK_TIMEOUT_MS = 5000

export type CheckState = 'ok' | 'signed-out' | 'revoked' | 'expired' | 'issuer-changed' | 'rejected' | 'unreachable'

export interface SignInCheck {
  /** ok: the identity provider and the platform accept the sign-in; anything else says why not. */
  state: CheckState
  /** When the check ran (ISO 8601). */
  checkedAt: string
  /** One line for people. */
  message: string
  /** The command to run, when something is to be done. */
  nextStep?: string
  /** The error code a command using this sign-in would fail with (SESSION_EXPIRED, TIMEOUT, …); absent when ok. */
  code?: string
  /** 0 ok, 4 sign in again, 8 the platform could not be asked. */
  exitCode: ExitCodeValue
  /** The tenant's name, as the global service gave it (null when the check did not get that far). */
  tenantName: string | null
}

const normalize = (url: string) => url.trim().replace(/\/+$/, '')

/** The command that fixes a sign-in, naming the profile unless it is the default one. */
export function loginCommand(profile: string): string {
  return `ppctl auth login${profile === 'default' ? '' : ` --profile ${profile}`}`
}

interface CheckInput {
  name: string
  profile: Profile
  creds: StoredCredentials | undefined
  timeoutMs?: number
}

/**
 * The identity provider's discovery (is it there, does it still issue as the tokens' issuer), its introspection of
 * the refresh token (revoked?), then the global service's /v1/me/home with the access token (does the gateway accept
 * it?). Read-only: nothing is refreshed, so stopping at the timeout can never lose a rotated refresh token.
 */
export async function checkSignIn(ctx: Context, input: CheckInput): Promise<SignInCheck> {
  const {name, profile, creds} = input
  const checkedAt = new Date(ctx.clock.now()).toISOString()
  const relogin = `Sign in again with: ${loginCommand(name)}`
  const result = (state: CheckState, message: string, extra: Partial<SignInCheck> = {}): SignInCheck => ({
    state,
    checkedAt,
    message,
    exitCode: state === 'ok' ? ExitCode.OK : state === 'unreachable' ? ExitCode.UNREACHABLE : ExitCode.AUTH_REQUIRED,
    tenantName: null,
    ...(state === 'ok' || state === 'unreachable' ? {} : {nextStep: relogin}),
    ...extra,
  })
  if (!profile.authMethod || !creds || !(creds.accessToken || creds.refreshToken))
    return result('signed-out', `Profile "${name}" is not signed in.`, {code: 'NOT_SIGNED_IN'})
  if (!profile.authority) return result('signed-out', `Profile "${name}" names no identity provider (authority).`, {code: 'NOT_SIGNED_IN'})

  const http = await ctx.http()
  const signal = AbortSignal.timeout(input.timeoutMs ?? CHECK_TIMEOUT_MS)
  const unreachable = (what: string, err: unknown) => {
    const e = err instanceof PpctlError ? err : undefined
    const why = e ? e.message : sanitizeOneLine(redactText(String((err as Error)?.message ?? err)))
    return result('unreachable', `Could not ask ${what} whether the sign-in is still good: ${why}`, {
      code: e?.code ?? 'UNREACHABLE',
      nextStep: `Try again when the platform answers: ppctl auth status --check${name === 'default' ? '' : ` --profile ${name}`}   (or see: ppctl route diagnose)`,
    })
  }

  const authority = normalize(profile.authority)
  let meta: {issuer?: unknown; introspection_endpoint?: unknown}
  try {
    const res = await http.fetch(`${authority}/.well-known/openid-configuration`, {signal, retries: false, headers: {accept: 'application/json'}})
    if (!res.ok) {
      await res.body?.cancel()
      return unreachable(`the identity provider (${authority})`, new Error(`it answered HTTP ${res.status}`))
    }
    meta = (await res.json()) as typeof meta
  } catch (err) {
    return unreachable(`the identity provider (${authority})`, err)
  }
  const was = issuerOfJwt(creds.idToken) ?? issuerOfJwt(creds.accessToken)
  const issuer = typeof meta.issuer === 'string' ? normalize(meta.issuer) : undefined
  if (was && issuer && normalize(was) !== issuer) {
    return result(
      'issuer-changed',
      `The platform's identity provider changed (was ${normalize(was)}, now ${issuer}): the sign-in of profile "${name}" is no longer accepted.`,
      {code: 'IDENTITY_PROVIDER_CHANGED'},
    )
  }

  const now = ctx.clock.now()
  const accessValid = Boolean(creds.accessToken) && typeof creds.accessTokenExpiresAt === 'number' && creds.accessTokenExpiresAt > now
  // The refresh token goes only to the authority's own origin, whatever the discovery document names.
  if (creds.refreshToken && sameOrigin(meta.introspection_endpoint, authority) && profile.clientId) {
    let active: boolean
    try {
      active = await introspect(http, meta.introspection_endpoint, creds.refreshToken, profile.clientId, signal)
    } catch (err) {
      return unreachable(`the identity provider (${authority})`, err)
    }
    if (!active) {
      // A refresh token outlives its access token: refused while the access token is still valid, it was revoked.
      return accessValid
        ? result('revoked', `The sign-in of profile "${name}" was revoked at the identity provider; commands fail once its access token lapses.`, {
            code: 'SESSION_EXPIRED',
          })
        : result('expired', `The sign-in of profile "${name}" has expired (or was revoked) at the identity provider.`, {code: 'SESSION_EXPIRED'})
    }
  }

  if (!accessValid) {
    if (creds.refreshToken || profile.authMethod === 'certificate' || profile.authMethod === 'federated')
      return result(
        'ok',
        `The access token has lapsed; the next command renews it${profile.authMethod === 'certificate' ? ' from the certificate' : profile.authMethod === 'federated' ? ' with a new federated token' : ''}.`,
      )
    return result('expired', `The sign-in of profile "${name}" has expired and cannot be renewed.`, {code: 'SESSION_EXPIRED'})
  }
  if (!profile.globalUrl) return result('ok', 'The identity provider accepts the sign-in.')

  const global = normalize(profile.globalUrl)
  try {
    const res = await http.fetch(`${global}/v1/me/home`, {
      signal,
      retries: false,
      headers: {accept: 'application/json'},
      // A DPoP-bound token is checked as it is used: with a proof of its key.
      auth: {token: creds.accessToken ?? '', dpop: creds.dpopKey ? (await dpopKeyFrom(creds.dpopKey)).prover : undefined},
    })
    const body = (await res.json().catch(() => ({}))) as {tenantName?: unknown; detail?: unknown; code?: unknown}
    if (res.status === 401) {
      const detail = typeof body.detail === 'string' ? `: ${sanitizeOneLine(redactText(body.detail)).slice(0, 200)}` : ''
      return result('rejected', `The platform refuses the access token of profile "${name}"${detail}.`, {
        code: typeof body.code === 'string' ? body.code : 'UNAUTHENTICATED',
      })
    }
    if (res.status >= 500) return unreachable(`the global service (${global})`, new Error(`it answered HTTP ${res.status}`))
    // 200, or a 403/404 about the route: either way the gateway accepted the token.
    const tenantName = res.ok && typeof body.tenantName === 'string' ? body.tenantName : null
    return result('ok', 'The identity provider and the platform accept the sign-in.', {tenantName})
  } catch (err) {
    return unreachable(`the global service (${global})`, err)
  }
}

function sameOrigin(endpoint: unknown, authority: string): endpoint is string {
  try {
    const url = new URL(String(endpoint))
    return typeof endpoint === 'string' && url.protocol === 'https:' && url.origin === new URL(authority).origin
  } catch {
    return false
  }
}

/**
 * CI mode: nothing is stored, so the check is the sign-in itself (a certificate grant, kept in memory) and the global
 * service's /v1/me/home with its token. A grant that outlives the timeout is abandoned: it persists nothing.
 */
export async function checkEnvironment(ctx: Context, input: {globalUrl?: string; timeoutMs?: number}): Promise<SignInCheck> {
  const checkedAt = new Date(ctx.clock.now()).toISOString()
  const timeoutMs = input.timeoutMs ?? CHECK_TIMEOUT_MS
  const base = {checkedAt, tenantName: null}
  const signal = AbortSignal.timeout(timeoutMs)
  const timedOut = new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(new UnreachableError('TIMEOUT', `no answer within ${timeoutMs / 1000} s`)), {once: true}),
  )
  const next = 'Check PPCTL_CLIENT_ID, PPCTL_TENANT_ID and the certificate or federated token variables; compare them with: ppctl auth doctor'
  let token: AccessToken
  try {
    token = await Promise.race([ctx.tokens().get(), timedOut])
  } catch (err) {
    const e = err instanceof PpctlError ? err : undefined
    const message = `The sign-in from the CI variables failed: ${e ? e.message : 'unexpected error'}`
    if (e?.exitCode === ExitCode.UNREACHABLE) return {...base, state: 'unreachable', message, code: e.code, exitCode: ExitCode.UNREACHABLE, nextStep: next}
    // A refused sign-in exits 4; a local problem (a certificate file that cannot be read) keeps its own exit code.
    return {...base, state: 'rejected', message, code: e?.code ?? 'UNEXPECTED', exitCode: e?.exitCode ?? ExitCode.ERROR, nextStep: e?.nextStep ?? next}
  }
  if (!input.globalUrl) return {...base, state: 'ok', message: 'The identity provider issued a token for the CI variables.', exitCode: ExitCode.OK}
  const global = normalize(input.globalUrl)
  try {
    const res = await (await ctx.http()).fetch(`${global}/v1/me/home`, {signal, retries: false, auth: token, headers: {accept: 'application/json'}})
    const body = (await res.json().catch(() => ({}))) as {tenantName?: unknown; code?: unknown}
    if (res.status === 401)
      return {
        ...base,
        state: 'rejected',
        message: 'The platform refuses the token of the CI sign-in.',
        code: typeof body.code === 'string' ? body.code : 'UNAUTHENTICATED',
        exitCode: ExitCode.AUTH_REQUIRED,
        nextStep: next,
      }
    if (res.status >= 500) throw new Error(`it answered HTTP ${res.status}`)
    return {
      ...base,
      state: 'ok',
      message: 'The identity provider and the platform accept the CI sign-in.',
      exitCode: ExitCode.OK,
      tenantName: res.ok && typeof body.tenantName === 'string' ? body.tenantName : null,
    }
  } catch (err) {
    const e = err instanceof PpctlError ? err : undefined
    return {
      ...base,
      state: 'unreachable',
      message: `Could not ask the global service (${global}) whether the sign-in is good: ${e ? e.message : sanitizeOneLine(String((err as Error)?.message ?? err))}`,
      code: e?.code ?? 'UNREACHABLE',
      exitCode: ExitCode.UNREACHABLE,
      nextStep: 'Try again when the platform answers (or see: ppctl route diagnose)',
    }
  }
}

/** RFC 7662 introspection of the refresh token, as the public client it was issued to: is it still active? */
async function introspect(http: Http, endpoint: string, token: string, clientId: string, signal: AbortSignal): Promise<boolean> {
  const res = await http.fetch(endpoint, {
    method: 'POST',
    signal,
    retries: false,
    headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json'},
    body: new URLSearchParams({token, token_type_hint: 'refresh_token', client_id: clientId}).toString(),
  })
  if (!res.ok) {
    await res.body?.cancel()
    throw new Error(`its introspection endpoint answered HTTP ${res.status}`)
  }
  const body = (await res.json()) as {active?: unknown}
  return body.active === true
}
