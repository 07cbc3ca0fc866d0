// The --debug trace lines of the HTTP client: one per request, response and failure, with every secret redacted.
import {redactForm, redactHeaders, redactText, redactUrl} from '../output/redact.js'

const FORM = /^application\/x-www-form-urlencoded\b/i

function formatHeaders(headers: Headers): string {
  const pairs = redactHeaders(headers.entries())
  return pairs.map(([name, value]) => `${name}: ${value}`).join('; ')
}

function byteLength(body: unknown): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body)
  if (body instanceof ArrayBuffer) return body.byteLength
  if (ArrayBuffer.isView(body)) return body.byteLength
  return undefined
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body
  if (body instanceof URLSearchParams) return body.toString()
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8')
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
  return undefined
}

/**
 * What a trace says about a request body: form bodies field by field with secret fields redacted;
 * any other body only by its type and size, since its fields cannot be told apart from secrets.
 */
export function describeBody(body: unknown, contentType: string | null): string | undefined {
  if (body === undefined || body === null) return undefined
  if (body instanceof URLSearchParams || (contentType !== null && FORM.test(contentType))) {
    const text = bodyText(body)
    if (text !== undefined) return redactForm(text)
  }
  const size = byteLength(body)
  const type = contentType ?? 'unknown type'
  return size === undefined ? `(${type}, streamed, not shown)` : `(${size} bytes of ${type}, not shown)`
}

export interface TraceRequest {
  method: string
  url: string | URL
  correlationId: string
  headers: Headers
  body?: unknown
  /** The proxy the request goes through, when one does. */
  proxy?: string
}

export function requestLine(req: TraceRequest): string {
  const via = req.proxy ? ` via proxy ${redactUrl(req.proxy)}` : ''
  const body = describeBody(req.body, req.headers.get('content-type'))
  return redactText(
    `HTTP → ${req.method} ${redactUrl(req.url)}${via} [correlation-id ${req.correlationId}] headers {${formatHeaders(req.headers)}}` +
      (body === undefined ? '' : ` body ${body}`),
  )
}

export function responseLine(req: TraceRequest, res: {status: number; url: string; redirected: boolean; headers: Headers}, elapsedMs: number): string {
  const finalUrl = res.redirected && res.url ? ` (after redirect: ${redactUrl(res.url)})` : ''
  return redactText(
    `HTTP ← ${res.status} ${req.method} ${redactUrl(req.url)}${finalUrl} ${elapsedMs} ms [correlation-id ${req.correlationId}] headers {${formatHeaders(res.headers)}}`,
  )
}

export function failureLine(req: TraceRequest, error: {code?: string; message?: string}, elapsedMs: number): string {
  return redactText(
    `HTTP ✗ ${req.method} ${redactUrl(req.url)} ${elapsedMs} ms [correlation-id ${req.correlationId}] ${error.code ?? 'ERROR'}: ${error.message ?? ''}`,
  )
}
