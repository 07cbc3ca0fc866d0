// The platform's listeners: timeouts chosen on purpose, a 4xx for requests Node cannot parse, and an error boundary around every request.
import type {IncomingMessage, Server, ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'

import {answerUnexpected, correlationIdOf, newTraceId} from './http-util.js'

export interface ListenerTimeouts {
  /** All request headers within this (a slow-header client is cut); default 10 s. */
  headersMs: number
  /** The whole request, headers and body, within this; responses (the audit stream) are not bounded by it; default 30 s. */
  requestMs: number
  /** An idle keep-alive connection is closed after this; default 5 s. */
  keepAliveMs: number
}

const DEFAULT_TIMEOUTS: ListenerTimeouts = {headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000}

/** The given bounds over the defaults; headers never get longer than the whole request (Node refuses that). */
export function timeoutsOf(given: Partial<ListenerTimeouts> = {}): ListenerTimeouts {
  const t = {...DEFAULT_TIMEOUTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined))}
  return {...t, headersMs: Math.min(t.headersMs, t.requestMs)}
}

/** Options for http(s).createServer. Node checks the bounds every connectionsCheckingInterval (30 s by default): a fraction of the smallest here. */
export function listenerOptions(t: ListenerTimeouts) {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(t.headersMs / 4))),
  }
}

const CLIENT_ERRORS: Readonly<Record<string, [number, string, string, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request did not arrive in time'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'The request headers are too large'],
}

/**
 * Answers what Node's parser refuses (garbage, a bad target, headers too large, a client too slow) with one
 * problem+json and closes the connection, and logs it — Node's default answer is a bare 400 without a body.
 */
export function guardClientErrors(server: Server, where: string, log: (line: string) => void): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    try {
      const code = err.code ?? 'UNKNOWN'
      const address = (socket as Duplex & {remoteAddress?: string}).remoteAddress ?? 'unknown'
      if (code === 'ECONNRESET' || code === 'EPIPE') {
        socket.destroy()
        return
      }
      log(`${where}: ${code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'cut a slow client' : 'refused a malformed request'} (${code}) from ${address}`)
      const pending = (socket as Duplex & {_httpMessage?: ServerResponse})._httpMessage
      if (!socket.writable || pending?.headersSent) {
        socket.destroy()
        return
      }
      const [status, reason, problemCode, title] = CLIENT_ERRORS[code] ?? [400, 'Bad Request', 'BAD_REQUEST', 'The request could not be parsed']
      const body = JSON.stringify({
        type: `https://errors.sandbox.localhost/${problemCode.toLowerCase().replace(/_/g, '-')}`,
        status,
        code: problemCode,
        title,
        traceId: newTraceId(),
      })
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/problem+json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      )
      // A client that neither reads nor closes does not keep the socket.
      setTimeout(() => socket.destroy(), 1000).unref()
    } catch {
      socket.destroy()
    }
  })
}

/** The request listener inside an error boundary: a throw or a rejection becomes one 500 for that request, and a log line. */
export function guardRequests(handler: (req: IncomingMessage, res: ServerResponse) => unknown, where: string, log?: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const fail = (err: unknown) => answerUnexpected(res, {correlationId: correlationIdOf(req), traceId: newTraceId()}, err, where, log)
    try {
      const result = handler(req, res)
      if (result instanceof Promise) result.catch(fail)
    } catch (err) {
      fail(err)
    }
  }
}
