// Serves a tenant's audit log as Server-Sent Events or NDJSON: history, then live, pulled from the store in order.
//
// Events are never queued per client: an append only wakes the loop, which reads the next batch after its cursor
// from the store. So the catch-up and the live tail are one ordered read (no gap, no duplicate), and a slow
// client costs one batch in the socket buffer: the loop waits for 'drain' whenever write() returns false.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {AuditFilters} from './query.js'
import type {AuditEvent, AuditReader} from './reader.js'

export type StreamFormat = 'sse' | 'ndjson'

/** What a stream is doing, for tests and diagnostics. */
export interface StreamProbe {
  onState?(state: 'blocked' | 'drained' | 'idle' | 'closed', info: {cursor: number; writes: number; bytes: number; writableLength: number}): void
}

export interface StreamOptions {
  heartbeatMs: number
  retryMs: number
  batchSize: number
  probe?: StreamProbe
  /** Aborted when the platform shuts down: the stream stops and ends its response cleanly. */
  signal?: AbortSignal
  /** `end=head`: the last seq to send (the log's head when the request arrived); then an end frame, and the response ends. */
  endAt?: number
}

export function negotiateFormat(req: IncomingMessage): StreamFormat {
  return /application\/x-ndjson/i.test(req.headers.accept ?? '') ? 'ndjson' : 'sse'
}

/** The end frame of an `end=head` stream: without it, a client cannot tell a finished history from a cut connection. */
function endFrame(format: StreamFormat, headSeq: number): string {
  return format === 'sse' ? `event: end\ndata: ${JSON.stringify({headSeq})}\n\n` : `${JSON.stringify({end: true, headSeq})}\n`
}

function frame(format: StreamFormat, e: AuditEvent): string {
  const json = JSON.stringify(e)
  return format === 'sse' ? `id: ${e.seq}\nevent: audit\ndata: ${json}\n\n` : `${json}\n`
}

export async function serveStream(
  req: IncomingMessage,
  res: ServerResponse,
  reader: AuditReader,
  tenantId: string,
  start: number,
  filters: AuditFilters,
  format: StreamFormat,
  options: StreamOptions,
): Promise<void> {
  let cursor = start
  let closed = false
  let pending = false
  let wake: (() => void) | undefined
  let release: (() => void) | undefined
  let blocked = false
  let writes = 0
  let bytes = 0
  const info = () => ({cursor, writes, bytes, writableLength: res.writableLength})
  const write = (text: string): boolean => {
    writes++
    bytes += Buffer.byteLength(text)
    return res.write(text)
  }

  const unsubscribe = reader.onAppend(tenantId, () => {
    pending = true
    wake?.()
  })
  const onClose = () => {
    closed = true
    wake?.()
  }
  const onShutdown = () => {
    onClose()
    release?.()
  }
  res.on('close', onClose)
  options.signal?.addEventListener('abort', onShutdown)
  if (options.signal?.aborted) closed = true
  req.socket.setNoDelay(true)
  res.writeHead(200, {
    'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  })
  if (format === 'sse') write(`retry: ${options.retryMs}\n: audit of tenant ${tenantId} after seq ${start}\n\n`)
  else res.flushHeaders()
  // A heartbeat keeps proxies and idle timeouts from closing a quiet stream; skipped while the socket is full.
  const heartbeat = setInterval(() => {
    if (!blocked && !closed) write(format === 'sse' ? `: heartbeat ${new Date().toISOString()}\n\n` : '\n')
  }, options.heartbeatMs)

  try {
    while (!closed) {
      pending = false
      // Retention may drop events while a slow client reads: end the response without an end frame, so the
      // client's resume gets 410 CURSOR_EXPIRED instead of a silent jump over what was dropped.
      if (reader.oldestRetainedSeq(tenantId) > cursor + 1) {
        res.end()
        break
      }
      const batch = reader.list({...filters, tenantId, after: cursor, through: options.endAt, limit: options.batchSize})
      if (options.endAt !== undefined && batch.length === 0) {
        // Every event up to the head is sent (with filters: every matching one): say so, and end the response.
        write(endFrame(format, options.endAt))
        res.end()
        break
      }
      if (batch.length === 0) {
        // With filters, skipped events still move the cursor, so the next read starts past them.
        if (Object.keys(filters).length > 0) cursor = Math.max(cursor, reader.lastSeq(tenantId))
        if (pending || closed) continue
        options.probe?.onState?.('idle', info())
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
        continue
      }
      let chunk = ''
      for (const e of batch) chunk += frame(format, e)
      cursor = batch[batch.length - 1].seq
      if (!write(chunk)) {
        blocked = true
        options.probe?.onState?.('blocked', info())
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done)
            res.off('close', done)
            release = undefined
            resolve()
          }
          res.on('drain', done)
          res.on('close', done)
          release = done
        })
        blocked = false
        if (!closed) options.probe?.onState?.('drained', info())
      }
    }
  } finally {
    clearInterval(heartbeat)
    unsubscribe()
    res.off('close', onClose)
    options.signal?.removeEventListener('abort', onShutdown)
    // On shutdown the client gets a clean end of stream (it resumes from its last id once the platform is back).
    if (options.signal?.aborted && !res.writableEnded) res.end()
    options.probe?.onState?.('closed', info())
  }
}
