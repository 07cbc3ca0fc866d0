// GET /v1/audit/stream: SSE framing, resume, retention, heartbeats, history-then-live and backpressure.
import {expect} from 'chai'
import {createParser, type EventSourceMessage} from 'eventsource-parser'
import type {IncomingMessage} from 'node:http'

import {event, getJson, openStream, startAuditServer, TENANT, type AuditServer} from '../helpers/audit-server.js'

interface Collector {
  seqs: number[]
  comments: string[]
  retry?: number
  lastEventId?: string
  /** Resolves when `predicate` holds after some chunk. */
  until(predicate: () => boolean): Promise<void>
}

/** Feeds a response into eventsource-parser, optionally only its first `cutAt(buffered)` bytes before destroying it. */
function collect(res: IncomingMessage, cutAt?: (received: string) => number | undefined): Collector {
  const c: Collector = {seqs: [], comments: [], until: () => Promise.resolve()}
  const waiters: Array<{predicate: () => boolean; resolve: () => void}> = []
  const check = () => {
    for (const w of [...waiters])
      if (w.predicate()) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
  }
  const parser = createParser({
    onEvent(m: EventSourceMessage) {
      expect(m.event).to.equal('audit')
      const e = JSON.parse(m.data) as {seq: number}
      expect(String(e.seq)).to.equal(m.id)
      c.seqs.push(e.seq)
      c.lastEventId = m.id
    },
    onComment: (comment) => c.comments.push(comment),
    onRetry: (ms) => (c.retry = ms),
  })
  let received = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    if (cutAt) {
      received += chunk
      const at = cutAt(received)
      if (at !== undefined) {
        parser.feed(received.slice(0, at))
        res.destroy()
        check()
        return
      }
      return
    }
    parser.feed(chunk)
    check()
  })
  c.until = (predicate) => (predicate() ? Promise.resolve() : new Promise((resolve) => waiters.push({predicate, resolve})))
  return c
}

const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => from + i)

describe('audit stream (Server-Sent Events and NDJSON)', () => {
  let server: AuditServer
  afterEach(() => server.close())

  it('serves history as SSE frames with id, event, data and retry, then live events', async () => {
    server = await startAuditServer({retryMs: 2500})
    server.reader.appendMany(Array.from({length: 5}, () => event()))
    const res = await openStream(`${server.base}/v1/audit/stream`)
    expect(res.statusCode).to.equal(200)
    expect(res.headers['content-type']).to.match(/^text\/event-stream/)
    expect(res.headers['cache-control']).to.equal('no-store')
    expect(res.headers['x-audit-stream-end']).to.equal(undefined)
    const c = collect(res)
    await c.until(() => c.seqs.length === 5)
    expect(c.retry).to.equal(2500)
    server.reader.append(event())
    await c.until(() => c.seqs.length === 6)
    expect(c.seqs).to.deep.equal(range(1, 6))
    res.destroy()
  })

  it('resumes from Last-Event-ID after the connection is cut in the middle of a frame: every event once, in order', async () => {
    server = await startAuditServer({batchSize: 7})
    server.reader.appendMany(Array.from({length: 40}, () => event()))
    const first = collect(await openStream(`${server.base}/v1/audit/stream`), (received) => {
      const start = received.indexOf('id: 23\n')
      // Cut 30 bytes into event 23's frame: its id line and part of its data arrived, the blank line did not.
      return start >= 0 && received.length >= start + 30 ? start + 30 : undefined
    })
    await first.until(() => first.seqs.length === 22)
    expect(first.seqs).to.deep.equal(range(1, 22))
    expect(first.lastEventId).to.equal('22')
    // Written while the client is away.
    server.reader.appendMany(Array.from({length: 10}, () => event()))
    const res = await openStream(`${server.base}/v1/audit/stream?after=3`, {'last-event-id': first.lastEventId!})
    const second = collect(res)
    server.reader.append(event())
    await second.until(() => second.seqs.length === 51 - 22)
    const all = [...first.seqs, ...second.seqs]
    expect(all).to.deep.equal(range(1, 51))
    res.destroy()
  })

  it('starts after ?after= when there is no Last-Event-ID', async () => {
    server = await startAuditServer()
    server.reader.appendMany(Array.from({length: 10}, () => event()))
    const res = await openStream(`${server.base}/v1/audit/stream?after=7`)
    const c = collect(res)
    await c.until(() => c.seqs.length === 3)
    server.reader.append(event())
    await c.until(() => c.seqs.length === 4)
    expect(c.seqs).to.deep.equal([8, 9, 10, 11])
    res.destroy()
  })

  it('answers 410 CURSOR_EXPIRED with how far back events are held, for ?after= and Last-Event-ID', async () => {
    server = await startAuditServer()
    server.reader.appendMany(Array.from({length: 30}, () => event()))
    server.reader.prune(TENANT, 21)
    for (const [url, headers] of [
      [`${server.base}/v1/audit/stream?after=5`, {}],
      [`${server.base}/v1/audit/stream`, {'last-event-id': '19'}],
    ] as const) {
      const res = await getJson(url, headers)
      expect(res.status).to.equal(410)
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
      expect(res.body).to.include({code: 'CURSOR_EXPIRED', oldestRetainedSeq: 21})
      expect(Number.isNaN(Date.parse(res.body.oldestRetainedTime as string))).to.equal(false)
    }
    const ok = await openStream(`${server.base}/v1/audit/stream`, {'last-event-id': '20'})
    const c = collect(ok)
    await c.until(() => c.seqs.length === 10)
    expect(c.seqs).to.deep.equal(range(21, 30))
    ok.destroy()
    const bad = await getJson(`${server.base}/v1/audit/stream`, {'last-event-id': 'abc'})
    expect(bad.status).to.equal(400)
  })

  it('answers 409 CURSOR_AHEAD with the head for a cursor beyond the last seq, live or end=head, ?after= or Last-Event-ID', async () => {
    server = await startAuditServer()
    server.reader.appendMany(Array.from({length: 4}, () => event()))
    for (const [url, headers] of [
      [`${server.base}/v1/audit/stream?after=1004`, {}],
      [`${server.base}/v1/audit/stream?end=head`, {'last-event-id': '1004'}],
      [`${server.base}/v1/audit/stream`, {'last-event-id': '5', accept: 'application/x-ndjson'}],
    ] as const) {
      const res = await getJson(url, headers)
      expect(res.status, url).to.equal(409)
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
      expect(res.body).to.include({code: 'CURSOR_AHEAD', headSeq: 4})
    }
    // At the head: the stream opens and waits for the next event.
    const ok = await openStream(`${server.base}/v1/audit/stream`, {'last-event-id': '4'})
    const c = collect(ok)
    server.reader.append(event())
    await c.until(() => c.seqs.length === 1)
    expect(c.seqs).to.deep.equal([5])
    ok.destroy()
  })

  it('sends heartbeat comments while idle', async () => {
    server = await startAuditServer({heartbeatMs: 25})
    const res = await openStream(`${server.base}/v1/audit/stream`)
    const c = collect(res)
    await c.until(() => c.comments.filter((x) => x.trim().startsWith('heartbeat')).length >= 3)
    expect(c.seqs).to.deep.equal([])
    res.destroy()
  })

  it('goes from history to live without a gap or a duplicate while events are appended during the catch-up', async () => {
    server = await startAuditServer({batchSize: 25})
    server.reader.appendMany(Array.from({length: 1000}, () => event()))
    const res = await openStream(`${server.base}/v1/audit/stream`)
    const c = collect(res)
    let appended = 1000
    // Append on every chunk the client receives, so appends interleave with the catch-up reads.
    res.on('data', () => {
      if (appended < 3000) {
        server.reader.appendMany(Array.from({length: 40}, () => event()))
        appended += 40
      }
    })
    await c.until(() => appended >= 3000 && c.seqs.length === appended)
    expect(c.seqs).to.deep.equal(range(1, appended))
    res.destroy()
  })

  it('with end=head sends the events up to the head as the request found it, then an end frame, and ends the response', async () => {
    server = await startAuditServer({batchSize: 7})
    server.reader.appendMany(Array.from({length: 25}, (_, i) => event({action: i % 5 === 0 ? 'signin' : 'token.issued'})))
    /** The whole response: its audit ids and end frames, once the server has ended it. */
    const read = async (query: string, headers: Record<string, string> = {}) => {
      const res = await openStream(`${server.base}/v1/audit/stream?${query}`, headers)
      expect(res.headers['x-audit-stream-end']).to.equal('head')
      // Appended after the request arrived: past the head it answers up to.
      server.reader.appendMany(Array.from({length: 3}, () => event()))
      const seqs: number[] = []
      const ends: unknown[] = []
      const parser = createParser({onEvent: (m) => (m.event === 'end' ? ends.push(JSON.parse(m.data)) : seqs.push(Number(m.id)))})
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => parser.feed(chunk))
      await new Promise((resolve) => res.on('end', resolve))
      return {status: res.statusCode, seqs, ends}
    }
    expect(await read('end=head')).to.deep.equal({status: 200, seqs: range(1, 25), ends: [{headSeq: 25}]})
    // Resumed (Last-Event-ID) with a filter: only the matching events, and the end frame at the new head.
    expect(await read('end=head&action=signin', {'last-event-id': '5'})).to.deep.equal({status: 200, seqs: [6, 11, 16, 21], ends: [{headSeq: 28}]})
    // Nothing left after the cursor: just the end frame.
    expect(await read('end=head&after=31')).to.deep.equal({status: 200, seqs: [], ends: [{headSeq: 31}]})
    const ndjson = await openStream(`${server.base}/v1/audit/stream?end=head&after=32`, {accept: 'application/x-ndjson'})
    let text = ''
    ndjson.setEncoding('utf8')
    ndjson.on('data', (chunk: string) => (text += chunk))
    await new Promise((resolve) => ndjson.on('end', resolve))
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as {seq?: number; end?: boolean}),
    ).to.deep.equal([
      ...[33, 34].map((seq) => ({...JSON.parse(JSON.stringify(server.reader.list({tenantId: TENANT, after: seq - 1, limit: 1})[0]))})),
      {end: true, headSeq: 34},
    ])
    const bad = await getJson(`${server.base}/v1/audit/stream?end=tomorrow`)
    expect(bad.status).to.equal(400)
    expect(bad.body).to.include({code: 'INVALID_PARAMETER', parameter: 'end'})
  })

  it('ends the response without an end frame when retention drops events a slow reader has not had yet', async () => {
    // The client's resume then answers 410 CURSOR_EXPIRED: never a silent jump over dropped events.
    let pruned = 0
    server = await startAuditServer({
      batchSize: 100,
      heartbeatMs: 3_600_000,
      probe: {
        onState(state) {
          if (state === 'blocked' && pruned === 0) {
            pruned = 15_000
            server.reader.prune(TENANT, pruned)
          }
        },
      },
    })
    server.reader.appendMany(Array.from({length: 20_000}, () => event({details: {padding: 'x'.repeat(900)}})))
    const res = await openStream(`${server.base}/v1/audit/stream?end=head`)
    const seqs: number[] = []
    const ends: string[] = []
    const parser = createParser({onEvent: (m) => (m.event === 'end' ? ends.push(m.data) : seqs.push(Number(m.id)))})
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => parser.feed(chunk))
    await new Promise((resolve) => res.on('end', resolve))
    expect(pruned).to.equal(15_000)
    expect(ends).to.deep.equal([])
    expect(seqs).to.deep.equal(range(1, seqs.length))
    expect(seqs.length).to.be.below(pruned - 1)
    const resumed = await getJson(`${server.base}/v1/audit/stream?end=head`, {'last-event-id': String(seqs.length)})
    expect(resumed.status).to.equal(410)
    expect(resumed.body).to.include({code: 'CURSOR_EXPIRED', oldestRetainedSeq: pruned})
  })

  it('speaks NDJSON when asked, one event per line, resuming with ?after=', async () => {
    server = await startAuditServer()
    server.reader.appendMany(Array.from({length: 6}, () => event()))
    const res = await openStream(`${server.base}/v1/audit/stream?after=2`, {accept: 'application/x-ndjson'})
    expect(res.headers['content-type']).to.match(/^application\/x-ndjson/)
    let text = ''
    res.setEncoding('utf8')
    await new Promise<void>((resolve) => {
      res.on('data', (chunk: string) => {
        text += chunk
        if (text.split('\n').filter(Boolean).length === 4) resolve()
      })
    })
    expect(text.endsWith('\n')).to.equal(true)
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as {seq: number; tenantId: string})
    expect(lines.map((e) => e.seq)).to.deep.equal([3, 4, 5, 6])
    expect(lines.every((e) => e.tenantId === TENANT)).to.equal(true)
    res.destroy()
  })

  it('stops writing to a client that does not read (write() returned false) and resumes on drain, with bounded buffers', async () => {
    const states: Array<{state: string; bytes: number; writableLength: number}> = []
    let onState: (() => void) | undefined
    server = await startAuditServer({
      batchSize: 100,
      heartbeatMs: 3_600_000,
      probe: {
        onState(state, info) {
          states.push({state, bytes: info.bytes, writableLength: info.writableLength})
          onState?.()
        },
      },
    })
    const padding = 'x'.repeat(900)
    const total = 30_000
    const res = await openStream(`${server.base}/v1/audit/stream`)
    res.pause()
    server.reader.appendMany(Array.from({length: total}, () => event({details: {padding}})))
    const blocked = () => states.find((s) => s.state === 'blocked')
    await new Promise<void>((resolve) => {
      onState = () => blocked() && resolve()
      if (blocked()) resolve()
    })
    const totalBytes = total * 1000
    // The whole log was appended at once, yet the stream stopped at the first full buffer and waited for 'drain'.
    expect(blocked()!.bytes).to.be.lessThan(totalBytes / 4)
    // Now read everything: it all arrives, in order, and the server's own buffer never held more than about one batch.
    const c = collect(res)
    res.resume()
    await c.until(() => c.seqs.length === total)
    expect(c.seqs).to.deep.equal(range(1, total))
    expect(c.seqs[c.seqs.length - 1]).to.equal(total)
    expect(Math.max(...states.map((s) => s.writableLength))).to.be.lessThan(100 * 1400 + 64 * 1024)
    // Every write that returned false was followed by a wait for 'drain' before the next batch: blocked and drained alternate,
    // and between two of them at most one batch (about 100 × 1.3 kB) was written.
    const flow = states.filter((s) => s.state === 'blocked' || s.state === 'drained')
    expect(flow.length).to.be.greaterThan(10)
    flow.forEach((s, i) => expect(s.state).to.equal(i % 2 === 0 ? 'blocked' : 'drained'))
    for (let i = 2; i < flow.length; i += 2) expect(flow[i].bytes - flow[i - 1].bytes).to.be.lessThan(100 * 1400)
    res.destroy()
  })
})
