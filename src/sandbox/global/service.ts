// The global service: tells a caller which cluster is its tenant's home (GET /v1/tenants/{id}/home, /v1/me/home).
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {AuditSink} from '../audit-sink.js'
import {actorOf} from '../clusters/api/request.js'
import {decodeSegment, hostOf, sendJson, sendProblem, type RequestContext} from '../http-util.js'
import type {Principal} from '../gateway/verify-token.js'
import {findRoute, satisfies, type RouteSpec} from '../route-spec.js'
import {CLUSTERS, findTenant} from '../seed.js'
import type {RouteTable} from './route-table.js'

const ROUTE_TTL_SECONDS = 300

/** The global service's routes (HEAD too, wherever GET); any signed-in caller, other tenants' routes for Support only. */
export const GLOBAL_ROUTES: readonly RouteSpec[] = [
  {method: 'GET', path: '/v1/me/home', role: 'signed-in'},
  // Another tenant's route needs Support: checked below, and audited when refused.
  {method: 'GET', path: '/v1/tenants/:tenantId/home', role: 'signed-in'},
]

export interface GlobalServiceOptions {
  routes: RouteTable
  /** The public URI of a cluster, e.g. https://eastus-1.clusters.sandbox.localhost:8443 */
  clusterUri: (clusterId: string) => string
  /** Where its refusals (403) are audited, in the caller's tenant log like the clusters' refusals. */
  audit?: AuditSink
}

export interface HomeAnswer {
  tenantId: string
  tenantName: string
  home: {clusterId: string; region: string; uri: string}
  secondary: {clusterId: string; region: string; uri: string; mode: 'passive'}
  epoch: number
  ttlSeconds: number
}

export function createGlobalService(options: GlobalServiceOptions) {
  const answer = (tenantId: string): HomeAnswer | undefined => {
    const tenant = findTenant(tenantId)
    const route = tenant && options.routes.get(tenant.id)
    if (!tenant || !route) return undefined
    return {
      tenantId: tenant.id,
      tenantName: tenant.name,
      home: {clusterId: route.home, region: CLUSTERS[route.home].region, uri: options.clusterUri(route.home)},
      secondary: {
        clusterId: route.secondary,
        region: CLUSTERS[route.secondary].region,
        uri: options.clusterUri(route.secondary),
        mode: 'passive',
      },
      epoch: route.epoch,
      ttlSeconds: ROUTE_TTL_SECONDS,
    }
  }

  return function handle(req: IncomingMessage, res: ServerResponse, rc: RequestContext, principal: Principal): void {
    const url = new URL(req.url ?? '/', 'https://global.invalid')
    // An unknown path is 404 whatever its method, a known one 405 for another method.
    const {route, allowed} = findRoute(GLOBAL_ROUTES, req.method ?? 'GET', url.pathname, {head: true})
    if (allowed.length === 0) {
      sendProblem(res, rc, {status: 404, code: 'NOT_FOUND', title: 'No such endpoint', detail: url.pathname})
      return
    }
    if (!route) {
      sendProblem(
        res,
        rc,
        {status: 405, code: 'METHOD_NOT_ALLOWED', title: 'Method not allowed', detail: `${req.method} ${url.pathname}; it takes ${allowed.join(', ')}.`},
        {allow: allowed.join(', ')},
      )
      return
    }
    if (!satisfies(route.role, principal.roles)) {
      sendProblem(res, rc, {
        status: 403,
        code: 'ROLE_FORBIDDEN',
        title: 'Your role does not allow this',
        detail: `${req.method} ${url.pathname} needs ${route.role}.`,
      })
      return
    }
    let tenantKey: string | undefined
    if (route.path === '/v1/me/home') {
      tenantKey = principal.tenantId
    } else {
      tenantKey = decodeSegment(url.pathname.split('/')[3])
      if (tenantKey === undefined) {
        sendProblem(res, rc, {status: 400, code: 'INVALID_PATH', title: 'The path has a malformed percent-encoding', detail: url.pathname})
        return
      }
    }
    const tenant = findTenant(tenantKey)
    const isSupport = principal.roles.includes('Support')
    if (tenant && tenant.id !== principal.tenantId && !isSupport) {
      try {
        options.audit?.record({
          tenantId: principal.tenantId,
          action: 'request.refused',
          result: 'failed',
          actor: actorOf(principal),
          clientIp: req.socket.remoteAddress,
          userAgent: req.headers['user-agent'],
          correlationId: rc.correlationId,
          details: {status: 403, code: 'TENANT_ACCESS_DENIED', method: req.method, path: url.pathname, host: hostOf(req)},
        })
      } catch {
        // Auditing a refusal must not turn it into a 500.
      }
      sendProblem(res, rc, {
        status: 403,
        code: 'TENANT_ACCESS_DENIED',
        title: "Another tenant's route is not visible to this caller",
        detail: 'Only the Support role reads the routes of other tenants.',
      })
      return
    }
    const body = tenant && answer(tenant.id)
    if (!body) {
      sendProblem(res, rc, {
        status: 404,
        code: 'TENANT_NOT_FOUND',
        title: 'Unknown tenant',
        detail: url.pathname === '/v1/me/home' ? 'The signed-in tenant has no home cluster.' : `No tenant "${tenantKey}".`,
      })
      return
    }
    sendJson(res, 200, body, {'cache-control': `private, max-age=${body.ttlSeconds}`})
  }
}
