// Requests to the tenant's home cluster: route → allow-list → token → retries → 421 re-resolve → typed errors.
import type {Context} from '../context.js'
import {PpctlError, ExitCode} from '../errors/index.js'
import {fetchWithRetry} from '../http/retry.js'
import {assertAllowedClusterUri} from '../routing/allow-list.js'
import {allowListOf, routeFor} from '../routing/route-for.js'
import {problemError, readProblem} from './problem.js'

export interface ApiRequest {
  method?: string
  /** Path and query under the cluster's base URI, e.g. /v1/connectors?limit=50 */
  path: string
  body?: unknown
  headers?: Record<string, string>
  /** The tenant whose cluster to call (default: the signed-in tenant). */
  tenant?: string
  /** What the person asked for, for error messages ("Blocking connector X"). */
  what: string
}

export interface ApiResponse<T> {
  status: number
  body: T
  headers: Headers
}

const UNREACHABLE = new Set(['CONNECTION_REFUSED', 'CONNECTION_RESET', 'TIMEOUT', 'DNS_FAILED', 'NETWORK_UNREACHABLE'])

export async function apiRequest<T>(ctx: Context, request: ApiRequest): Promise<ApiResponse<T>> {
  const http = await ctx.http()
  const {getAccessToken} = await import('../auth/token-lifecycle.js')
  const allowList = await allowListOf(ctx)
  let refresh = false
  for (let attempt = 0; ; attempt++) {
    const {route} = await routeFor(ctx, {tenant: request.tenant, refresh})
    const base = assertAllowedClusterUri(route.home.uri, allowList)
    const url = new URL(request.path.replace(/^\//, ''), base.href.endsWith('/') ? base.href : `${base.href}/`)
    const headers: Record<string, string> = {accept: 'application/json', ...request.headers}
    headers.authorization = `Bearer ${(await getAccessToken(ctx)).token}`
    if (request.body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await fetchWithRetry(
        http.fetch,
        ctx.clock,
        url,
        {method: request.method ?? 'GET', headers, body: request.body === undefined ? undefined : JSON.stringify(request.body)},
        {debug: ctx.debug},
      )
    } catch (err) {
      // The home cluster cannot be reached: the route may have moved (failover); ask again once.
      if (attempt === 0 && err instanceof PpctlError && UNREACHABLE.has(err.code)) {
        ctx.debug.log(`home cluster ${route.home.clusterId} unreachable (${err.code}); re-resolving the route`)
        refresh = true
        continue
      }
      throw err
    }
    if (response.status === 421 && attempt === 0) {
      await response.body?.cancel()
      ctx.debug.log(`421 from ${route.home.clusterId}: re-resolving the route`)
      refresh = true
      continue
    }
    const correlationId = response.headers.get('x-correlation-id') ?? undefined
    if (!response.ok) throw problemError(response.status, await readProblem(response), request.what, correlationId)
    if (response.status === 204) return {status: 204, body: undefined as T, headers: response.headers}
    const text = await response.text()
    try {
      return {status: response.status, body: JSON.parse(text) as T, headers: response.headers}
    } catch {
      throw new PpctlError('MALFORMED_RESPONSE', `${request.what} failed: the platform's answer is not valid JSON.`, ExitCode.THROTTLED, {
        correlationId,
        nextStep: 'Try again; if it persists, report it with the correlation id.',
      })
    }
  }
}

/** Every item of a paged list ({items, nextCursor}), fetching pages as needed. */
export async function* listAll<T>(ctx: Context, request: ApiRequest, pageSize = 100): AsyncGenerator<T> {
  let cursor: string | undefined
  do {
    const sep = request.path.includes('?') ? '&' : '?'
    const path = `${request.path}${sep}limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const {body} = await apiRequest<{items: T[]; nextCursor?: string | null}>(ctx, {...request, path})
    for (const item of body.items) yield item
    cursor = body.nextCursor ?? undefined
  } while (cursor)
}
