// undici as the fast path's bundle has it (scripts/bundle-fast-path.js resolves `undici` to this file there only):
// what the bundled code imports from it, and nothing else. undici's own index.js loads and runs every module of the
// package — WebSocket, EventSource, the cache API, cookies, mocks, interceptors — for every warm command.
// The modules are undici's own, unchanged, from the same installed version: the same Agent, proxy agent and fetch.
import api from 'undici/lib/api/index.js'
import buildConnector from 'undici/lib/core/connect.js'
import Agent from 'undici/lib/dispatcher/agent.js'
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js'
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js'
import {fetch as fetchImpl} from 'undici/lib/web/fetch/index.js'
import {Headers} from 'undici/lib/web/fetch/headers.js'

// As index.js does: every dispatcher has request(), stream(), connect() … — not only for callers: ProxyAgent opens its HTTPS tunnel with its proxy client's connect(), so without these a proxied request fails.
Object.assign(Dispatcher.prototype, api)

/** index.js's fetch: the error's stack points at the caller of fetch, not only inside undici. */
function fetch(init, options = undefined) {
  return fetchImpl(init, options).catch((err) => {
    if (err && typeof err === 'object') Error.captureStackTrace(err, fetch)
    throw err
  })
}

export {Agent, buildConnector, EnvHttpProxyAgent, fetch, Headers}
