// Resolves a tenant's home cluster through the global service, with a TTL cache and re-resolution on demand.
import type {Clock} from '../clock.js'
import {PpctlError, platformOrOwn} from '../errors/index.js'
import type {HttpRequestInit, RequestAuth} from '../http/types.js'
import type {DebugLog} from '../io/debug-log.js'
import {assertAllowedClusterUri, type AllowListPolicy} from './allow-list.js'
import type {RouteCacheStore} from './route-cache.js'
import type {HomeRoute, ResolvedRoute} from './types.js'

export interface ResolveDeps {
  fetch: (url: string, init?: HttpRequestInit) => Promise<Response>
  clock: Clock
  cache: RouteCacheStore
  globalUrl: string
  /** The token (with its DPoP key when bound); the HTTP stack writes the Authorization header. */
  accessToken: () => Promise<RequestAuth>
  allowList: AllowListPolicy
  debug?: DebugLog
}

export interface ResolveOptions {
  /** Tenant id or name; the signed-in tenant when absent. */
  tenant?: string
  /** Ignore the cache (after a 421 WRONG_CLUSTER or an unreachable home). */
  refresh?: boolean
}

const MAX_TTL_SECONDS = 24 * 3600

function validRoute(body: unknown): body is HomeRoute {
  const r = body as HomeRoute
  const cluster = (c: unknown) =>
    typeof c === 'object' && c !== null && typeof (c as {uri?: unknown}).uri === 'string' && typeof (c as {clusterId?: unknown}).clusterId === 'string'
  return typeof r === 'object' && r !== null && typeof r.tenantId === 'string' && cluster(r.home) && cluster(r.secondary) && Number.isInteger(r.epoch)
}

export async function resolveHome(deps: ResolveDeps, options: ResolveOptions = {}): Promise<ResolvedRoute> {
  const key = options.tenant ?? 'me'
  const now = deps.clock.now()
  if (!options.refresh) {
    const cached = await deps.cache.get(key)
    if (cached && cached.expiresAt > now) {
      deps.debug?.log(`route for ${key} from cache (${Math.round((now - cached.fetchedAt) / 1000)} s old)`)
      return {
        route: cached.route,
        fromCache: true,
        ageSeconds: Math.round((now - cached.fetchedAt) / 1000),
        expiresInSeconds: Math.round((cached.expiresAt - now) / 1000),
      }
    }
  }
  const path = options.tenant ? `/v1/tenants/${encodeURIComponent(options.tenant)}/home` : '/v1/me/home'
  const url = new URL(path, deps.globalUrl).toString()
  const response = await deps.fetch(url, {auth: await deps.accessToken(), headers: {accept: 'application/json'}})
  const correlationId = response.headers.get('x-correlation-id') ?? undefined
  const body = (await response.json().catch(() => undefined)) as unknown
  if (!response.ok) throw routeError(response.status, body, key, correlationId)
  if (!validRoute(body)) {
    throw new PpctlError('ROUTE_MALFORMED', `The global service's answer for ${key} is not a route.`, {correlationId})
  }
  assertAllowedClusterUri(body.home.uri, deps.allowList)
  const ttl = Math.min(MAX_TTL_SECONDS, Math.max(0, Number(body.ttlSeconds) || 0))
  const entry = {route: body, fetchedAt: now, expiresAt: now + ttl * 1000}
  await deps.cache.put([key, body.tenantId, ...(body.tenantName ? [body.tenantName] : [])], entry)
  return {route: body, fromCache: false, ageSeconds: 0, expiresInSeconds: ttl}
}

/** What a Support sign-in (no tenant of its own) can do instead of reading tenant data. */
export const SUPPORT_CAN =
  'A Support sign-in reads routes and cluster health, not tenant data: ppctl route show --tenant TENANT, ppctl route diagnose --tenant TENANT'

function routeError(status: number, body: unknown, key: string, correlationId?: string): PpctlError {
  const problem = (body ?? {}) as {code?: string; detail?: string; title?: string}
  const detail = problem.detail ?? problem.title ?? `HTTP ${status}`
  if (status === 401)
    return platformOrOwn(problem.code, 'UNAUTHENTICATED', `The global service did not accept the token: ${detail}`, {
      nextStep: 'Sign in again: ppctl auth login',
      correlationId,
    })
  // The next step says what can be done instead, never the error again.
  if (status === 403)
    return platformOrOwn(problem.code, 'FORBIDDEN', `Not allowed to read the route of ${key}: ${detail}`, {
      nextStep:
        key === 'me'
          ? 'Ask an administrator of the tenant for a role that reads its route.'
          : `Your own tenant's route: ppctl route show (without --tenant); for ${key}'s, sign in with a Support account: ppctl auth login --profile support`,
      correlationId,
    })
  if (status === 404)
    return key === 'me'
      ? // A tenant without a home cluster (the operator's, where Support accounts live) has no tenant data to read.
        platformOrOwn(problem.code, 'TENANT_NOT_FOUND', 'The signed-in tenant has no home cluster, so no tenant data to read.', {
          nextStep: SUPPORT_CAN,
          correlationId,
        })
      : platformOrOwn(problem.code, 'TENANT_NOT_FOUND', `The global service knows no tenant ${key}.`, {
          nextStep: 'Check --tenant (id or name).',
          correlationId,
        })
  return platformOrOwn(problem.code, 'ROUTING_FAILED', `The global service answered HTTP ${status} for ${key}: ${detail}`, {correlationId})
}
