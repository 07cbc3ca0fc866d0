// Reading a cluster API request: its JSON body (the platform's body reader), a header, and who is acting for the audit log.
import type {IncomingMessage} from 'node:http'

import type {AuditInput} from '../../audit-sink.js'
import {BodyRejected, readJsonObject} from '../../body.js'
import type {Principal} from '../../gateway/verify-token.js'
import {HttpProblem} from './problem.js'

/** The JSON object body of a cluster API request ({} when empty), as problem+json refusals (400, 413, 415). */
export async function readBody(req: IncomingMessage, options: {limit?: number} = {}): Promise<Record<string, unknown>> {
  try {
    return await readJsonObject(req, options)
  } catch (err) {
    if (err instanceof BodyRejected) throw new HttpProblem({status: err.status, code: err.code, title: err.title, detail: err.detail}, err.headers)
    throw err
  }
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

export function actorOf(p: Principal): AuditInput['actor'] {
  return p.kind === 'user'
    ? {type: 'user', id: p.oid ?? p.subject, upn: p.upn, ...(p.clientId ? {appId: p.clientId} : {})}
    : {type: 'servicePrincipal', id: p.clientId ?? p.subject, appId: p.clientId}
}
