// Writes to stdout without unbounded memory, and notices when the reader of stdout goes away (EPIPE).
import type {Writable} from 'node:stream'

/** Rejects at once when the stream can take no more (destroyed after EPIPE, or ended): a write must never wait forever. */
function closedError(stream: Writable): Error | undefined {
  if (!stream.destroyed && !stream.writableEnded) return undefined
  return Object.assign(new Error('the output stream is closed'), {code: 'ERR_STREAM_DESTROYED'})
}

const aborted = (signal: AbortSignal) => Object.assign(new Error('interrupted while writing'), {name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason})

/** Resolves once the data is handed to the OS (the write callback); rejects on a write error or when `signal` aborts first. */
export function writeFlushed(stream: Writable, text: string, signal?: AbortSignal): Promise<void> {
  if (text === '') return Promise.resolve()
  const closed = closedError(stream)
  if (closed) return Promise.reject(closed)
  if (signal?.aborted) return Promise.reject(aborted(signal))
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted(signal!))
    signal?.addEventListener('abort', onAbort, {once: true})
    stream.write(text, (err) => {
      signal?.removeEventListener('abort', onAbort)
      if (err) reject(err)
      else resolve()
    })
  })
}

/**
 * Writes and waits only when the stream's buffer is full ('drain'): throughput without unbounded memory.
 * `onWritten` runs once the OS has taken the data (a write still in Node's buffer can fail later with EPIPE).
 */
export function writeWithBackpressure(stream: Writable, text: string, onWritten?: () => void, signal?: AbortSignal): Promise<void> {
  if (text === '') {
    onWritten?.()
    return Promise.resolve()
  }
  const closed = closedError(stream)
  if (closed) return Promise.reject(closed)
  if (stream.write(text, (err) => err || onWritten?.())) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', done)
      stream.off('error', done)
      stream.off('close', onClose)
      signal?.removeEventListener('abort', onAbort)
      if (err) reject(err)
      else resolve()
    }
    const onClose = () => done(closedError(stream) ?? new Error('the output stream is closed'))
    const onAbort = () => done(aborted(signal!))
    stream.on('drain', done)
    stream.on('error', done)
    stream.on('close', onClose)
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, {once: true})
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
 * oclif swallows stdout's EPIPE, and a live stream has no end of its own. (A quiet stream notices only at its next
 * write: a pipe's hang-up is seen when something is written to it.)
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
