// Writes to stdout without unbounded memory, and notices when the reader of stdout goes away (EPIPE).
import type {Writable} from 'node:stream'

/** Rejects at once when the stream can take no more (destroyed after EPIPE, or ended): a write must never wait forever. */
function closedError(stream: Writable): Error | undefined {
  if (!stream.destroyed && !stream.writableEnded) return undefined
  return Object.assign(new Error('the output stream is closed'), {code: 'ERR_STREAM_DESTROYED'})
}

export function writeFlushed(stream: Writable, text: string): Promise<void> {
  if (text === '') return Promise.resolve()
  const closed = closedError(stream)
  if (closed) return Promise.reject(closed)
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()))
  })
}

/** Writes and waits only when the stream's buffer is full ('drain'): throughput without unbounded memory. */
export function writeWithBackpressure(stream: Writable, text: string): Promise<void> {
  if (text === '') return Promise.resolve()
  const closed = closedError(stream)
  if (closed) return Promise.reject(closed)
  if (stream.write(text)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', done)
      stream.off('error', done)
      stream.off('close', onClose)
      if (err) reject(err)
      else resolve()
    }
    const onClose = () => done(closedError(stream) ?? new Error('the output stream is closed'))
    stream.on('drain', done)
    stream.on('error', done)
    stream.on('close', onClose)
  })
}

export interface OutputWatch {
  /** Aborted once the stream errs (EPIPE: its reader exited) or closes. */
  readonly signal: AbortSignal
  closed(): boolean
  dispose(): void
}

/**
 * Watches stdout for its reader going away. Without this, `ppctl audit stream --follow | head` would never end:
 * oclif swallows stdout's EPIPE, and a live stream has no end of its own.
 */
export function watchOutput(stream: Writable): OutputWatch {
  const controller = new AbortController()
  const onGone = () => controller.abort()
  stream.on('error', onGone)
  stream.on('close', onGone)
  if (stream.destroyed) controller.abort()
  return {
    signal: controller.signal,
    closed: () => controller.signal.aborted,
    dispose() {
      stream.off('error', onGone)
      stream.off('close', onGone)
    },
  }
}
