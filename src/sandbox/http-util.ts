// Small HTTP helpers for the local platform's services: JSON and problem+json (RFC 9457) answers.
import {randomBytes} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

export interface RequestContext {
  correlationId: string
  traceId: string
}

export function newTraceId(): string {
  return randomBytes(16).toString('hex')
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers})
  res.end(text)
}

export interface Problem {
  status: number
  code: string
  title: string
  detail?: string
  [extra: string]: unknown
}

export function sendProblem(res: ServerResponse, rc: RequestContext, problem: Problem, headers: Record<string, string> = {}): void {
  const body = {
    type: `https://errors.sandbox.localhost/${problem.code.toLowerCase().replace(/_/g, '-')}`,
    ...problem,
    correlationId: rc.correlationId,
    traceId: rc.traceId,
  }
  const text = JSON.stringify(body)
  res.writeHead(problem.status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** The host name of a request without port or trailing dot, lower-cased. */
export function hostOf(req: IncomingMessage): string {
  const raw = (req.headers.host ?? '').toLowerCase()
  const host = raw.startsWith('[') ? raw.slice(0, raw.indexOf(']') + 1) : raw.split(':')[0]
  return host.endsWith('.') ? host.slice(0, -1) : host
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's x-correlation-id when it is well-formed, a fresh one otherwise. */
export function correlationIdOf(req: IncomingMessage): string {
  const given = req.headers['x-correlation-id']
  const value = Array.isArray(given) ? given[0] : given
  return value && CORRELATION_ID.test(value) ? value : crypto.randomUUID()
}

/** A percent-decoded path segment, or undefined when its encoding is malformed (`%zz`, a lone surrogate). */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** The request target as a URL, or undefined when it is not one the services can route (`//[`, `http:x`). */
export function targetOf(req: IncomingMessage): URL | undefined {
  const raw = req.url ?? '/'
  if (!raw.startsWith('/')) return undefined
  try {
    return new URL(raw, 'https://target.invalid')
  } catch {
    return undefined
  }
}

/** The 500 for an exception nobody expected: one problem for this request and a log line with its trace id; never a stack to the client. */
export function answerUnexpected(
  res: ServerResponse,
  rc: RequestContext,
  err: unknown,
  where: string,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): void {
  log(`${where} error trace=${rc.traceId}: ${(err as Error)?.stack ?? String(err)}`)
  try {
    if (!res.headersSent && !res.destroyed) {
      sendProblem(res, rc, {status: 500, code: 'INTERNAL', title: 'Internal error', detail: 'See the platform log for the trace id.'})
    } else {
      res.destroy()
    }
  } catch {
    res.destroy()
  }
}
