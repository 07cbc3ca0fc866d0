// GET requests to the tenant's home cluster for the audit consumer: route → allow-list → token, no body timeout.
import type {AccessToken} from '../auth/token-lifecycle.js'
import type {Context} from '../context.js'
import {assertAllowedClusterUri} from '../routing/allow-list.js'
import type {HomeRoute} from '../routing/types.js'
import {TOKEN_RENEW_MARGIN_MS, type Opened, type OpenOptions} from './consume.js'

export interface ClusterTransport {
  open(path: string, headers: Record<string, string>, options: OpenOptions): Promise<Opened>
  /** The route used by the last request (for checkpoints: which cluster served the events). */
  readonly route?: HomeRoute
}

/**
 * Unlike apiRequest, the answer is handed back as it is (the caller streams its body and decides on 410 / 421 / 401),
 * and nothing is retried here: the consumer resumes by seq, which a blind retry of a stream could not.
 */
export function clusterTransport(ctx: Context): ClusterTransport {
  // Route and token are kept between requests (history pages come back to back) until a request asks for new ones
  // or the token nears the point where getAccessToken would renew it.
  let cached: {base: URL; token: AccessToken} | undefined
  const transport: {route?: HomeRoute} & ClusterTransport = {
    async open(path, headers, options) {
      const http = await ctx.http()
      if (!cached || options.refreshRoute || options.forceToken || cached.token.expiresAt - ctx.clock.now() <= TOKEN_RENEW_MARGIN_MS) {
        const {route} = await ctx.router().route({refresh: options.refreshRoute})
        transport.route = route
        const base = assertAllowedClusterUri(route.home.uri, await ctx.router().allowList())
        cached = {base, token: await ctx.tokens().get({forceRefresh: options.forceToken})}
      }
      const {base, token} = cached
      const url = new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base.href : `${base.href}/`)
      // A stream: no body timeout (the heartbeat watchdog guards it) and no blind retries (the consumer resumes by seq).
      const response = await http.stream(url, {method: 'GET', headers, auth: token, signal: options.signal})
      return {response, tokenExpiresAt: token.expiresAt}
    },
  }
  return transport
}
