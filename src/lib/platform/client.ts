// Requests to the tenant's home cluster: route → allow-list → token → retries → 421 re-resolve → typed errors.
import type {Context} from '../context.js'
import {PpctlError, UsageError} from '../errors/index.js'
import {isNetworkFailure} from '../http/network-error.js'
import {assertAllowedClusterUri} from '../routing/allow-list.js'
import type {HomeRoute} from '../routing/types.js'
import {notFoundError, problemError, readProblem} from './problem.js'

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
  /** 404s by the platform's code: what was not found, in the person's words, and where to look instead. */
  notFound?: Partial<Record<string, NotFoundHint>>
  /** The global service (the profile's global URL) instead of the home cluster: no route, so no re-resolution either. */
  global?: boolean
  /** `ppctl api`: a 2xx body is JSON when the answer says so, its text otherwise (an event stream), never refused. */
  raw?: boolean
}

export interface NotFoundHint {
  /** "connector", "user", "license SKU" */
  kind: string
  /** The name or id as the person gave it. */
  id: string
  nextStep: string
}

export interface ApiResponse<T> {
  status: number
  body: T
  headers: Headers
}

/** Failures after which the home may have moved: the network ones, and a cluster that stayed unavailable through the retries. */
export const homeMayHaveMoved = (err: unknown) => isNetworkFailure(err) || (err instanceof PpctlError && err.code === 'PLATFORM_UNAVAILABLE')

const sameHome = (a: HomeRoute, b: HomeRoute) => a.home.clusterId === b.home.clusterId && a.home.uri === b.home.uri && a.epoch === b.epoch

/** The context's API client: requests to the tenant's home cluster, and paged lists. */
export interface Api {
  request<T>(request: ApiRequest): Promise<ApiResponse<T>>
  /** Every item of a paged list ({items, nextCursor}), fetching pages as needed. */
  list<T>(request: ApiRequest, pageSize?: number): AsyncGenerator<T>
}

export function createApi(ctx: Context): Api {
  const api: Api = {
    request: (request) => apiRequest(ctx, request),
    async *list<T>(request: ApiRequest, pageSize = 100): AsyncGenerator<T> {
      let cursor: string | undefined
      do {
        const sep = request.path.includes('?') ? '&' : '?'
        const path = `${request.path}${sep}limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
        const {body} = await api.request<{items: T[]; nextCursor?: string | null}>({...request, path})
        for (const item of body.items) yield item
        cursor = body.nextCursor ?? undefined
      } while (cursor)
    },
  }
  return api
}

async function apiRequest<T>(ctx: Context, request: ApiRequest): Promise<ApiResponse<T>> {
  if (request.global) return globalRequest<T>(ctx, request)
  const http = await ctx.http()
  const router = ctx.router()
  const allowList = await router.allowList()
  let previous: HomeRoute | undefined
  let pending: unknown
  // At most one re-resolution: the second route comes from the global service, ignoring the cache.
  for (let attempt = 0; attempt < 2; attempt++) {
    let route: HomeRoute
    try {
      ;({route} = await router.route({tenant: request.tenant, refresh: attempt > 0}))
    } catch (err) {
      if (attempt === 0) throw err
      // The cluster's failure is what the person needs to see: the global service being out of reach too is secondary.
      ctx.debug.log(`re-resolving the route failed (${(err as {code?: string}).code ?? String(err)}); reporting the first failure`)
      throw pending
    }
    if (previous && sameHome(previous, route)) {
      // The global service still names the same home: nothing moved, so the first failure is the answer.
      ctx.debug.log(`the route of ${route.tenantId} is unchanged (${route.home.clusterId}, epoch ${route.epoch})`)
      throw pending
    }
    if (previous) ctx.debug.log(`route moved: ${previous.home.clusterId} (epoch ${previous.epoch}) → ${route.home.clusterId} (epoch ${route.epoch})`)
    // Checked again here (not only when resolved): a cached route is re-checked against today's allow-list.
    const base = assertAllowedClusterUri(route.home.uri, allowList)
    const url = new URL(request.path.replace(/^\//, ''), base.href.endsWith('/') ? base.href : `${base.href}/`)
    const headers: Record<string, string> = {accept: 'application/json', ...request.headers}
    // The HTTP stack writes Authorization (Bearer, or DPoP with a proof for each attempt) from the token.
    const auth = await ctx.tokens().get()
    if (request.body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      // http.fetch retries (idempotent requests, or with an Idempotency-Key) before it gives up.
      response = await http.fetch(url, {
        method: request.method ?? 'GET',
        headers,
        auth,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      })
    } catch (err) {
      if (attempt === 0 && err instanceof PpctlError && homeMayHaveMoved(err)) {
        ctx.debug.log(`home cluster ${route.home.clusterId} unreachable (${err.code}); re-resolving the route`)
        previous = route
        pending = err
        continue
      }
      throw err
    }
    const correlationId = response.headers.get('x-correlation-id') ?? undefined
    if (response.status === 421 && attempt === 0) {
      const problem = await readProblem(response)
      ctx.debug.log(`421 ${String(problem.code ?? '')} from ${route.home.clusterId}: re-resolving the route`)
      previous = route
      pending = problemError(421, problem, request.what, correlationId)
      continue
    }
    if (!response.ok) {
      const problem = await readProblem(response)
      const hint = response.status === 404 && typeof problem.code === 'string' ? request.notFound?.[problem.code] : undefined
      if (hint) throw notFoundError(problem.code as string, hint, route, correlationId)
      throw problemError(response.status, problem, request.what, correlationId)
    }
    return readBody<T>(response, request, correlationId)
  }
  throw pending
}

/** The global service, at the profile's own URL (it is not a cluster: the allow-list is for the URIs the routes name). */
async function globalRequest<T>(ctx: Context, request: ApiRequest): Promise<ApiResponse<T>> {
  const http = await ctx.http()
  const {profile} = await ctx.activeProfile()
  if (!profile.globalUrl) {
    throw new UsageError('NO_GLOBAL_URL', `${request.what} failed: the profile has no global service URL.`, {
      nextStep: 'ppctl config set global-url <url>   (or: ppctl sandbox start)',
    })
  }
  const base = profile.globalUrl.endsWith('/') ? profile.globalUrl : `${profile.globalUrl}/`
  const headers: Record<string, string> = {accept: 'application/json', ...request.headers}
  const auth = await ctx.tokens().get()
  if (request.body !== undefined) headers['content-type'] = 'application/json'
  const response = await http.fetch(new URL(request.path.replace(/^\//, ''), base), {
    method: request.method ?? 'GET',
    headers,
    auth,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  })
  const correlationId = response.headers.get('x-correlation-id') ?? undefined
  if (!response.ok) throw problemError(response.status, await readProblem(response), request.what, correlationId)
  return readBody<T>(response, request, correlationId)
}

async function readBody<T>(response: Response, request: ApiRequest, correlationId: string | undefined): Promise<ApiResponse<T>> {
  if (response.status === 204 || (request.raw && request.method?.toUpperCase() === 'HEAD')) {
    await response.body?.cancel()
    return {status: response.status, body: undefined as T, headers: response.headers}
  }
  const text = await response.text()
  if (request.raw && !/json/i.test(response.headers.get('content-type') ?? '')) {
    return {status: response.status, body: (text === '' ? undefined : text) as T, headers: response.headers}
  }
  try {
    return {status: response.status, body: JSON.parse(text) as T, headers: response.headers}
  } catch {
    throw new PpctlError('MALFORMED_RESPONSE', `${request.what} failed: the platform's answer is not valid JSON.`, {
      correlationId,
      nextStep: 'Try again; if it persists, report it with the correlation id.',
    })
  }
}
