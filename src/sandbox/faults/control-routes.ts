// The control socket's fault routes: GET /v1/faults, PUT and DELETE /v1/faults/{clusterId}.
import type {IncomingMessage, ServerResponse} from 'node:http'

import {sendJson} from '../http-util.js'
import {CLUSTERS} from '../seed.js'
import {checkFaultSpec, type FaultSpec, type FaultTable} from './fault-table.js'

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > 64 * 1024) throw new Error('body too large')
    chunks.push(chunk as Buffer)
  }
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('the body must be a JSON object')
  return body as Record<string, unknown>
}

/** Answers the fault routes; false for any other path. */
export async function handleFaultControl(faults: FaultTable, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0]
  if (path === '/v1/faults' && req.method === 'GET') {
    sendJson(res, 200, {faults: faults.all()})
    return true
  }
  const match = /^\/v1\/faults\/([^/]+)$/.exec(path)
  if (!match) return false
  const clusterId = decodeURIComponent(match[1])
  if (!(clusterId in CLUSTERS)) {
    sendJson(res, 404, {code: 'CLUSTER_NOT_FOUND', message: `No cluster "${clusterId}"; the clusters are ${Object.keys(CLUSTERS).join(', ')}.`})
    return true
  }
  if (req.method === 'PUT') {
    let body: Record<string, unknown>
    try {
      body = await readJson(req)
    } catch (err) {
      sendJson(res, 400, {code: 'INVALID_FAULT', message: (err as Error).message})
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
