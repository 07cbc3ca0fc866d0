// `ppctl api`: a raw request to the home cluster or the global service — the path, body and headers checked, pages followed, the answer printed.
import {readFile} from 'node:fs/promises'
import type {Readable} from 'node:stream'

import type {Context} from '../context.js'
import {UsageError} from '../errors/index.js'
import {safeJsonStringify} from '../output/json.js'
import {text, type Rendered} from '../output/render.js'
import {sanitizeForTerminal} from '../output/sanitize.js'
import type {ApiResponse} from './client.js'

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
export type ApiMethod = (typeof METHODS)[number]

/** `ppctl api METHOD PATH` or `ppctl api PATH`: GET by default, POST when a body is given (like gh api). */
export function methodAndPath(first: string | undefined, second: string | undefined, hasBody: boolean): {method: ApiMethod; path: string} {
  if (first === undefined) throw new UsageError('API_PATH_INVALID', 'ppctl api needs a path, e.g. /v1/connectors.', {nextStep: 'See: ppctl api --help'})
  if (second === undefined) return {method: hasBody ? 'POST' : 'GET', path: first}
  const method = first.toUpperCase()
  if (!(METHODS as readonly string[]).includes(method)) {
    throw new UsageError('API_METHOD_INVALID', text`"${first}" is not an HTTP method ppctl sends.`.text, {nextStep: `Use one of ${METHODS.join(', ')}.`})
  }
  return {method: method as ApiMethod, path: second}
}

const PATH_HELP = 'Give a path under the API, such as /v1/connectors or /v1/users?limit=10 (not a URL); see: ppctl api --help'

/**
 * The path and query under the cluster's (or global service's) base URI. A URL, a scheme, `//host`, a backslash,
 * a `.` or `..` segment (percent-encoded too), a fragment or a control character would let the request leave the
 * API it is meant for — a token sent to another host or path — so they are refused before anything is sent.
 */
export function checkApiPath(given: string): string {
  const bad = (why: string) => new UsageError('API_PATH_INVALID', text`The path ${given} ${why}.`.text, {nextStep: PATH_HELP})
  if (given === '') throw bad('is empty')
  if (/[\u0000-\u0020\u007f-\u009f\s]/u.test(given)) throw bad('contains spaces or control characters (percent-encode them)')
  if (/^[a-z][a-z0-9+.-]*:/i.test(given)) throw bad('is a URL: ppctl api sends the request to the home cluster (or --global) itself')
  if (given.startsWith('//')) throw bad('names a host (//…)')
  if (given.includes('\\')) throw bad('contains a backslash')
  if (given.includes('#')) throw bad('contains a fragment (#)')
  const path = given.startsWith('/') ? given : `/${given}`
  const [pathname] = path.split('?', 1)
  for (const segment of pathname.split('/')) {
    let decoded = segment
    try {
      decoded = decodeURIComponent(segment)
    } catch {
      // A malformed escape is the platform's to refuse (400 INVALID_PATH); it cannot be a dot segment.
    }
    if (decoded === '.' || decoded === '..') throw bad('leaves the API (a . or .. segment)')
  }
  // What the client does with it: the resolved URL must stay on the base's origin, under its path.
  const base = new URL('https://api.invalid/base/')
  const url = new URL(path.replace(/^\//, ''), base)
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) throw bad('leaves the API')
  return path
}

/** Headers ppctl sets itself (the token, the host) or that belong to one connection, not to the request. */
const REFUSED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** `-H 'Name: value'` → lower-case names; Authorization (the profile's token is the only one sent), Host and hop-by-hop headers refused. */
export function parseHeaders(given: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const h of given) {
    const colon = h.indexOf(':')
    const name = colon > 0 ? h.slice(0, colon).trim() : ''
    const value = colon > 0 ? h.slice(colon + 1).trim() : ''
    if (!TOKEN.test(name) || /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
      // The value is not echoed: it may be a secret.
      throw new UsageError('API_HEADER_REFUSED', text`-H ${name || h.slice(0, 40)}: a header is "Name: value" on one line.`.text, {
        nextStep: 'For example: -H \'If-Match: "3"\'',
      })
    }
    const lower = name.toLowerCase()
    if (REFUSED_HEADERS.has(lower)) {
      throw new UsageError(
        'API_HEADER_REFUSED',
        text`-H ${name}: ppctl sets ${lower === 'authorization' || lower === 'proxy-authorization' ? "the credentials itself (the profile's token)" : 'this header itself'}; it cannot be given.`
          .text,
        {
          nextStep: lower === 'authorization' ? 'Sign in with the account to use (ppctl auth login, or --profile), then call ppctl api.' : `Drop -H ${name}.`,
        },
      )
    }
    headers[lower] = value
  }
  return headers
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/** -F key=value: true, false, null and numbers as JSON values, anything else a string. -f key=value: always a string. */
function fieldValue(value: string, typed: boolean): unknown {
  if (!typed) return value
  if (value === 'true') return true
  if (value === 'false') return false
  if (value === 'null') return null
  if (NUMBER.test(value)) return Number(value)
  return value
}

export interface Field {
  raw: string
  typed: boolean
}

/** The fields in the order given, each `key=value`, the last of a repeated key winning. */
export function parseFields(fields: readonly Field[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const {raw, typed} of fields) {
    const eq = raw.indexOf('=')
    if (eq <= 0) {
      throw new UsageError('API_FIELD_INVALID', text`${typed ? '-F' : '-f'} ${raw.slice(0, 60)}: a field is key=value.`.text, {
        nextStep: 'For example: -F displayName=Orders -F limit=5',
      })
    }
    Object.defineProperty(out, raw.slice(0, eq), {value: fieldValue(raw.slice(eq + 1), typed), enumerable: true, writable: true, configurable: true})
  }
  return out
}

const MAX_INPUT = 10 * 1024 * 1024

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buf.length
    if (size > MAX_INPUT) throw new UsageError('API_BODY_INVALID', '--input -: the body on stdin is over 10 MiB.', {nextStep: 'Send a smaller body.'})
    chunks.push(buf)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** --input FILE or - (stdin): a JSON document, checked here so a typo is a usage error, not the platform's 400. */
export async function readInput(ctx: Context, input: string): Promise<unknown> {
  const where = input === '-' ? 'stdin' : input
  let body: string
  try {
    body = input === '-' ? await readAll(ctx.io.stdin) : await readFile(input, 'utf8')
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError('API_BODY_INVALID', text`--input ${where}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`.text, {
      nextStep: 'Check the path given to --input (- reads stdin).',
    })
  }
  try {
    return JSON.parse(body.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new UsageError('API_BODY_INVALID', text`--input ${where}: not valid JSON (${(err as Error).message.split('\n')[0]}).`.text, {
      nextStep: 'Bodies are JSON: check the document, e.g. with: jq . FILE',
    })
  }
}

/** GET and HEAD carry no body: their fields go into the query string (as gh api does). */
export function withQuery(path: string, fields: Record<string, unknown>): string {
  const entries = Object.entries(fields)
  if (entries.length === 0) return path
  const [pathname, query = ''] = path.split(/\?(.*)/s, 2)
  const params = new URLSearchParams(query)
  for (const [k, v] of entries) params.set(k, v === null ? '' : String(v))
  return `${pathname}?${params.toString()}`
}

function withCursor(path: string, cursor: string): string {
  const [pathname, query = ''] = path.split(/\?(.*)/s, 2)
  const params = new URLSearchParams(query)
  params.delete('after')
  params.set('cursor', cursor)
  return `${pathname}?${params.toString()}`
}

export interface RawCall {
  method: ApiMethod
  path: string
  body?: unknown
  headers: Record<string, string>
  tenant?: string
  global?: boolean
}

const describe = (call: RawCall) => `${call.method} ${call.path.split('?')[0]}`

/** One request; an error answer throws the typed error of its status (404 → 6, 409/412 → 7, …). */
export function callApi(ctx: Context, call: RawCall): Promise<ApiResponse<unknown>> {
  return ctx.api().request<unknown>({
    method: call.method,
    path: call.path,
    body: call.body,
    headers: call.headers,
    tenant: call.tenant,
    global: call.global,
    raw: true,
    what: describe(call),
  })
}

interface Page {
  items: unknown[]
  nextCursor?: string | null
}

const isPage = (body: unknown): body is Page => {
  const page = body as Page
  return typeof body === 'object' && body !== null && Array.isArray(page.items) && (page.nextCursor == null || typeof page.nextCursor === 'string')
}

/**
 * --paginate: the page asked for, then one per `nextCursor` (passed back as `cursor`, the query otherwise kept, so
 * `limit` sets the page size), each item handed on as it arrives. A cursor that does not move stops it (exit 2).
 */
export async function paginate(ctx: Context, call: RawCall, onItem: (item: unknown) => void, onPage?: (r: ApiResponse<unknown>) => void): Promise<number> {
  let path = call.path
  const seen = new Set<string>()
  let count = 0
  for (;;) {
    const response = await callApi(ctx, {...call, path})
    onPage?.(response)
    if (!isPage(response.body)) {
      throw new UsageError('API_NOT_A_LIST', text`--paginate: the answer to ${describe(call)} is not a page ({items, nextCursor}).`.text, {
        nextStep: 'Drop --paginate for this endpoint.',
      })
    }
    for (const item of response.body.items) {
      onItem(item)
      count++
    }
    const next = response.body.nextCursor
    if (next === undefined || next === null || next === '') return count
    if (seen.has(next)) {
      throw new UsageError('API_NOT_A_LIST', text`--paginate: the platform gave the cursor ${next} twice; stopping.`.text, {
        nextStep: 'Report it with the correlation id (ppctl api -i shows it).',
      })
    }
    seen.add(next)
    path = withCursor(call.path, next)
  }
}

/** A JSON answer for stdout: indented at a terminal, one exact line otherwise; terminal-safe either way. */
export function writeBody(ctx: Context, body: unknown): void {
  if (body === undefined) return
  if (typeof body === 'string') {
    // Not JSON (an event stream, plain text): as sent into a pipe, made inert at a terminal.
    const out = ctx.io.stdoutIsTTY ? sanitizeForTerminal(body) : body
    ctx.io.stdout.write(out.endsWith('\n') ? out : `${out}\n`)
    return
  }
  ctx.io.stdout.write(safeJsonStringify(body, ctx.io.stdoutIsTTY ? 2 : undefined) + '\n')
}

/** One NDJSON line. */
export function writeLine(ctx: Context, value: unknown): void {
  ctx.io.stdout.write(safeJsonStringify(value) + '\n')
}

/** -i: the status line and the response headers, for stderr (stdout stays the body alone, for pipes). */
export function renderStatusAndHeaders(response: ApiResponse<unknown>): Rendered[] {
  const out: Rendered[] = [text`HTTP ${response.status}`]
  response.headers.forEach((value, name) => out.push(text`${name}: ${value}`))
  return out
}
