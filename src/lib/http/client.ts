// The HTTP client: fetch over ppctl's undici dispatcher, with user-agent, correlation id, --debug traces and typed network errors.
import {randomUUID} from 'node:crypto'
import {performance} from 'node:perf_hooks'

import {UsageError} from '../errors/index.js'
import {redactUrl} from '../output/redact.js'
import {createDispatcher} from './dispatcher.js'
import {toNetworkError} from './network-error.js'
import {proxyFor} from './proxy-env.js'
import {failureLine, requestLine, responseLine, type TraceRequest} from './trace.js'
import type {Http, HttpOptions, HttpRequestInit} from './types.js'

export type {Http, HttpOptions, HttpRequestInit} from './types.js'

/**
 * The HTTP stack of one command run. Requests go through `globalThis.fetch` with our undici dispatcher:
 * Node 20's fetch accepts an undici 7 Agent as `dispatcher` (custom CA and lookup included), and nock 14
 * intercepts globalThis.fetch, so tests can mock error paths; undici's own fetch would bypass nock.
 */
export function createHttp(options: HttpOptions): Http {
  const {dispatcher, proxy} = createDispatcher({env: options.env, ca: options.ca, timeouts: options.timeouts})
  const {debug, userAgent} = options
  let closing: Promise<void> | undefined

  async function fetch(input: string | URL, init: HttpRequestInit = {}): Promise<Response> {
    const {correlationId: givenCorrelationId, ...rest} = init
    const url = new URL(String(input))
    // fetch would refuse it with the password in its message; say so without the secret.
    if (url.username || url.password) {
      throw new UsageError('URL_HAS_CREDENTIALS', `The URL ${redactUrl(url)} contains a user name or password; ppctl does not send credentials in URLs.`, {
        nextStep: 'Remove the user name and password from the URL.',
      })
    }
    const headers = new Headers(rest.headers)
    if (!headers.has('user-agent')) headers.set('user-agent', userAgent)
    if (!headers.has('x-correlation-id')) headers.set('x-correlation-id', givenCorrelationId || randomUUID())
    const trace: TraceRequest = {
      method: (rest.method ?? 'GET').toUpperCase(),
      url,
      correlationId: headers.get('x-correlation-id') ?? '',
      headers,
      body: rest.body,
      proxy: proxyFor(url, proxy),
    }
    if (debug.enabled) debug.log(requestLine(trace))
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    try {
      // Looked up at call time, so a fetch patched by nock in tests is the one used.
      // undici 7's Dispatcher type differs from the undici-types one Node's RequestInit names; the runtime contract is the same.
      const response = await globalThis.fetch(url, {...rest, headers, dispatcher} as unknown as RequestInit)
      if (debug.enabled) debug.log(responseLine(trace, response, elapsed()))
      return response
    } catch (err) {
      const mapped = toNetworkError(err, url, trace.proxy)
      if (debug.enabled) debug.log(failureLine(trace, (mapped ?? err) as {code?: string; message?: string}, elapsed()))
      throw mapped ?? err
    }
  }

  return {
    dispatcher,
    fetch,
    close: () => (closing ??= dispatcher.close()),
  }
}
