// The cluster services behind the gateway. Part 1 answers health; tenant data arrives with part 2.
import type {IncomingMessage, ServerResponse} from 'node:http'

import {sendJson, sendProblem, type RequestContext} from '../http-util.js'
import type {Principal} from '../gateway/verify-token.js'
import type {RouteTable} from '../global/route-table.js'
import {CLUSTERS} from '../seed.js'

export function createClusterHandler(options: {routes: RouteTable}) {
  return function handle(clusterId: string, req: IncomingMessage, res: ServerResponse, rc: RequestContext, principal: Principal): void {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/v1/health') {
      const isSupport = principal.roles.includes('Support')
      const tenants = options.routes
        .all()
        .filter((r) => (r.home === clusterId || r.secondary === clusterId) && (isSupport || r.tenantId === principal.tenantId))
        .map((r) => ({tenantId: r.tenantId, role: r.home === clusterId ? 'active' : 'passive', epoch: r.epoch}))
      sendJson(res, 200, {clusterId, region: CLUSTERS[clusterId].region, status: 'ok', replicationLagMs: 0, tenants})
      return
    }
    sendProblem(res, rc, {
      status: 501,
      code: 'NOT_IMPLEMENTED',
      title: 'This cluster endpoint is not available yet',
      detail: `${req.method} ${path} on ${clusterId}`,
    })
  }
}
