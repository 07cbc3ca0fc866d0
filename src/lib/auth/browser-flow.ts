// Browser sign-in (RFC 8252): authorization code with PKCE S256, state and nonce, answered on a loopback redirect at 127.0.0.1.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {Configuration, DPoPOptions} from 'openid-client'

import type {Clock} from '../clock.js'
import {AuthRequiredError, CancelledError, InterruptedError, PpctlError} from '../errors/index.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import type {DeviceTokens} from './device-flow.js'
import {signInPolicyRefusal, toAuthError} from './oauth-error.js'

const CALLBACK_PATH = '/callback'

export interface BrowserSignInInfo {
  /** The authorization URL to open: on the authority's host, over https. */
  url: string
  host: string
  /** Where the browser comes back: http://127.0.0.1:<random port>/callback. */
  redirectUri: string
  timeoutSeconds: number
}

export interface BrowserSignInOptions {
  authority: string
  scope: string
  resource?: string
  clock: Clock
  timeoutMs: number
  /** Ctrl-C: the listener is closed and InterruptedError (exit 130) thrown. */
  signal?: AbortSignal
  /** Called once the address is known, to print it and open the browser. */
  onUrl: (info: BrowserSignInInfo) => void | Promise<void>
  /** DPoP: the code exchange carries a proof of the profile's key, so the tokens are bound to it. */
  dpop?: DPoPOptions
}

/** What came back on the loopback redirect with the right state, with its response held until the exchange is done. */
interface Callback {
  url: URL
  res: ServerResponse
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The page the browser shows at the end: what happened, and that the tab can be closed. */
function page(res: ServerResponse, status: number, name: string, title: string, message: string): void {
  const body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="ppctl-page" content="${name}"><title>${escapeHtml(title)} · ppctl</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;line-height:1.5}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p>You can close this tab and return to the terminal.</p></body></html>`
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, {...PAGE_HEADERS, 'content-length': Buffer.byteLength(body), connection: 'close'})
  res.end(body)
}

/** The authorization URL must be https on the authority's host: anything else could be a phishing page. */
function checkAuthorizationUrl(url: URL, authority: string): void {
  const expected = new URL(authority).hostname.toLowerCase()
  if (url.protocol !== 'https:' || url.hostname.toLowerCase() !== expected) {
    throw new PpctlError(
      'UNSAFE_VERIFICATION_URI',
      `The identity provider's authorization endpoint is not https on the authority's host ${expected} (${sanitizeOneLine(url.origin)}); ppctl will not open it.`,
      {nextStep: 'Check the authority of this profile (ppctl config get authority); it may not be the provider you expect.'},
    )
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function timedOut(seconds: number): AuthRequiredError {
  return new AuthRequiredError('BROWSER_SIGNIN_TIMEOUT', `The browser sign-in was not completed within ${seconds} s; nothing was stored.`, {
    nextStep: 'Run ppctl auth login --web again (with a longer --timeout if you need more time), or sign in with a code: ppctl auth login',
  })
}

function authorizationError(error: string, description: string | null): PpctlError {
  const detail = description ? `: ${sanitizeOneLine(description).slice(0, 200)}` : ''
  const refusal = error === 'access_denied' ? signInPolicyRefusal({error_description: description}) : undefined
  if (refusal) return refusal
  if (error === 'access_denied') {
    return new CancelledError('ACCESS_DENIED', `The sign-in was declined in the browser${detail}; nothing was stored.`, {
      nextStep: 'Start again with ppctl auth login --web and allow access, or ask your administrator for access.',
    })
  }
  return new PpctlError('IDENTITY_ERROR', `The identity provider ended the browser sign-in with ${sanitizeOneLine(error).slice(0, 64)}${detail}.`, {
    nextStep: 'Try again with ppctl auth login --web; if it persists, sign in with a code (ppctl auth login) or run with --debug.',
  })
}

export async function browserSignIn(config: Configuration, options: BrowserSignInOptions): Promise<DeviceTokens> {
  const client = await import('openid-client')
  if (options.signal?.aborted) throw interrupted()
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()

  let deliver!: (callback: Callback | PpctlError) => void
  const arrived = new Promise<Callback | PpctlError>((resolve) => (deliver = resolve))
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // The exchange sends this URL's origin and path as redirect_uri: it must carry the port, as registered for the request.
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    if (url.pathname !== CALLBACK_PATH) return page(res, 404, 'not-found', 'Not found', 'ppctl waits for the sign-in on another address.')
    if (req.method !== 'GET') return page(res, 405, 'not-allowed', 'Not allowed', 'The sign-in comes back with a GET request.')
    // Another tab, an old sign-in or another site: not this sign-in's answer, which is still awaited.
    if (url.searchParams.get('state') !== state) {
      return page(
        res,
        400,
        'wrong-state',
        'Not this sign-in',
        'This answer does not belong to the sign-in ppctl is waiting for. Use the address ppctl printed.',
      )
    }
    const error = url.searchParams.get('error')
    if (error) {
      const failure = authorizationError(error, url.searchParams.get('error_description'))
      page(
        res,
        200,
        'signin-error',
        error === 'access_denied' ? 'Sign-in declined' : 'Sign-in failed',
        error === 'access_denied' ? 'You declined the sign-in; ppctl stored nothing.' : `The identity provider answered ${error}.`,
      )
      return deliver(failure)
    }
    deliver({url, res})
  })
  server.keepAliveTimeout = 1000
  const port = await listen(server)
  const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`
  const stopWaiting = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, stopWaiting.signal]) : stopWaiting.signal
  try {
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: options.scope,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(options.resource ? {resource: options.resource} : {}),
    })
    checkAuthorizationUrl(authorizationUrl, options.authority)
    const timeoutSeconds = Math.round(options.timeoutMs / 1000)
    await options.onUrl({url: authorizationUrl.href, host: authorizationUrl.host, redirectUri, timeoutSeconds})

    const timeout = options.clock.sleep(options.timeoutMs, signal).then(
      () => timedOut(timeoutSeconds),
      () => interrupted(),
    )
    const outcome = await Promise.race([arrived, timeout])
    if (outcome instanceof Error) throw outcome
    try {
      const tokens = await client.authorizationCodeGrant(
        config,
        outcome.url,
        {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        },
        undefined,
        options.dpop,
      )
      page(outcome.res, 200, 'signed-in', 'Signed in', 'ppctl is signed in.')
      return tokens
    } catch (err) {
      page(outcome.res, 200, 'signin-error', 'Sign-in failed', 'ppctl could not complete the sign-in; the terminal says why.')
      throw toAuthError(err, 'Browser sign-in')
    }
  } finally {
    stopWaiting.abort()
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}

function interrupted(): InterruptedError {
  return new InterruptedError('INTERRUPTED', 'Interrupted; the browser sign-in was abandoned and nothing was stored.')
}
