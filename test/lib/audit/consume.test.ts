// The consumer against scripted connections: cut mid-frame, silent server (watchdog), token renewal, 421, 410, give-up.
import {expect} from 'chai'

import {ExitCode} from '../../../src/lib/errors/index.js'
import {backoffMs, consumeAudit, TOKEN_RENEW_MARGIN_MS, type ConsumeOptions, type OpenOptions, type StatusEvent} from '../../../src/lib/audit/consume.js'
import {REFRESH_AHEAD_MS} from '../../../src/lib/auth/token-lifecycle.js'
import type {AuditFrame} from '../../../src/lib/audit/sse-decoder.js'
import {manualClock, type ManualClock} from '../../helpers/fake-clock.js'

const frame = (seq: number) => `id: ${seq}\nevent: audit\ndata: {"seq":${seq},"time":"2026-01-01T00:00:00Z","action":"signin"}\n\n`
const enc = new TextEncoder()

/** A scripted SSE body: the test pushes text, cuts it, or leaves it silent. */
function body() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const stream = new ReadableStream<Uint8Array>({start: (c) => void (controller = c)})
  return {
    stream,
    push: (text: string) => controller.enqueue(enc.encode(text)),
    cut: () => controller.error(new TypeError('terminated')),
    close: () => controller.close(),
  }
}

interface Call {
  path: string
  headers: Record<string, string>
  options: OpenOptions
}

/** Time moves only when the test moves it, or by a backoff the consumer announced: no test waits on real time. */
function harness(
  script: (call: Call, n: number) => Response | Promise<Response>,
  extra: Partial<ConsumeOptions> = {},
  tokenExpiresAt?: (n: number) => number,
  clock: ManualClock = manualClock(),
) {
  const calls: Call[] = []
  const got: AuditFrame[] = []
  const statuses: StatusEvent[] = []
  const controller = new AbortController()
  let onEmit: ((frames: AuditFrame[]) => void) | undefined
  /** While set, emit waits for it: a reader of stdout that does not keep up. */
  let gate: Promise<void> | undefined
  let onStatus: (() => void) | undefined
  const run = consumeAudit(
    {
      clock,
      random: () => 0.5,
      open: async (path, headers, options) => {
        const call = {path, headers, options}
        calls.push(call)
        return {response: await script(call, calls.length), tokenExpiresAt: tokenExpiresAt?.(calls.length)}
      },
      emit: async (batch) => {
        got.push(...batch)
        onEmit?.(batch)
        await gate
      },
      status: (e) => {
        statuses.push(e)
        // The backoff passes at once: the consumer starts its wait right after announcing it.
        if (e.type === 'reconnecting') queueMicrotask(() => clock.advance(e.delayMs))
        onStatus?.()
      },
    },
    {follow: true, filters: {}, reconnectLimitMs: 10_000, signal: controller.signal, heartbeatMs: 60_000, ...extra},
  )
  return {
    calls,
    got,
    statuses,
    run,
    stop: () => controller.abort(),
    /** Holds every emit from now on until the returned function is called. */
    hold: () => {
      let release!: () => void
      gate = new Promise<void>((resolve) => (release = resolve))
      return () => {
        gate = undefined
        release()
      }
    },
    whenSeq: (seq: number) =>
      new Promise<void>((resolve) => {
        if (got.some((f) => f.seq === seq)) return resolve()
        onEmit = (b) => b.some((f) => f.seq === seq) && resolve()
      }),
    /** Resolves once the consumer reported `count` statuses of this type (it has acted on them). */
    whenStatus: (type: StatusEvent['type'], count = 1) =>
      new Promise<void>((resolve) => {
        const check = () => statuses.filter((s) => s.type === type).length >= count && resolve()
        onStatus = check
        check()
      }),
  }
}

/** Lets every pending promise callback and I/O callback run: the consumer has acted on what it was given. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve))

const sse = (stream: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Response(stream, {status: 200, headers: {'content-type': 'text/event-stream', ...headers}})

/**
 * After seq `last`: 1 ms short of `ms` from now the connection stays; at `ms` the consumer opens the next one (`next`),
 * which resumes after `last`.
 */
async function reconnectsAfter(h: ReturnType<typeof harness>, clock: ManualClock, ms: number, next: ReturnType<typeof body>, last: number) {
  clock.advance(ms - 1)
  await settled()
  expect(h.calls).to.have.length(1)
  clock.advance(1)
  next.push(frame(last + 1))
  await h.whenSeq(last + 1)
  h.stop()
  await h.run
  expect(h.calls).to.have.length(2)
  expect(h.calls[1].headers['last-event-id']).to.equal(String(last))
}

describe('audit consumer (scripted connections)', () => {
  it('resumes after a connection cut mid-frame with Last-Event-ID, delivering the cut event exactly once', async () => {
    const first = body()
    const second = body()
    const h = harness((_c, n) => sse(n === 1 ? first.stream : second.stream))
    first.push('retry: 100\n\n')
    for (let s = 1; s <= 41; s++) first.push(frame(s))
    await h.whenSeq(41)
    first.push(frame(42).slice(0, 30))
    first.cut()
    await new Promise<void>((resolve) => setImmediate(resolve))
    for (let s = 42; s <= 45; s++) second.push(frame(s))
    await h.whenSeq(45)
    h.stop()
    await h.run
    expect(h.calls[1].headers['last-event-id']).to.equal('41')
    expect(h.got.map((f) => f.seq)).to.deep.equal(Array.from({length: 45}, (_, i) => i + 1))
    expect(h.statuses.some((s) => s.type === 'reconnecting')).to.equal(true)
  })

  it('without --follow asks for end=head, resumes a history cut before its end frame, and finishes on the end frame', async () => {
    const a = body()
    const b = body()
    const h = harness((_c, n) => sse(n === 1 ? a.stream : b.stream, {'x-audit-stream-end': 'head'}), {follow: false})
    for (let s = 1; s <= 3; s++) a.push(frame(s))
    await h.whenSeq(3)
    // The connection closes cleanly but without an end frame: a cut, not the end of the history.
    a.close()
    for (let s = 4; s <= 6; s++) b.push(frame(s))
    b.push('event: end\ndata: {"headSeq":6}\n\n')
    const result = await h.run
    expect(h.calls.map((c) => c.path)).to.deep.equal(['/v1/audit/stream?end=head', '/v1/audit/stream?end=head'])
    expect(h.calls[1].headers['last-event-id']).to.equal('3')
    expect(h.got.map((f) => f.seq)).to.deep.equal([1, 2, 3, 4, 5, 6])
    expect(result).to.deep.include({events: 6, lastSeq: 6, interrupted: false, reconnects: 1})
  })

  it('without --follow refuses a platform that does not confirm end=head (it would stream on forever)', async () => {
    const a = body()
    const h = harness(() => sse(a.stream), {follow: false})
    const err = (await h.run.catch((e: unknown) => e)) as {code?: string; exitCode?: number; message?: string}
    expect(err).to.include({code: 'END_UNSUPPORTED', exitCode: ExitCode.ERROR})
    expect(err.message).to.match(/cannot tell where the history ends/)
  })

  it('with --follow ignores an end frame, and a malformed end frame never ends a history run', async () => {
    const live = body()
    const h = harness(() => sse(live.stream))
    live.push(frame(1))
    live.push('event: end\ndata: {"headSeq":1}\n\n')
    live.push(frame(2))
    await h.whenSeq(2)
    h.stop()
    expect(await h.run).to.include({interrupted: true, lastSeq: 2})

    const a = body()
    const b = body()
    const history = harness((_c, n) => sse(n === 1 ? a.stream : b.stream, {'x-audit-stream-end': 'head'}), {follow: false})
    a.push(frame(1))
    a.push('event: end\ndata: {"headSeq":\n\n')
    await history.whenSeq(1)
    a.close()
    b.push(frame(2))
    b.push('event: end\ndata: {"headSeq":2}\n\n')
    expect(await history.run).to.include({interrupted: false, lastSeq: 2, reconnects: 1})
  })

  it('hands each event on next to its exact text, parsed once when first read, the top-level fields where nested ones come first', async () => {
    const a = body()
    const h = harness(() => sse(a.stream))
    const text = '{"seq":1,"details":{"time":"nested","cluster":"nested"},"time":"2026-01-01T00:00:00Z","cluster":"eastus-1"}'
    a.push(`id: 1\nevent: audit\ndata: ${text}\n\nid: 2\nevent: audit\ndata: [2]\n\n`)
    await h.whenSeq(2)
    h.stop()
    await h.run
    expect(h.got[0].data).to.equal(text)
    expect(h.got[0].event).to.deep.include({time: '2026-01-01T00:00:00Z', cluster: 'eastus-1'})
    expect(h.got[0].event).to.equal(h.got[0].event)
    // Not a JSON object: the text still passes through as sent, with no fields to read.
    const {seq, data, event} = h.got[1]
    expect({seq, data, event}).to.deep.equal({seq: 2, data: '[2]', event: {}})
  })

  it('drops duplicates a server replays after a resume', async () => {
    const a = body()
    const b = body()
    const h = harness((_c, n) => sse(n === 1 ? a.stream : b.stream))
    for (let s = 1; s <= 3; s++) a.push(frame(s))
    await h.whenSeq(3)
    a.cut()
    for (let s = 2; s <= 5; s++) b.push(frame(s))
    await h.whenSeq(5)
    h.stop()
    await h.run
    expect(h.got.map((f) => f.seq)).to.deep.equal([1, 2, 3, 4, 5])
  })

  it('reconnects when no byte arrives for three heartbeat periods (the watchdog)', async () => {
    const silent = body()
    const live = body()
    const clock = manualClock()
    const h = harness((_c, n) => sse(n === 1 ? silent.stream : live.stream), {heartbeatMs: 30_000}, undefined, clock)
    silent.push(frame(1))
    await h.whenSeq(1)
    await settled()
    // Three heartbeat periods of silence: the watchdog opens a new connection after seq 1.
    await reconnectsAfter(h, clock, 90_000, live, 1)
    const reconnect = h.statuses.find((s) => s.type === 'reconnecting') as Extract<StatusEvent, {type: 'reconnecting'}>
    expect(reconnect.reason).to.match(/no bytes/)
  })

  it('does not count the time a slow reader of stdout takes as silence, and counts the silence after it', async () => {
    const a = body()
    const b = body()
    const clock = manualClock()
    const h = harness((_c, n) => sse(n === 1 ? a.stream : b.stream), {heartbeatMs: 30_000}, undefined, clock)
    const release = h.hold()
    a.push(frame(1))
    await h.whenSeq(1)
    // The batch is still being written after 200 s, well past three heartbeat periods: the connection stays.
    for (let i = 0; i < 4; i++) {
      clock.advance(50_000)
      await settled()
    }
    expect(h.calls).to.have.length(1)
    release()
    await settled()
    // From the end of that write, three periods of silence do end it.
    await reconnectsAfter(h, clock, 90_000, b, 1)
  })

  it('keeps a quiet stream open while heartbeats arrive', async () => {
    const a = body()
    const clock = manualClock()
    const h = harness(() => sse(a.stream), {heartbeatMs: 30_000}, undefined, clock)
    a.push(frame(1))
    await h.whenSeq(1)
    // Ten heartbeats, each two thirds of the watchdog's limit after the last: 200 s in all, yet no reconnect.
    for (let i = 1; i <= 10; i++) {
      clock.advance(60_000)
      a.push(': heartbeat\n\n')
      await h.whenStatus('heartbeat', i)
    }
    a.push(frame(2))
    await h.whenSeq(2)
    h.stop()
    await h.run
    expect(h.calls).to.have.length(1)
  })

  it("renews a stream's token before getAccessToken would renew it, so a reconnect never renews it by the way", () => {
    expect(TOKEN_RENEW_MARGIN_MS).to.be.greaterThan(REFRESH_AHEAD_MS)
  })

  it('renews the token before it expires and resumes at the right seq', async () => {
    const a = body()
    const b = body()
    const clock = manualClock()
    const h = harness(
      (_c, n) => sse(n === 1 ? a.stream : b.stream),
      {},
      (n) => clock.now() + (n === 1 ? TOKEN_RENEW_MARGIN_MS + 60_000 : 3_600_000),
      clock,
    )
    a.push(frame(1) + frame(2))
    await h.whenSeq(2)
    // A minute before the margin: still the first connection; at the margin, a new one with a forced token.
    await reconnectsAfter(h, clock, 60_000, b, 2)
    expect(h.calls[1].options.forceToken).to.equal(true)
    expect(h.statuses.map((s) => s.type)).to.include('renewing-token')
    expect(h.got.map((f) => f.seq)).to.deep.equal([1, 2, 3])
  })

  it('follows a 421 by re-resolving the route, and a 401 by forcing a new token', async () => {
    const a = body()
    const h = harness((_c, n) =>
      n === 1
        ? new Response('{"code":"WRONG_CLUSTER"}', {status: 421, headers: {'content-type': 'application/problem+json'}})
        : n === 2
          ? new Response('{"code":"TOKEN_EXPIRED"}', {status: 401, headers: {'content-type': 'application/problem+json'}})
          : sse(a.stream),
    )
    a.push(frame(1))
    await h.whenSeq(1)
    h.stop()
    await h.run
    expect(h.calls[1].options.refreshRoute).to.equal(true)
    expect(h.calls[2].options.forceToken).to.equal(true)
  })

  it('turns 410 CURSOR_EXPIRED into exit 7 saying how far back events are held', async () => {
    const h = harness(
      () =>
        new Response(JSON.stringify({code: 'CURSOR_EXPIRED', oldestRetainedSeq: 501, oldestRetainedTime: '2026-01-01T00:00:00.000Z'}), {
          status: 410,
          headers: {'content-type': 'application/problem+json'},
        }),
      {after: 10},
    )
    const err = await h.run.then(
      () => undefined,
      (e: unknown) => e as {exitCode: number; message: string; nextStep: string},
    )
    expect(err?.exitCode).to.equal(ExitCode.CONFLICT)
    expect(err?.message).to.match(/seq 501 \(2026-01-01T00:00:00.000Z\)/)
    expect(err?.nextStep).to.match(/--after 500/)
  })

  for (const follow of [false, true]) {
    it(`turns 409 CURSOR_AHEAD into exit 7 at once${follow ? ' with --follow' : ''}, naming the cursor and the head (no retry, no wait)`, async () => {
      const h = harness(
        () =>
          new Response(JSON.stringify({code: 'CURSOR_AHEAD', requestedAfter: 1004, headSeq: 4}), {
            status: 409,
            headers: {'content-type': 'application/problem+json'},
          }),
        {after: 1004, follow},
      )
      const err = await h.run.then(
        () => undefined,
        (e: unknown) => e as {code: string; exitCode: number; message: string; nextStep: string},
      )
      expect(err).to.include({code: 'CURSOR_AHEAD', exitCode: ExitCode.CONFLICT})
      expect(err?.message).to.match(/seq 1004.*ends at seq 4/)
      expect(err?.nextStep).to.match(/--after 4\b/)
      expect(h.calls).to.have.length(1)
      expect(h.statuses.filter((s) => s.type === 'reconnecting')).to.deep.equal([])
    })
  }

  it('without --follow, an end frame below the cursor (a platform without the 409) is CURSOR_AHEAD, not an empty history', async () => {
    const a = body()
    const h = harness(() => sse(a.stream, {'x-audit-stream-end': 'head'}), {after: 1004, follow: false})
    a.push('event: end\ndata: {"headSeq":4}\n\n')
    const err = await h.run.then(
      () => undefined,
      (e: unknown) => e as {code: string; exitCode: number; message: string},
    )
    expect(err).to.include({code: 'CURSOR_AHEAD', exitCode: ExitCode.CONFLICT})
    expect(err?.message).to.match(/seq 1004.*ends at seq 4/)
    expect(h.got).to.deep.equal([])
    // At the head: an empty history, exit 0.
    const b = body()
    const atHead = harness(() => sse(b.stream, {'x-audit-stream-end': 'head'}), {after: 4, follow: false})
    b.push('event: end\ndata: {"headSeq":4}\n\n')
    expect(await atHead.run).to.include({events: 0, lastSeq: 4, interrupted: false})
  })

  it('gives up with exit 8 when no connection works within the limit (never a silent exit 0)', async () => {
    const h = harness(() => Promise.reject(Object.assign(new TypeError('fetch failed'), {cause: {code: 'ECONNREFUSED'}})), {reconnectLimitMs: 300})
    const err = await h.run.then(
      () => undefined,
      (e: unknown) => e as {exitCode: number; code: string},
    )
    expect(err?.exitCode).to.equal(ExitCode.UNREACHABLE)
    expect(err?.code).to.equal('STREAM_LOST')
    expect(h.calls.length).to.be.greaterThan(1)
  })

  it('backs off exponentially with a cap', () => {
    expect(backoffMs(0, () => 0.5)).to.equal(0)
    expect(backoffMs(1, () => 0.5)).to.equal(200)
    expect(backoffMs(3, () => 0.5)).to.equal(800)
    expect(backoffMs(30, () => 0.5)).to.equal(5000)
  })
})
