// The consumer: the SSE stream with resume, de-duplication by seq, watchdog, token renewal and backoff; for the
// history alone (no --follow) the same stream with end=head, which the platform ends with an end frame.
//
// Events reach `emit` strictly in seq order and never twice: a frame cut by a dropped connection is discarded with
// its decoder, and the next connection resumes with Last-Event-ID = the last seq emitted. Without --follow, only
// the end frame finishes the run: a connection that closes without it was cut, and is resumed like any other.
import type {Clock} from '../clock.js'
import {ExitCode, PlatformProblemError, PpctlError} from '../errors/index.js'
import {isNetworkFailure} from '../http/network-error.js'

import {problemError, readProblem} from '../platform/problem.js'
import {CursorAheadError, CursorExpiredError, EndUnsupportedError, StreamLostError} from './errors.js'
import {SseDecoder, type AuditFrame} from './sse-decoder.js'

export interface AuditFilters {
  since?: string
  until?: string
  action?: string
  actor?: string
  result?: 'succeeded' | 'failed'
}

export interface OpenOptions {
  /** Ask the global service again, ignoring the cache (after a 421 or an unreachable cluster). */
  refreshRoute: boolean
  /** Get a new access token even if the cached one looks fresh (after a 401, or before it expires mid-stream). */
  forceToken: boolean
  signal: AbortSignal
}

export interface Opened {
  response: Response
  /** When the token sent expires (epoch ms): the stream reconnects with a new one before then. */
  tokenExpiresAt?: number
}

export type StatusEvent =
  | {type: 'connected'; after: number | undefined}
  | {type: 'reconnecting'; reason: string; attempt: number; delayMs: number; after: number | undefined}
  | {type: 'renewing-token'; after: number | undefined}
  | {type: 'heartbeat'}

export interface ConsumeDeps {
  /** GET a path (with query) on the tenant's home cluster: route, allow-list, token. */
  open(path: string, headers: Record<string, string>, options: OpenOptions): Promise<Opened>
  clock: Clock
  /** Delivers a batch in order; resolves once it is flushed (and checkpointed). */
  emit(batch: AuditFrame[]): Promise<void>
  status?(event: StatusEvent): void
  random?: () => number
}

export interface ConsumeOptions {
  follow: boolean
  filters: AuditFilters
  /** Resume after this seq (from --after or a checkpoint); undefined = from the oldest retained event. */
  after?: number
  /** The server's heartbeat period; undefined = learn it from the stream (starting from 15 s). */
  heartbeatMs?: number
  /** Give up (exit 8) when no connection works for this long. */
  reconnectLimitMs: number
  /** With --follow --until: stop once the clock passes this (epoch ms). */
  stopAt?: number
  signal: AbortSignal
}

export interface ConsumeResult {
  events: number
  lastSeq?: number
  reconnects: number
  interrupted: boolean
}

export const DEFAULT_HEARTBEAT_MS = 15_000
/**
 * The stream moves to a new token a minute before getAccessToken would stop handing out the current one (its
 * REFRESH_AHEAD_MS, 5 min): a token that is still good for a one-shot command is renewed by a long-lived stream, so
 * the renewal happens on the stream (forced), never as a side effect of a reconnect racing the command's own margin.
 */
export const TOKEN_RENEW_MARGIN_MS = 6 * 60 * 1000
const BACKOFF_BASE_MS = 200
const BACKOFF_CAP_MS = 5_000

export function backoffMs(attempt: number, random: () => number = Math.random, capMs = BACKOFF_CAP_MS): number {
  if (attempt <= 0) return 0
  const base = Math.min(capMs, BACKOFF_BASE_MS * 2 ** (attempt - 1))
  return Math.round(base * (0.8 + 0.4 * random()))
}

/**
 * Worth another connection: non-PpctlErrors (undici's "terminated", socket errors), network failures, throttling or
 * the platform failing (exit 9, 5xx included), and a 421 from a cluster that is no longer the tenant's home.
 */
export function isReconnectable(err: unknown): boolean {
  if (!(err instanceof PpctlError)) return true
  return isNetworkFailure(err) || err.exitCode === ExitCode.THROTTLED || (err instanceof PlatformProblemError && err.status === 421)
}

function query(filters: AuditFilters, extra: Record<string, string>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries({...filters, ...extra})) if (v !== undefined && v !== '') q.set(k, v)
  const s = q.toString()
  return s ? `?${s}` : ''
}

class Retry {
  attempt = 0
  failingSince?: number
  reconnects = 0
  refreshRoute = false
  forceToken = false
  unauthorized = 0
  constructor(private readonly deps: ConsumeDeps, private readonly options: ConsumeOptions) {}

  healthy(): void {
    this.attempt = 0
    this.failingSince = undefined
    this.unauthorized = 0
  }

  /** Handles a non-2xx answer: fatal ones throw, others set what the next attempt must do differently. */
  async answer(response: Response, after: number | undefined, what: string): Promise<string> {
    const problem = await readProblem(response)
    if (response.status === 410) {
      const oldest = typeof problem.oldestRetainedSeq === 'number' ? problem.oldestRetainedSeq : undefined
      throw new CursorExpiredError(after ?? 0, oldest, typeof problem.oldestRetainedTime === 'string' ? problem.oldestRetainedTime : undefined)
    }
    if (response.status === 409 && problem.code === 'CURSOR_AHEAD' && Number.isSafeInteger(problem.headSeq)) {
      throw new CursorAheadError(after ?? 0, problem.headSeq as number)
    }
    if (response.status === 421) {
      this.refreshRoute = true
      return 'the cluster is no longer the tenant\'s active one (421)'
    }
    if (response.status === 401 && this.unauthorized++ < 2) {
      this.forceToken = true
      return 'the token was refused (401)'
    }
    const err = problemError(response.status, problem, what, response.headers.get('x-correlation-id') ?? undefined)
    if (isReconnectable(err)) return err.message
    throw err
  }

  /** Waits before the next attempt, or throws StreamLostError once the limit has passed. */
  async wait(reason: string, lastSeq: number | undefined): Promise<boolean> {
    const now = this.deps.clock.now()
    this.failingSince ??= now
    if (now - this.failingSince >= this.options.reconnectLimitMs) throw new StreamLostError(Math.round(this.options.reconnectLimitMs / 1000), lastSeq, reason)
    const delayMs = Math.min(backoffMs(this.attempt++, this.deps.random), Math.max(0, this.failingSince + this.options.reconnectLimitMs - now))
    this.reconnects++
    this.deps.status?.({type: 'reconnecting', reason, attempt: this.attempt, delayMs, after: lastSeq})
    try {
      if (delayMs > 0) await this.deps.clock.sleep(delayMs, this.options.signal)
    } catch {
      return false
    }
    return !this.options.signal.aborted
  }
}

function describe(err: unknown): string {
  if (err instanceof PpctlError) return `${err.code}: ${err.message}`
  const e = err as {message?: string; cause?: {code?: string; message?: string}}
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ') || String(err)
}

export async function consumeAudit(deps: ConsumeDeps, options: ConsumeOptions): Promise<ConsumeResult> {
  const retry = new Retry(deps, options)
  const {clock} = deps
  const {signal} = options
  let last = options.after
  let events = 0
  let heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  const learn = options.heartbeatMs === undefined
  // Without --follow: the history up to the head, which the platform ends with an end frame.
  const path = `/v1/audit/stream${query(options.filters, options.follow ? {} : {end: 'head'})}`
  let stopTimer: NodeJS.Timeout | undefined
  let done = false
  let finished = false
  let ahead: CursorAheadError | undefined
  const stopped = new AbortController()
  if (options.stopAt !== undefined) {
    stopTimer = setTimeout(() => {
      done = true
      stopped.abort()
    }, Math.max(0, options.stopAt - clock.now()))
  }
  try {
    while (!signal.aborted && !done) {
      const conn = new AbortController()
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
      // Aborting the request does not always end a body already being read: cancel the reader too.
      const abort = () => {
        conn.abort()
        reader?.cancel().catch(() => {})
      }
      signal.addEventListener('abort', abort)
      stopped.signal.addEventListener('abort', abort)
      let planned: string | undefined
      let watchdog: NodeJS.Timeout | undefined
      let tokenTimer: NodeJS.Timeout | undefined
      let reason = 'the platform closed the stream'
      let lastHeartbeat: number | undefined
      try {
        const headers: Record<string, string> = {accept: 'text/event-stream'}
        if (last !== undefined) headers['last-event-id'] = String(last)
        const opened = await deps.open(path, headers, {refreshRoute: retry.refreshRoute, forceToken: retry.forceToken, signal: conn.signal})
        retry.refreshRoute = false
        retry.forceToken = false
        const {response} = opened
        if (!response.ok || !response.body) {
          reason = response.ok ? 'an empty answer' : await retry.answer(response, last, 'Streaming the audit log')
        } else {
          if (!options.follow && response.headers.get('x-audit-stream-end') !== 'head') throw new EndUnsupportedError()
          deps.status?.({type: 'connected', after: last})
          const arm = () => {
            clearTimeout(watchdog)
            watchdog = setTimeout(() => {
              planned = `no bytes for ${Math.round((3 * heartbeatMs) / 100) / 10} s (3 heartbeat periods)`
              abort()
            }, 3 * heartbeatMs)
          }
          if (opened.tokenExpiresAt !== undefined) {
            tokenTimer = setTimeout(() => {
              planned = 'token'
              abort()
            }, Math.max(0, opened.tokenExpiresAt - TOKEN_RENEW_MARGIN_MS - clock.now()))
          }
          let pending: AuditFrame[] = []
          const decoder = new SseDecoder({
            onFrame: (f) => {
              const prev = pending.length > 0 ? pending[pending.length - 1].seq : last
              if (prev === undefined || f.seq > prev) pending.push(f)
            },
            // Only a history run ends on the end frame; a live one ignores it.
            onEnd: (headSeq) => {
              if (options.follow) return
              // A platform that does not refuse a cursor ahead of its head (no 409) still tells the head here.
              const seen = pending.length > 0 ? pending[pending.length - 1].seq : last
              if (seen !== undefined && seen > headSeq) ahead = new CursorAheadError(seen, headSeq)
              finished = true
            },
            onHeartbeat: () => {
              retry.healthy()
              deps.status?.({type: 'heartbeat'})
              const now = clock.now()
              // The gap between two heartbeats is the server's period (longer when a full socket delayed one: safer).
              if (learn && lastHeartbeat !== undefined && now - lastHeartbeat > 0) heartbeatMs = now - lastHeartbeat
              lastHeartbeat = now
            },
          })
          arm()
          reader = response.body.getReader()
          for (;;) {
            const {done: ended, value: chunk} = await reader.read()
            if (ended) break
            decoder.feed(chunk)
            if (pending.length > 0) {
              const batch = pending
              pending = []
              retry.healthy()
              // The watchdog guards the server's silence, not ours: a slow reader of stdout (or --exec) is not a dead stream.
              clearTimeout(watchdog)
              await deps.emit(batch)
              last = batch[batch.length - 1].seq
              events += batch.length
            }
            arm()
            if (ahead) throw ahead
            if (finished) return {events, lastSeq: last, reconnects: retry.reconnects, interrupted: false}
            if (planned || signal.aborted || done) break
          }
        }
      } catch (err) {
        if (signal.aborted || done) break
        if (!planned) {
          if (!isReconnectable(err)) throw err
          reason = describe(err)
          retry.refreshRoute = true
        }
      } finally {
        clearTimeout(watchdog)
        clearTimeout(tokenTimer)
        signal.removeEventListener('abort', abort)
        stopped.signal.removeEventListener('abort', abort)
        abort()
      }
      if (signal.aborted || done) break
      if (planned === 'token') {
        retry.forceToken = true
        deps.status?.({type: 'renewing-token', after: last})
        continue
      }
      if (!(await retry.wait(planned ?? reason, last))) break
    }
  } finally {
    clearTimeout(stopTimer)
  }
  return {events, lastSeq: last, reconnects: retry.reconnects, interrupted: signal.aborted}
}
