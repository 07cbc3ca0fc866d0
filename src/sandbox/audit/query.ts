// Parses and checks the audit API's query parameters and the resume cursor; the cursor's retention check.
import type {IncomingMessage} from 'node:http'

import type {Problem} from '../http-util.js'
import type {AuditQuery, AuditReader} from './reader.js'

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000

export type AuditFilters = Omit<AuditQuery, 'tenantId' | 'limit' | 'after'>

export class QueryError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title)
  }
}

const invalid = (name: string, detail: string) =>
  new QueryError({status: 400, code: 'INVALID_PARAMETER', title: `Invalid query parameter "${name}"`, detail, parameter: name})

function seqParam(name: string, value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined
  if (!/^\d{1,15}$/.test(value)) throw invalid(name, `"${name}" is an event seq: a non-negative integer.`)
  return Number(value)
}

function timeParam(name: string, value: string | null): string | undefined {
  if (value === null || value === '') return undefined
  const t = Date.parse(value)
  if (Number.isNaN(t)) throw invalid(name, `"${name}" is an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.`)
  return new Date(t).toISOString()
}

export function parseFilters(url: URL): AuditFilters {
  const filters: AuditFilters = {}
  const since = timeParam('since', url.searchParams.get('since'))
  const until = timeParam('until', url.searchParams.get('until'))
  if (since) filters.since = since
  if (until) filters.until = until
  const action = url.searchParams.get('action')
  if (action) {
    if (!/^[\w.*?:-]{1,100}$/.test(action)) throw invalid('action', 'An action glob is 1–100 letters, digits, ".", "_", ":", "-", "*" and "?".')
    filters.action = action
  }
  const actor = url.searchParams.get('actor')
  if (actor) {
    if (actor.length > 256) throw invalid('actor', 'An actor id, UPN or app id is at most 256 characters.')
    filters.actor = actor
  }
  const result = url.searchParams.get('result')
  if (result) {
    if (result !== 'succeeded' && result !== 'failed') throw invalid('result', '"result" is succeeded or failed.')
    filters.result = result
  }
  return filters
}

export function parseLimit(url: URL): number {
  const value = url.searchParams.get('limit')
  if (value === null || value === '') return DEFAULT_LIMIT
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) throw invalid('limit', `"limit" is an integer from 1 to ${MAX_LIMIT}.`)
  return Number(value)
}

/** The page cursor: `cursor` (from nextCursor) or `after`. */
export function parsePageCursor(url: URL): number | undefined {
  return seqParam('cursor', url.searchParams.get('cursor')) ?? seqParam('after', url.searchParams.get('after'))
}

/** The stream's resume point: Last-Event-ID wins over ?after=, because a reconnecting EventSource keeps its first URL. */
export function parseStreamCursor(req: IncomingMessage, url: URL): number | undefined {
  const header = req.headers['last-event-id']
  const lastEventId = Array.isArray(header) ? header[0] : header
  if (lastEventId !== undefined && lastEventId.trim() !== '') return seqParam('Last-Event-ID', lastEventId.trim())
  return seqParam('after', url.searchParams.get('after'))
}

/**
 * The stream's `end` parameter: absent or "never" = history then live, until the client leaves; "head" = the events
 * up to the log's head as it is when the request arrives, then an end frame and the end of the response.
 */
export function parseStreamEnd(url: URL): 'never' | 'head' {
  const value = url.searchParams.get('end')
  if (value === null || value === '' || value === 'never') return 'never'
  if (value === 'head') return 'head'
  throw invalid('end', '"end" is head (the history up to now, then the response ends) or never (the default: history, then live).')
}

/**
 * 409 CURSOR_AHEAD when the cursor is past the log's head: the log was reset or rolled back (a new data dir, a forced
 * failover that lost events). Waiting would skip every new event up to the cursor without a word.
 */
export function checkHead(reader: AuditReader, tenantId: string, after: number | undefined): void {
  if (after === undefined) return
  const head = reader.lastSeq(tenantId)
  if (after <= head) return
  throw new QueryError({
    status: 409,
    code: 'CURSOR_AHEAD',
    title: 'The cursor is ahead of the audit log',
    detail: `The cursor is seq ${after}, but the log's last event is seq ${head}: the log was reset or rolled back. Resume from after=${head} for new events only, or without a cursor for every retained event.`,
    requestedAfter: after,
    headSeq: head,
  })
}

/** 410 CURSOR_EXPIRED when events right after the cursor were already dropped by retention. */
export function checkRetention(reader: AuditReader, tenantId: string, after: number | undefined): void {
  if (after === undefined) return
  const oldest = reader.oldestRetainedSeq(tenantId)
  if (after + 1 >= oldest) return
  const oldestEvent = reader.list({tenantId, after: oldest - 1, limit: 1})[0]
  throw new QueryError({
    status: 410,
    code: 'CURSOR_EXPIRED',
    title: 'The cursor is older than the audit retention',
    detail: `Events after seq ${after} are no longer held; the oldest retained event is seq ${oldest}. Resume from after=${oldest - 1} and treat the gap as lost.`,
    requestedAfter: after,
    oldestRetainedSeq: oldest,
    oldestRetainedTime: oldestEvent?.time ?? null,
    lastSeq: reader.lastSeq(tenantId),
  })
}
