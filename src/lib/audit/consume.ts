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

const DEFAULT_HEARTBEAT_MS = 15_000
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
  constructor(
    private readonly deps: ConsumeDeps,
    private readonly options: ConsumeOptions,
  ) {}

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
      return "the cluster is no longer the tenant's active one (421)"
    }
    // A revoked session is final: a renewed token would be refused too, or would hide the revocation.
    if (response.status === 401 && problem.code !== 'SESSION_REVOKED' && this.unauthorized++ < 2) {
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

/** The reason a timer is cancelled with: abort() without one makes a DOMException (and its stack) every time. */
const CANCELLED = Object.freeze({cancelled: true})

/** A one-shot timer on the injected clock: `fire` runs after `ms` unless the returned cancel ran first. */
function timer(clock: Clock, ms: number, fire: () => void): () => void {
  const cancelled = new AbortController()
  clock.sleep(Math.max(0, ms), cancelled.signal).then(
    () => cancelled.signal.aborted || fire(),
    () => {},
  )
  return () => cancelled.abort(CANCELLED)
}

/** What one connection ended with, and so what the next step is. */
type Outcome = {next: 'finished'} | {next: 'stop'} | {next: 'renew-token'} | {next: 'reconnect'; reason: string}

/** One connection's own state: dropped with it, so a frame cut with the connection is never delivered half. */
interface Connection {
  conn: AbortController
  reader?: ReadableStreamDefaultReader<Uint8Array>
  /** Why this consumer ended the connection itself (the watchdog, the token timer). */
  planned?: string
  cancelWatchdog(): void
  cancelTokenTimer(): void
  abort(): void
}

class Consumer {
  private readonly retry: Retry
  private readonly path: string
  private readonly learn: boolean
  private heartbeatMs: number
  private last: number | undefined
  private events = 0
  /** --until passed (with --follow): stop as after Ctrl-C, but not interrupted. */
  private done = false
  private readonly stopped = new AbortController()

  constructor(
    private readonly deps: ConsumeDeps,
    private readonly options: ConsumeOptions,
  ) {
    this.retry = new Retry(deps, options)
    this.last = options.after
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
    this.learn = options.heartbeatMs === undefined
    // Without --follow: the history up to the head, which the platform ends with an end frame.
    this.path = `/v1/audit/stream${query(options.filters, options.follow ? {} : {end: 'head'})}`
  }

  private get halted() {
    return this.options.signal.aborted || this.done
  }

  private result(): ConsumeResult {
    return {events: this.events, lastSeq: this.last, reconnects: this.retry.reconnects, interrupted: this.options.signal.aborted}
  }

  async run(): Promise<ConsumeResult> {
    const {stopAt} = this.options
    const cancelStop =
      stopAt === undefined
        ? () => {}
        : timer(this.deps.clock, stopAt - this.deps.clock.now(), () => {
            this.done = true
            this.stopped.abort()
          })
    try {
      while (!this.halted) {
        const outcome = await this.connection()
        if (outcome.next === 'finished') return {...this.result(), interrupted: false}
        if (outcome.next === 'stop' || !(await this.resume(outcome))) break
      }
    } finally {
      cancelStop()
    }
    return this.result()
  }

  /** One connection, from open to its end: what to do next, or a fatal error. */
  private async connection(): Promise<Outcome> {
    const c = this.connect()
    try {
      const body = await this.checkAnswer(await this.open(c))
      if (typeof body === 'string') return this.classify(c, {reason: body})
      return await this.read(c, body)
    } catch (err) {
      return this.classify(c, {err})
    } finally {
      c.cancelWatchdog()
      c.cancelTokenTimer()
      c.abort()
    }
  }

  private connect(): Connection {
    const {signal} = this.options
    const c: Connection = {
      conn: new AbortController(),
      cancelWatchdog: () => {},
      cancelTokenTimer: () => {},
      // Aborting the request does not always end a body already being read: cancel the reader too.
      abort: () => {
        c.conn.abort()
        c.reader?.cancel().catch(() => {})
        signal.removeEventListener('abort', c.abort)
        this.stopped.signal.removeEventListener('abort', c.abort)
      },
    }
    signal.addEventListener('abort', c.abort)
    this.stopped.signal.addEventListener('abort', c.abort)
    return c
  }

  /** Step 1: GET the stream from the last seq delivered, with what the previous attempt asked to do differently. */
  private async open(c: Connection): Promise<Opened & {c: Connection}> {
    const headers: Record<string, string> = {accept: 'text/event-stream'}
    if (this.last !== undefined) headers['last-event-id'] = String(this.last)
    const opened = await this.deps.open(this.path, headers, {refreshRoute: this.retry.refreshRoute, forceToken: this.retry.forceToken, signal: c.conn.signal})
    this.retry.refreshRoute = false
    this.retry.forceToken = false
    if (opened.response.ok && opened.response.body && opened.tokenExpiresAt !== undefined) {
      c.cancelTokenTimer = timer(this.deps.clock, opened.tokenExpiresAt - TOKEN_RENEW_MARGIN_MS - this.deps.clock.now(), () => {
        c.planned = 'token'
        c.abort()
      })
    }
    return {...opened, c}
  }

  /** Step 2: the body to read, or why to reconnect; a fatal answer throws. */
  private async checkAnswer({response}: Opened): Promise<ReadableStream<Uint8Array> | string> {
    if (!response.ok) return this.retry.answer(response, this.last, 'Streaming the audit log')
    if (!response.body) return 'an empty answer'
    if (!this.options.follow && response.headers.get('x-audit-stream-end') !== 'head') throw new EndUnsupportedError()
    this.deps.status?.({type: 'connected', after: this.last})
    return response.body
  }

  /** Step 3: frames in order, batch by batch, under the watchdog, until the end frame, a cut or a planned end. */
  private async read(c: Connection, body: ReadableStream<Uint8Array>): Promise<Outcome> {
    const {clock} = this.deps
    let pending: AuditFrame[] = []
    let finished = false
    let ahead: CursorAheadError | undefined
    let lastHeartbeat: number | undefined
    const seen = () => (pending.length > 0 ? pending[pending.length - 1].seq : this.last)
    // The watchdog: one timer at a time, not one per chunk (a timer and an AbortController per 64 KB read cost a few
    // % of a fast stream). When it fires it looks at when the last bytes came, and sleeps again for the rest.
    let lastBytes = clock.now()
    let delivering = false
    const watch = (ms: number) => {
      c.cancelWatchdog = timer(clock, ms, () => {
        const limit = 3 * this.heartbeatMs
        // The watchdog guards the server's silence, not ours: a slow reader of stdout (or --exec) is not a dead stream.
        if (delivering) return watch(limit)
        const rest = lastBytes + limit - clock.now()
        if (rest > 0) return watch(rest)
        c.planned = `no bytes for ${Math.round(limit / 100) / 10} s (3 heartbeat periods)`
        c.abort()
      })
    }
    const decoder = new SseDecoder({
      onFrame: (f) => {
        const prev = seen()
        if (prev === undefined || f.seq > prev) pending.push(f)
      },
      // Only a history run ends on the end frame; a live one ignores it.
      onEnd: (headSeq) => {
        if (this.options.follow) return
        // A platform that does not refuse a cursor ahead of its head (no 409) still tells the head here.
        const at = seen()
        if (at !== undefined && at > headSeq) ahead = new CursorAheadError(at, headSeq)
        finished = true
      },
      onHeartbeat: () => {
        this.retry.healthy()
        this.deps.status?.({type: 'heartbeat'})
        const now = clock.now()
        // The gap between two heartbeats is the server's period (longer when a full socket delayed one: safer).
        if (this.learn && lastHeartbeat !== undefined && now - lastHeartbeat > 0) this.heartbeatMs = now - lastHeartbeat
        lastHeartbeat = now
      },
    })
    watch(3 * this.heartbeatMs)
    c.reader = body.getReader()
    for (;;) {
      const {done: ended, value: chunk} = await c.reader.read()
      if (ended) break
      lastBytes = clock.now()
      decoder.feed(chunk)
      if (pending.length > 0) {
        const batch = pending
        pending = []
        delivering = true
        try {
          await this.deliver(batch)
        } finally {
          delivering = false
          lastBytes = clock.now()
        }
      }
      if (ahead) throw ahead
      if (finished) return {next: 'finished'}
      if (c.planned || this.halted) break
    }
    return this.classify(c, {reason: 'the platform closed the stream'})
  }

  private async deliver(batch: AuditFrame[]): Promise<void> {
    this.retry.healthy()
    await this.deps.emit(batch)
    this.last = batch[batch.length - 1].seq
    this.events += batch.length
  }

  /**
   * Step 4: what the end of a connection means — the platform's reason, or what the connection threw. A stop wins,
   * then an end this consumer planned; an error worth no other connection is thrown.
   */
  private classify(c: Connection, end: {reason: string} | {err: unknown}): Outcome {
    if (this.halted) return {next: 'stop'}
    if (c.planned === 'token') return {next: 'renew-token'}
    if (c.planned) return {next: 'reconnect', reason: c.planned}
    if ('reason' in end) return {next: 'reconnect', reason: end.reason}
    if (!isReconnectable(end.err)) throw end.err
    // A network failure may be the cluster's: ask the global service again before the next attempt.
    this.retry.refreshRoute = true
    return {next: 'reconnect', reason: describe(end.err)}
  }

  /** Step 5: get ready for the next connection; false when the wait was interrupted. */
  private async resume(outcome: Extract<Outcome, {next: 'renew-token' | 'reconnect'}>): Promise<boolean> {
    if (outcome.next === 'renew-token') {
      this.retry.forceToken = true
      this.deps.status?.({type: 'renewing-token', after: this.last})
      return true
    }
    return this.retry.wait(outcome.reason, this.last)
  }
}

export async function consumeAudit(deps: ConsumeDeps, options: ConsumeOptions): Promise<ConsumeResult> {
  return new Consumer(deps, options).run()
}
