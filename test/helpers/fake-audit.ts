// The audit log as the platform serves it, for the in-process audit command tests: events, SSE frames, scripted connections, a clock.
import {PassThrough, Readable, type Writable} from 'node:stream'

import {manualClock, type ManualClock} from './fake-clock.js'
import {TENANT} from './fake-platform.js'

export const START = Date.UTC(2026, 0, 1)

/** One AuditEvent (docs/openapi.yaml) a second apart from seq 1 on: a successful sign-in of the admin unless told. */
export function auditEvent(seq: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    time: new Date(START + seq * 1000).toISOString(),
    tenantId: TENANT,
    cluster: 'eastus-1',
    action: 'signin',
    result: 'succeeded',
    actor: {type: 'user', id: 'u-admin', upn: 'admin@contoso.example'},
    clientIp: '203.0.113.7',
    correlationId: `corr-${seq}`,
    ...over,
  }
}

export const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => from + i)

/** The SSE frame of an event: id, event type, the event as one line of JSON. */
export const frame = (e: Record<string, unknown>) => `id: ${String(e.seq)}\nevent: audit\ndata: ${JSON.stringify(e)}\n\n`
export const frames = (seqs: number[], over: (seq: number) => Record<string, unknown> = () => ({})) => seqs.map((s) => frame(auditEvent(s, over(s)))).join('')
/** The end frame of an end=head stream. */
export const endFrame = (headSeq: number) => `event: end\ndata: {"headSeq":${headSeq}}\n\n`
export const HEARTBEAT = ': heartbeat 2026-01-01T00:00:15.000Z\n\n'

/** The headers of a stream; `end=head` confirmed unless told otherwise. */
export const sseHeaders = (endHead = true) => ({
  'content-type': 'text/event-stream',
  'cache-control': 'no-store',
  ...(endHead ? {'x-audit-stream-end': 'head'} : {}),
})

/** A body that sends these chunks and then breaks (a reset connection: no clean end). */
export function cutBody(...chunks: string[]): Readable {
  async function* body() {
    for (const c of chunks) yield Buffer.from(c)
    throw Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})
  }
  return Readable.from(body())
}

/** A connection that stays open: `opened` resolves once the command has asked for it; the test writes or ends it. */
export interface OpenStream {
  body: PassThrough
  opened: Promise<void>
  /** For nock's reply(): marks the stream as asked for and hands over its body. */
  reply(): PassThrough
}

export function openStream(initial = 'retry: 3000\n\n'): OpenStream {
  const body = new PassThrough()
  let resolve!: () => void
  const opened = new Promise<void>((r) => (resolve = r))
  return {
    body,
    opened,
    reply() {
      body.write(initial)
      resolve()
      return body
    },
  }
}

/** Waits shorter than this (reconnect backoffs, at most 5 s) pass at once; longer ones (watchdog, token renewal, --until) wait for advance(). */
const SHORT_MS = 10_000

export interface StreamClock extends ManualClock {
  /** Every short wait that passed at once, in ms. */
  readonly backoffs: number[]
}

/**
 * The command's clock: time moves only by the backoffs the consumer sleeps or when the test moves it on, so a
 * watchdog (3 heartbeat periods), a token timer or --until never fire by themselves.
 */
export function streamClock(start = START): StreamClock {
  const clock = manualClock(start)
  const backoffs: number[] = []
  return {
    ...clock,
    backoffs,
    sleep(ms, signal) {
      if (ms > SHORT_MS) return clock.sleep(ms, signal)
      if (signal?.aborted) return Promise.reject(signal.reason as Error)
      backoffs.push(ms)
      clock.advance(ms)
      return Promise.resolve()
    },
  }
}

/** The lines of NDJSON output, parsed. */
export const ndjson = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

/**
 * Resolves once something was written to a fake stdout (a PassThrough nobody reads until the run ends) and the
 * writer's promise callbacks have run: a condition checked at each turn of the event loop, never a time.
 */
export async function untilWritten(stream: Writable, bytes = 1): Promise<void> {
  while ((stream as PassThrough).readableLength < bytes) await new Promise<void>((resolve) => setImmediate(resolve))
}
