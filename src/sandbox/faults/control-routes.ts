// The control socket's fault routes: GET /v1/faults, PUT and DELETE /v1/faults/{clusterId}.
import type {IncomingMessage, ServerResponse} from 'node:http'

import {BodyRejected, readJsonObject} from '../body.js'
import {decodeSegment, sendJson} from '../http-util.js'
import {CLUSTERS} from '../seed.js'
import {checkFaultSpec, type FaultSpec, type FaultTable} from './fault-table.js'

/** Answers the fault routes; false for any other path. */
export async function handleFaultControl(faults: FaultTable, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0]
  if (path === '/v1/faults' && req.method === 'GET') {
    sendJson(res, 200, {faults: faults.all()})
    return true
  }
  const match = /^\/v1\/faults\/([^/]+)$/.exec(path)
  if (!match) return false
  const clusterId = decodeSegment(match[1]) ?? match[1]
  if (!(clusterId in CLUSTERS)) {
    sendJson(res, 404, {code: 'CLUSTER_NOT_FOUND', message: `No cluster "${clusterId}"; the clusters are ${Object.keys(CLUSTERS).join(', ')}.`})
    return true
  }
  if (req.method === 'PUT') {
    let body: Record<string, unknown>
    try {
      body = await readJsonObject(req)
    } catch (err) {
      if (!(err instanceof BodyRejected) || err.status !== 400) throw err
      sendJson(res, 400, {code: 'INVALID_FAULT', message: err.detail}, err.headers)
      return true
    }
    const problem = checkFaultSpec(body)
    if (problem) {
      sendJson(res, 400, {code: 'INVALID_FAULT', message: `Invalid fault: ${problem}.`})
      return true
    }
    const {kind, mode, ms, rate, rps} = body
    const spec = {kind, ...(kind === 'down' ? {mode} : kind === 'slow' ? {ms} : kind === 'flaky' ? {rate} : {rps})} as FaultSpec
    sendJson(res, 200, {fault: faults.set(clusterId, spec), faults: faults.all()})
    return true
  }
  if (req.method === 'DELETE') {
    const cleared = faults.clear(clusterId)
    sendJson(res, 200, {cleared: cleared ?? null, faults: faults.all()})
    return true
  }
  sendJson(res, 405, {code: 'METHOD_NOT_ALLOWED', message: `${req.method} ${path}`})
  return true
}
