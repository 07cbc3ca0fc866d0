// Writes to a stream and resolves once the data is handed to the OS (the write callback), so memory stays flat.
import type {Writable} from 'node:stream'

export function writeFlushed(stream: Writable, text: string): Promise<void> {
  if (text === '') return Promise.resolve()
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()))
  })
}

/** Writes and waits only when the stream's buffer is full ('drain'): throughput without unbounded memory. */
export function writeWithBackpressure(stream: Writable, text: string): Promise<void> {
  if (text === '' || stream.write(text)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', done)
      stream.off('error', done)
      if (err) reject(err)
      else resolve()
    }
    stream.on('drain', done)
    stream.on('error', done)
  })
}
