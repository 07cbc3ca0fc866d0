// Answers a failed cluster API request: a refusal as problem+json (audited when it is a 4xx worth auditing), anything else as 500.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {Principal} from '../../gateway/verify-token.js'
import {sendProblem, type RequestContext} from '../../http-util.js'
import type {ClusterSet} from '../cluster-set.js'
import {HttpProblem} from './problem.js'
import {actorOf, header} from './request.js'

const AUDITED_REFUSALS = [403, 404, 409, 412, 421, 422, 428]

export interface FailContext {
  clusterId: string
  req: IncomingMessage
  res: ServerResponse
  rc: RequestContext
  principal: Principal
  method: string
  path: string
  clusters?: ClusterSet
}

export function createFailer(c: FailContext): (err: unknown) => void {
  const {clusterId, req, res, rc, principal, method, path, clusters} = c
  const refuse = (err: HttpProblem) => {
    const p = err.problem
    if (AUDITED_REFUSALS.includes(p.status) && clusters) {
      try {
        clusters.record({
          tenantId: principal.tenantId,
          action: 'request.refused',
          result: 'failed',
          actor: actorOf(principal),
          cluster: clusterId,
          clientIp: req.socket.remoteAddress,
          userAgent: header(req, 'user-agent'),
          correlationId: rc.correlationId,
          details: {status: p.status, code: p.code, method, path},
        })
      } catch {
        // Auditing a refusal must not turn it into a 500.
      }
    }
    if (!res.headersSent) sendProblem(res, rc, p, err.headers)
  }
  return (err: unknown) => {
    if (err instanceof HttpProblem) return refuse(err)
    if (!res.headersSent) sendProblem(res, rc, {status: 500, code: 'INTERNAL', title: 'Internal error', detail: 'See the platform log for the trace id.'})
    process.stderr.write(`cluster ${clusterId} error trace=${rc.traceId}: ${(err as Error).stack ?? err}\n`)
  }
}
