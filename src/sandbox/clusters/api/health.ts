// GET /v1/health of a cluster: its region and, per tenant it holds, its role, epoch and replication lag.
import type {ServerResponse} from 'node:http'

import type {Principal} from '../../gateway/verify-token.js'
import type {RouteTable} from '../../global/route-table.js'
import {sendJson} from '../../http-util.js'
import {CLUSTERS} from '../../seed.js'
import type {ClusterSet} from '../cluster-set.js'

/** Support sees every tenant on the cluster; anyone else only their own. */
export function sendHealth(routes: RouteTable, clusters: ClusterSet | undefined, clusterId: string, res: ServerResponse, principal: Principal): void {
  const isSupport = principal.roles.includes('Support')
  const tenants = routes
    .all()
    .filter((r) => (r.home === clusterId || r.secondary === clusterId) && (isSupport || r.tenantId === principal.tenantId))
    .map((r) => {
      const repl = clusters?.replicationStatus(r.tenantId)
      return {
        tenantId: r.tenantId,
        role: r.home === clusterId ? 'active' : 'passive',
        epoch: r.epoch,
        peer: r.home === clusterId ? r.secondary : r.home,
        replicationLagEntries: repl?.lagEntries ?? 0,
        replicationLagMs: repl?.lagMs ?? 0,
        // Only when it is not flowing: absent means ok.
        ...(repl?.broken ? {replication: 'broken', replicationBroken: repl.broken} : repl?.paused ? {replication: 'paused'} : {}),
        // With encryption at rest: whether the tenant's data key is available (`route diagnose` shows it as a hop).
        ...(clusters?.vault ? {tenantKey: clusters.vault.isLocked(r.tenantId) ? 'locked' : 'active'} : {}),
      }
    })
  const replicationLagMs = Math.max(0, ...tenants.map((t) => t.replicationLagMs))
  const status = tenants.some((t) => 'replicationBroken' in t) ? 'degraded' : 'ok'
  sendJson(res, 200, {clusterId, region: CLUSTERS[clusterId].region, status, replicationLagMs, tenants}, {'cache-control': 'no-store'})
}
