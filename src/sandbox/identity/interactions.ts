// The interaction pages under /interaction/:uid: sign-in (UPN + password) and consent, with a CSRF token per interaction.
import {createHmac, timingSafeEqual} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {InteractionDetails, Provider} from 'oidc-provider'

import {BodyRejected, readBody} from '../body.js'
import type {Directory, DirectoryUser} from '../directory.js'
import type {IdentityAudit} from './audit.js'
import {PAGE_HEADERS} from './html.js'
import {consentPage, errorPage, signInPage} from './pages.js'

export type SignInPolicyCheck = (
  user: DirectoryUser,
  req: IncomingMessage,
  flow: 'device_code' | 'authorization_code',
) => {rule: string; description: string} | undefined

export const INTERACTION_PREFIX = '/interaction/'
/** A sign-in form is a few short fields. */
export const MAX_FORM_BYTES = 16 * 1024
const UID = /^[A-Za-z0-9_-]{1,64}$/

export interface InteractionOptions {
  provider: Provider
  directory: Directory
  audit: IdentityAudit
  /** Signs the CSRF tokens (a cookie key of the identity). */
  csrfSecret: string
  /** The tenant's sign-in policy: a refusal (rule and OAuth error_description) for this user, address and flow. */
  signInPolicy?: SignInPolicyCheck
  log: (line: string) => void
}

class FormError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export function sendPage(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {...PAGE_HEADERS, 'content-length': Buffer.byteLength(body), ...headers})
  res.end(body)
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  try {
    return new URLSearchParams((await readBody(req, {types: ['application/x-www-form-urlencoded'], limit: MAX_FORM_BYTES})).toString('utf8'))
  } catch (err) {
    if (!(err instanceof BodyRejected)) throw err
    const code = err.status === 413 ? 'form_too_large' : err.status === 415 ? 'unsupported_media_type' : 'invalid_form'
    const message =
      err.status === 413
        ? 'The form is too large.'
        : err.status === 415
          ? 'The form must be sent as application/x-www-form-urlencoded.'
          : 'The form was not sent completely.'
    throw new FormError(err.status, code, message, err.headers)
  }
}

/**
 * A browser sign-in ends with the form's redirects reaching the client's loopback redirect (RFC 8252), which the
 * browser checks against the page's `form-action`: that one origin (already validated by the provider) is allowed too.
 */
function loopbackFormAction(details: InteractionDetails): Record<string, string> {
  const redirect = typeof details.params.redirect_uri === 'string' ? URL.parse(details.params.redirect_uri) : null
  if (!redirect || redirect.protocol !== 'http:' || redirect.hostname !== '127.0.0.1') return {}
  return {'content-security-policy': PAGE_HEADERS['content-security-policy'].replace("form-action 'self'", `form-action 'self' ${redirect.origin}`)}
}

export function createInteractionHandler(options: InteractionOptions) {
  const {provider, directory, audit} = options

  const csrfFor = (uid: string) => createHmac('sha256', options.csrfSecret).update(`interaction-csrf:${uid}`).digest('base64url')
  const checkCsrf = (uid: string, value: string | null) => {
    const expected = Buffer.from(csrfFor(uid))
    const actual = Buffer.from(value ?? '')
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new FormError(403, 'csrf_failed', 'The form has expired or did not come from this page. Go back, reload it and try again.')
    }
  }

  const clientNameOf = async (details: InteractionDetails) => {
    const clientId = String(details.params.client_id ?? '')
    const client = await provider.Client.find(clientId)
    return client?.clientName ?? clientId
  }

  const requestedScopes = (details: InteractionDetails): string[] => {
    const scopes = new Set(
      String(details.params.scope ?? '')
        .split(' ')
        .filter(Boolean),
    )
    return [...scopes]
  }

  async function showPrompt(res: ServerResponse, details: InteractionDetails, extra: {upn?: string; failed?: boolean} = {}) {
    const base = `${INTERACTION_PREFIX}${details.uid}`
    const clientName = await clientNameOf(details)
    const headers = loopbackFormAction(details)
    if (details.prompt.name === 'login') {
      sendPage(res, 200, signInPage({action: `${base}/login`, csrf: csrfFor(details.uid), clientName, upn: extra.upn, failed: extra.failed}), headers)
      return
    }
    if (details.prompt.name === 'consent') {
      const user = details.session?.accountId ? directory.findUser(details.session.accountId) : undefined
      sendPage(
        res,
        200,
        consentPage({
          action: `${base}/confirm`,
          abortAction: `${base}/abort`,
          csrf: csrfFor(details.uid),
          clientName,
          upn: user?.upn ?? 'you',
          scopes: requestedScopes(details),
        }),
        headers,
      )
      return
    }
    throw new FormError(400, 'unknown_prompt', 'This sign-in step is not supported.')
  }

  async function login(req: IncomingMessage, res: ServerResponse, details: InteractionDetails, form: URLSearchParams) {
    if (details.prompt.name !== 'login') throw new FormError(400, 'wrong_step', 'This sign-in step is already complete.')
    const upn = (form.get('upn') ?? '').trim()
    const password = form.get('password') ?? ''
    const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : undefined
    const authenticated = upn && password ? directory.authenticate(upn, password) : undefined
    // The password was right: the tenant's sign-in policy may still refuse this flow or this address.
    const refusal = authenticated ? options.signInPolicy?.(authenticated, req, details.deviceCode ? 'device_code' : 'authorization_code') : undefined
    audit.signIn(req, {
      upn,
      user: authenticated ?? directory.findUserByUpn(upn),
      ok: Boolean(authenticated) && !refusal,
      clientId,
      ...(refusal ? {refusal} : {}),
    })
    if (!authenticated) {
      await showPrompt(res, details, {upn, failed: true})
      return
    }
    if (refusal) {
      // The flow's own error: the device's token request (or the browser's redirect) gets access_denied with the reason.
      await provider.interactionFinished(req, res, {error: 'access_denied', error_description: refusal.description}, {mergeWithLastSubmission: false})
      return
    }
    await provider.interactionFinished(req, res, {login: {accountId: authenticated.oid, amr: ['pwd']}}, {mergeWithLastSubmission: false})
  }

  async function confirm(req: IncomingMessage, res: ServerResponse, details: InteractionDetails) {
    if (details.prompt.name !== 'consent') throw new FormError(400, 'wrong_step', 'This sign-in step is already complete.')
    const accountId = details.session?.accountId
    const clientId = String(details.params.client_id ?? '')
    if (!accountId) throw new FormError(400, 'no_session', 'Sign in first.')
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({accountId, clientId})
    const missing = details.prompt.details as {missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]>}
    if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims)
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '))
    const grantId = await grant.save()
    await provider.interactionFinished(req, res, {consent: {grantId}}, {mergeWithLastSubmission: true})
  }

  async function abort(req: IncomingMessage, res: ServerResponse) {
    await provider.interactionFinished(req, res, {error: 'access_denied', error_description: 'The user denied the request.'}, {mergeWithLastSubmission: false})
  }

  return async function handleInteraction(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      const [uid, action, ...rest] = path.slice(INTERACTION_PREFIX.length).split('/')
      if (!uid || !UID.test(uid) || rest.length > 0) throw new FormError(404, 'not_found', 'There is no such page.')
      const method = req.method ?? 'GET'
      let details: InteractionDetails
      try {
        details = await provider.interactionDetails(req, res)
      } catch {
        throw new FormError(400, 'interaction_expired', 'This sign-in request has expired or is not known. Start the sign-in on your device again.')
      }
      if (details.uid !== uid)
        throw new FormError(400, 'interaction_expired', 'This sign-in request has expired or is not known. Start the sign-in on your device again.')

      if (action === undefined && (method === 'GET' || method === 'HEAD')) {
        await showPrompt(res, details)
        return
      }
      if (method !== 'POST' || !['login', 'confirm', 'abort'].includes(action ?? '')) {
        throw new FormError(405, 'method_not_allowed', 'This page does not accept that request.')
      }
      const form = await readForm(req)
      checkCsrf(uid, form.get('csrf'))
      if (action === 'login') await login(req, res, details, form)
      else if (action === 'confirm') await confirm(req, res, details)
      else await abort(req, res)
    } catch (err) {
      if (res.headersSent) {
        res.destroy()
        return
      }
      if (err instanceof FormError) {
        sendPage(res, err.status, errorPage({code: err.code, message: err.message}), err.headers)
        return
      }
      options.log(`identity: interaction error: ${(err as Error).message}`)
      sendPage(res, 500, errorPage({code: 'server_error', message: 'Something went wrong on the identity provider.'}))
    }
  }
}
