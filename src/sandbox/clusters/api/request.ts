// Reading a cluster API request: its JSON body (bounded), a header, and who is acting for the audit log.
import type {IncomingMessage} from 'node:http'

import type {AuditInput} from '../../audit-sink.js'
import type {Principal} from '../../gateway/verify-token.js'
import {problem} from './problem.js'

const MAX_BODY = 64 * 1024

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large')
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  try {
    const body = JSON.parse(text) as unknown
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>
  } catch {
    // fall through
  }
  throw problem(400, 'INVALID_BODY', 'The request body must be a JSON object')
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

export function actorOf(p: Principal): AuditInput['actor'] {
  return p.kind === 'user' ? {type: 'user', id: p.oid ?? p.subject, upn: p.upn, ...(p.clientId ? {appId: p.clientId} : {})} : {type: 'servicePrincipal', id: p.clientId ?? p.subject, appId: p.clientId}
}
