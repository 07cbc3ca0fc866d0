// Redirects, followed by ppctl rather than fetch: credentials stay with their origin, and https never falls back to http.
import {UnreachableError} from '../errors/index.js'
import {redactUrl} from '../output/redact.js'
import type {HttpRequestInit} from './types.js'
import {headersOf} from './web-fetch.js'

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
/** Never sent to an origin other than the one the caller addressed. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'dpop', 'cookie', 'cookie2', 'proxy-authorization'] as const
const MAX_REDIRECTS = 5

export function isRedirect(response: Response): boolean {
  return REDIRECT_STATUS.has(response.status) && response.headers.has('location')
}

function replayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  )
}

export interface NextHop {
  url: URL
  init: HttpRequestInit
  crossOrigin: boolean
}

/**
 * The request to send after `response` (a redirect of a request to `from`), or undefined when it cannot be
 * replayed (a streamed body) and the redirect is handed to the caller. Throws when the redirect is refused.
 */
export function nextHop(from: URL, init: HttpRequestInit, response: Response, hop: number): NextHop | undefined {
  const location = response.headers.get('location') ?? ''
  let url: URL
  try {
    url = new URL(location, from)
  } catch {
    throw new UnreachableError('REDIRECT_REFUSED', `${from.host} redirected to an invalid URL.`, {nextStep: 'Report it to the platform operators.'})
  }
  if (hop >= MAX_REDIRECTS) {
    throw new UnreachableError('TOO_MANY_REDIRECTS', `${from.host} redirected more than ${MAX_REDIRECTS} times (last to ${redactUrl(url)}).`, {
      nextStep: 'Check the URL in the profile (ppctl config list); a proxy or portal may be in the way.',
    })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UnreachableError('REDIRECT_REFUSED', `${from.host} redirected to ${url.protocol} URL; ppctl follows only http(s).`, {
      nextStep: 'Report it to the platform operators.',
    })
  }
  if (from.protocol === 'https:' && url.protocol === 'http:') {
    throw new UnreachableError(
      'REDIRECT_REFUSED',
      `${from.host} redirected to ${redactUrl(url)}: ppctl does not follow a redirect from https to http. Nothing was sent to it.`,
      {
        nextStep: 'Use the https URL of the service; if a proxy or portal rewrites it, ask its operators.',
      },
    )
  }
  if (url.username || url.password) {
    throw new UnreachableError('REDIRECT_REFUSED', `${from.host} redirected to a URL with user information (${redactUrl(url)}).`, {
      nextStep: 'Report it to the platform operators.',
    })
  }
  const headers = headersOf(init.headers)
  const crossOrigin = url.origin !== from.origin
  if (crossOrigin) for (const name of ORIGIN_BOUND_HEADERS) headers.delete(name)
  let method = (init.method ?? 'GET').toUpperCase()
  let body = init.body
  if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
    method = 'GET'
    body = undefined
    for (const name of ['content-type', 'content-length', 'content-encoding', 'idempotency-key']) headers.delete(name)
  } else if (!replayable(body)) {
    return undefined
  }
  // The access token (and its DPoP key) belongs to the addressed origin, like the Authorization header.
  return {url, init: {...init, method, body, headers, ...(crossOrigin ? {auth: undefined} : {})}, crossOrigin}
}
