// Operator routes for the clusters on the control socket: failover drills and replication pause/resume.
import type {IncomingMessage, ServerResponse} from 'node:http'

import {readJsonObject} from '../body.js'
import {sendJson} from '../http-util.js'
import {findTenant} from '../seed.js'
import {ReplicationBrokenError, type ClusterSet} from './cluster-set.js'
import {SeedRefused} from './tenant-seed.js'

/**
 * POST /v1/failover {tenant, force?} → FailoverResult
 * GET  /v1/replication → ReplicationStatus[]
 * POST /v1/replication {tenant?, paused} → ReplicationStatus[] (pausing lets a drill build up lag)
 * POST /v1/replication/resync {tenant} → ReplicationStatus (rebuilds the secondary from the active: repairs a broken replication)
 * POST /v1/seed {tenant, users?, seats?: {SKU: n}} → SeedMoreResult (members and seats for load tests)
 */
export function createClusterControlRoutes(clusters: ClusterSet) {
  const fail = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, {code, message})
  return async function routes(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.url === '/v1/replication' && req.method === 'GET') {
      sendJson(res, 200, clusters.replication())
      return true
    }
    if (req.url === '/v1/replication' && req.method === 'POST') {
      const body = await readJsonObject(req)
      const tenant = body.tenant === undefined ? undefined : findTenant(String(body.tenant))
      if (body.tenant !== undefined && !tenant) {
        fail(res, 404, 'TENANT_NOT_FOUND', `No tenant "${String(body.tenant)}"; the seeded tenants are contoso and fabrikam.`)
        return true
      }
      clusters.setPaused(tenant?.id, body.paused === true)
      sendJson(res, 200, clusters.replication())
      return true
    }
    if (req.url === '/v1/replication/resync' && req.method === 'POST') {
      const body = await readJsonObject(req)
      const tenant = findTenant(String(body.tenant ?? ''))
      if (!tenant) {
        fail(res, 404, 'TENANT_NOT_FOUND', `No tenant "${String(body.tenant ?? '')}"; the seeded tenants are contoso and fabrikam.`)
        return true
      }
      sendJson(res, 200, clusters.resync(tenant.id))
      return true
    }
    if (req.url === '/v1/seed' && req.method === 'POST') {
      const body = await readJsonObject(req)
      const tenant = findTenant(String(body.tenant ?? ''))
      if (!tenant) {
        fail(res, 404, 'TENANT_NOT_FOUND', `No tenant "${String(body.tenant ?? '')}"; the seeded tenants are contoso and fabrikam.`)
        return true
      }
      const users = body.users === undefined ? 0 : Number(body.users)
      const seats = (body.seats ?? {}) as Record<string, unknown>
      const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= 1_000_000
      if (!count(users) || typeof seats !== 'object' || Array.isArray(seats) || !Object.values(seats).every(count)) {
        fail(res, 400, 'INVALID_SEED', 'users and each seat count must be whole numbers from 0 to 1,000,000.')
        return true
      }
      try {
        sendJson(res, 200, clusters.seedMore(tenant.id, {users, seats: seats as Record<string, number>}))
      } catch (err) {
        if (!(err instanceof SeedRefused)) throw err
        fail(res, 404, err.code, err.message)
      }
      return true
    }
    if (req.url === '/v1/failover' && req.method === 'POST') {
      const body = await readJsonObject(req)
      const tenant = findTenant(String(body.tenant ?? ''))
      if (!tenant) {
        fail(res, 404, 'TENANT_NOT_FOUND', `No tenant "${String(body.tenant ?? '')}"; the seeded tenants are contoso and fabrikam.`)
        return true
      }
      try {
        sendJson(res, 200, clusters.failover(tenant.id, body.force === true))
      } catch (err) {
        if (!(err instanceof ReplicationBrokenError)) throw err
        sendJson(res, 409, {code: err.code, message: err.message, repair: err.broken.repair})
      }
      return true
    }
    return false
  }
}
