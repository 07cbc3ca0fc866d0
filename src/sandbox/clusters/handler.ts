// The cluster services behind the gateway: health, and the tenant API (users, connectors, access, licenses, environments, flows, DLP) on the active cluster.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {Principal} from '../gateway/verify-token.js'
import type {RouteTable} from '../global/route-table.js'
import type {RequestContext} from '../http-util.js'
import {OPERATOR_TENANT_ID} from '../seed.js'
import {AUDIT_ROUTES} from '../audit/routes.js'
import type {AuditRouteContext} from './audit-store.js'
import type {ClusterSet} from './cluster-set.js'
import {findRoute, type RouteSpec} from '../route-spec.js'
import {dispatch, methodNotAllowed, ROUTES as API_ROUTES} from './api/dispatch.js'
import {createFailer} from './api/fail.js'
import {sendHealth} from './api/health.js'
import {HttpProblem, problem} from './api/problem.js'
import {requireRole} from './api/context.js'
import {lockedProblem} from './api/keys.js'
import {TenantLockedError} from '../keys/key-vault.js'
import type {SessionAdmin} from './api/sessions.js'
import {readerOf} from './api/governance.js'
import {isolationOf} from './api/isolation.js'

export type AuditRoutes = (
  clusterId: string,
  req: IncomingMessage,
  res: ServerResponse,
  rc: RequestContext,
  principal: Principal,
  cluster: AuditRouteContext,
) => boolean

export interface ClusterHandlerOptions {
  routes: RouteTable
  clusters?: ClusterSet
  clusterUri?: (clusterId: string) => string
  auditRoutes?: AuditRoutes
  sessions?: SessionAdmin
}

const ACTIVE_CLUSTER_HEADER = 'x-active-cluster-uri'

/** Answered on any cluster, for any signed-in caller (Support too). */
const HEALTH_ROUTES: readonly RouteSpec[] = [{method: 'GET', path: '/v1/health', role: 'signed-in'}]

/** The routes a cluster serves itself; the audit API (`AUDIT_ROUTES`) is plugged in by whoever builds the handler. */
export const CLUSTER_ROUTES: readonly RouteSpec[] = [...HEALTH_ROUTES, ...API_ROUTES]

/** The handler returns the promise of the tenant API's work, so a server can wait for it before closing the stores. */
export function createClusterHandler(options: ClusterHandlerOptions) {
  const {routes} = options

  return function handle(clusterId: string, req: IncomingMessage, res: ServerResponse, rc: RequestContext, principal: Principal): Promise<void> | void {
    const url = new URL(req.url ?? '/', 'https://cluster.invalid')
    const path = url.pathname
    const method = req.method ?? 'GET'
    const clusters = options.clusters
    const fail = createFailer({clusterId, req, res, rc, principal, method, path, clusters})
    const health = findRoute(HEALTH_ROUTES, method, path)
    if (health.allowed.length > 0) {
      if (health.route) sendHealth(routes, options.clusters, clusterId, res, principal)
      else fail(methodNotAllowed(method, path, health.allowed))
      return
    }
    try {
      if (!clusters) throw problem(501, 'NOT_IMPLEMENTED', 'This cluster endpoint is not available', `${method} ${path} on ${clusterId}`)
      if (principal.tenantId === OPERATOR_TENANT_ID || principal.roles.includes('Support')) {
        throw problem(403, 'TENANT_DATA_FORBIDDEN', 'Support reads routes and health, not tenant data', `${method} ${path}`)
      }
      const route = routes.get(principal.tenantId)
      if (!route) throw problem(404, 'TENANT_NOT_FOUND', 'Unknown tenant')
      const keyRoute = path === '/v1/keys' || path.startsWith('/v1/keys/')
      if (!keyRoute && clusters.vault?.isLocked(principal.tenantId)) throw lockedProblem(principal.tenantId)
      if (route.home !== clusterId) {
        const activeUri = options.clusterUri?.(route.home) ?? route.home
        throw new HttpProblem(
          {
            status: 421,
            code: 'WRONG_CLUSTER',
            title: "This cluster is not the tenant's active cluster",
            detail: `Send tenant requests to ${activeUri} (epoch ${route.epoch}).`,
            activeUri,
            activeClusterId: route.home,
            epoch: route.epoch,
          },
          {[ACTIVE_CLUSTER_HEADER]: activeUri},
        )
      }
      const db = clusters.cluster(clusterId)
      const vault = clusters.vault
      const keys = vault ? {vault, drain: (tenantId: string) => void clusters.drain(tenantId)} : undefined
      const ctx = {
        clusterId,
        req,
        res,
        rc,
        principal,
        url,
        method,
        path,
        store: db.tenants,
        tenantId: principal.tenantId,
        sessions: options.sessions,
        keys,
        isolationOf: (tenantId: string) => (routes.get(tenantId) ? isolationOf(readerOf(clusters.active(tenantId).tenants), tenantId) : undefined),
      }
      if (path === '/v1/audit' || path.startsWith('/v1/audit/')) {
        // The whole prefix is the Admin's: an unknown path under it is not revealed to others.
        requireRole(principal, findRoute(AUDIT_ROUTES, method, path).route?.role ?? 'Admin')
        if (!options.auditRoutes) throw problem(501, 'NOT_IMPLEMENTED', 'The audit API is not available yet', `${method} ${path}`)
        const handled = options.auditRoutes(clusterId, req, res, rc, principal, {clusterId, tenantId: principal.tenantId, audit: db.audit, platform: clusters})
        if (!handled) throw problem(404, 'NOT_FOUND', 'No such endpoint', `${method} ${path}`)
        return
      }
      // A key locked while the request ran (its write needed the key): 423 as for any request of a locked tenant.
      return dispatch(ctx).catch((err: unknown) => fail(err instanceof TenantLockedError ? lockedProblem(err.tenantId) : err))
    } catch (err) {
      fail(err)
    }
  }
}
