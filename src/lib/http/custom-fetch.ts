// Adapts the HTTP client to openid-client 6's customFetch hook, so sign-in uses the same CA, proxy, lookup and traces.
import type {CustomFetch} from 'openid-client'

import {PpctlError} from '../errors/index.js'
import type {Http} from './types.js'

/** openid-client's own default user-agent (`openid-client/<version>`, or oauth4webapi's), replaced by ppctl's. */
const LIBRARY_USER_AGENT = /^(openid-client|oauth4webapi)\//i

/** Use as `{[client.customFetch]: customFetchFor(http)}` in discovery, and `config[client.customFetch] = customFetchFor(http)`. */
export function customFetchFor(http: Http): CustomFetch {
  return (url, options) => {
    const headers = {...options.headers}
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'user-agent' && LIBRARY_USER_AGENT.test(headers[name])) delete headers[name]
    }
    return http.fetch(url, {...options, headers} as RequestInit)
  }
}

/**
 * openid-client wraps a failed fetch in its own error ("something went wrong") with ours as the cause:
 * this finds the typed error (e.g. UnreachableError TLS_VERIFY_FAILED) so callers can rethrow it.
 */
export function ppctlErrorFrom(err: unknown): PpctlError | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    if (current instanceof PpctlError) return current
    current = (current as {cause?: unknown}).cause
  }
  return undefined
}
