// The HTTP client: fetch over ppctl's undici dispatcher, with retries, timeouts, safe redirects, correlation ids, traces and typed errors.
import {randomUUID} from 'node:crypto'
import {performance} from 'node:perf_hooks'

import {systemClock} from '../clock.js'
import {UnreachableError, UsageError} from '../errors/index.js'
import {redactUrl} from '../output/redact.js'
import {createDispatcher, type CreatedDispatcher} from './dispatcher.js'
import {toNetworkError} from './network-error.js'
import {proxyFor} from './proxy-env.js'
import {authorize, isNonceChallenge, rememberNonce} from './authorize.js'
import {isRedirect, nextHop} from './redirect.js'
import {fetchWithRetry, type ThrottleGates} from './retry.js'
import {effectiveTimeouts} from './timeouts.js'
import {headersOf, webFetch} from './web-fetch.js'
import {failureLine, requestLine, responseLine, type TraceRequest} from './trace.js'
import type {Http, HttpOptions, HttpRequestInit} from './types.js'

export type {Http, HttpOptions} from './types.js'

/**
 * The HTTP stack of one command run. Requests go through `globalThis.fetch` with our undici dispatcher:
 * Node 20's fetch accepts an undici 7 Agent as `dispatcher` (custom CA and lookup included), and nock 14
 * intercepts globalThis.fetch, so tests can mock error paths; undici's own fetch would bypass nock. The fast path's
 * bundle uses the undici package's fetch instead (see web-fetch.ts).
 * Retries wrap the whole exchange (redirects included), so every caller — API calls and openid-client alike —
 * gets the same policy from one place.
 */
export function createHttp(options: HttpOptions): Http {
  const timeouts = effectiveTimeouts(options.env, options.timeouts)
  const main = createDispatcher({env: options.env, ca: options.ca, timeouts})
  let streaming: CreatedDispatcher | undefined
  const {debug, userAgent} = options
  const clock = options.clock ?? systemClock
  let closing: Promise<void> | undefined
  const gates: ThrottleGates = new Map()

  /** One request, one response: no redirect followed, no retry. */
  async function send(via: CreatedDispatcher, url: URL, init: HttpRequestInit): Promise<Response> {
    const {correlationId: givenCorrelationId, auth, ...rest} = init
    const headers = headersOf(rest.headers)
    // Each attempt and hop signs its own DPoP proof: a proof names one method and URL, and is used once.
    if (auth) await authorize(headers, auth, (rest.method ?? 'GET').toUpperCase(), url)
    if (!headers.has('user-agent')) headers.set('user-agent', userAgent)
    if (!headers.has('x-correlation-id')) headers.set('x-correlation-id', givenCorrelationId || randomUUID())
    const trace: TraceRequest = {
      method: (rest.method ?? 'GET').toUpperCase(),
      url,
      correlationId: headers.get('x-correlation-id') ?? '',
      headers,
      body: rest.body,
      proxy: proxyFor(url, via.proxy),
    }
    if (debug.enabled) debug.log(requestLine(trace))
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    try {
      // undici 7's Dispatcher type differs from the undici-types one Node's RequestInit names; the runtime contract is the same.
      const response = await webFetch(url, {...rest, headers, redirect: 'manual', dispatcher: via.dispatcher} as unknown as RequestInit)
      if (debug.enabled) debug.log(responseLine(trace, response, elapsed()))
      if (auth) rememberNonce(auth, url, response)
      return response
    } catch (err) {
      const mapped = toNetworkError(err, url, trace.proxy)
      if (debug.enabled) debug.log(failureLine(trace, (mapped ?? err) as {code?: string; message?: string}, elapsed()))
      throw mapped ?? err
    }
  }

  /** Follows redirects itself (see redirect.ts) unless the caller asked for 'manual' or 'error'. */
  async function exchange(via: CreatedDispatcher, input: string | URL, init: HttpRequestInit = {}): Promise<Response> {
    let url = new URL(String(input))
    // fetch would refuse it with the password in its message; say so without the secret.
    if (url.username || url.password) {
      throw new UsageError('URL_HAS_CREDENTIALS', `The URL ${redactUrl(url)} contains a user name or password; ppctl does not send credentials in URLs.`, {
        nextStep: 'Remove the user name and password from the URL.',
      })
    }
    const mode = init.redirect ?? 'follow'
    let current: HttpRequestInit = init
    for (let hop = 0; ; hop++) {
      let response = await send(via, url, current)
      // RFC 9449 §9: the server wants its nonce in the proof; the nonce came with the answer, so one more try.
      if (current.auth?.dpop && isNonceChallenge(response)) {
        await response.body?.cancel()
        if (debug.enabled) debug.log(`HTTP ↻ ${redactUrl(url)} asked for its nonce (DPoP-Nonce); sending again with it`)
        response = await send(via, url, current)
      }
      if (mode === 'manual' || !isRedirect(response)) return response
      if (mode === 'error') {
        await response.body?.cancel()
        throw new UnreachableError('REDIRECT_REFUSED', `${url.host} answered a redirect (HTTP ${response.status}) where none is allowed.`, {
          nextStep: 'Check the URL in the profile.',
        })
      }
      const next = nextHop(url, current, response, hop)
      if (!next) return response
      await response.body?.cancel()
      if (debug.enabled)
        debug.log(
          `HTTP ↪ ${response.status} ${redactUrl(url)} → ${redactUrl(next.url)}${next.crossOrigin ? ' (another origin: Authorization, DPoP and cookies not forwarded)' : ''}`,
        )
      url = next.url
      current = next.init
    }
  }

  return {
    dispatcher: main.dispatcher,
    fetch: (input, {retries, ...init}: HttpRequestInit = {}) =>
      retries === false
        ? exchange(main, input, init)
        : fetchWithRetry((i, n) => exchange(main, i, n), clock, input, init, {policy: options.retry, debug, gates}),
    stream: (input, {retries: _ignored, ...init}: HttpRequestInit = {}) =>
      exchange((streaming ??= createDispatcher({env: options.env, ca: options.ca, timeouts: {...timeouts, body: 0}})), input, init),
    close: () => (closing ??= Promise.all([main.dispatcher.close(), streaming?.dispatcher.close()]).then(() => undefined)),
  }
}
