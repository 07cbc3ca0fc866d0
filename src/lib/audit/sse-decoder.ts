// Turns the bytes of one SSE connection into audit frames (seq, the exact JSON text and its parsed event), heartbeats and retry advice.
import {isAscii} from 'node:buffer'

import {createParser, type EventSourceParser} from 'eventsource-parser'

export interface AuditFrame {
  seq: number
  /** The event exactly as the platform sent it (one JSON object, no newline). */
  data: string
  /** `data` parsed, once for every reader of the frame; `{}` when it is not a JSON object. */
  readonly event: Readonly<Record<string, unknown>>
}

function parseEvent(data: string): Readonly<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(data)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/**
 * A frame whose event is parsed when first read: NDJSON prints `data` as it came, and only the last event of a batch
 * is read (for the checkpoint), so most events are never parsed at all.
 */
class LazyFrame implements AuditFrame {
  #event: Readonly<Record<string, unknown>> | undefined
  constructor(
    readonly seq: number,
    readonly data: string,
  ) {}

  get event(): Readonly<Record<string, unknown>> {
    return (this.#event ??= parseEvent(this.data))
  }
}

export interface DecoderCallbacks {
  onFrame(frame: AuditFrame): void
  onHeartbeat?(): void
  onRetry?(ms: number): void
  /** The end frame of an `end=head` stream: every event up to the head was sent. */
  onEnd?(headSeq: number): void
}

/** One decoder per connection: a frame cut by a dropped connection is never delivered half. */
export class SseDecoder {
  private readonly parser: EventSourceParser
  private readonly text = new TextDecoder('utf-8')
  /** The TextDecoder holds no partial character: the last chunk was all ASCII (or none came yet). */
  private clean = true

  constructor(callbacks: DecoderCallbacks) {
    this.parser = createParser({
      onEvent: (e) => {
        if (e.event === 'end') {
          // Malformed: not an end (the run then resumes or gives up like after a cut), never a crash.
          let headSeq: unknown
          try {
            headSeq = (JSON.parse(e.data) as {headSeq?: unknown} | null)?.headSeq
          } catch {
            return
          }
          if (typeof headSeq === 'number' && Number.isSafeInteger(headSeq)) callbacks.onEnd?.(headSeq)
          return
        }
        if (e.event !== undefined && e.event !== 'audit') return
        const seq = Number(e.id)
        if (!Number.isSafeInteger(seq) || seq < 1) return
        callbacks.onFrame(new LazyFrame(seq, e.data))
      },
      onComment: (comment) => {
        if (comment.trim().startsWith('heartbeat')) callbacks.onHeartbeat?.()
      },
      onRetry: (ms) => callbacks.onRetry?.(ms),
    })
  }

  feed(chunk: Uint8Array): void {
    // ASCII (the common case) is its own UTF-8 decoding, and latin1 of it a copy into a one-byte string: a streaming
    // TextDecoder goes through ICU at a fraction of that speed. Only when nothing of a character is pending.
    const ascii = isAscii(chunk)
    const text =
      ascii && this.clean ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1') : this.text.decode(chunk, {stream: true})
    this.clean = ascii
    // One frame at a time: for every line, eventsource-parser looks for a CR in the rest of what it was fed, so a
    // 64 KB chunk of 500-byte frames costs ~100× its length. Cut after each blank line (the end of a frame), the
    // parser sees the same text in pieces, which a streaming parser must take alike.
    let from = 0
    for (let end = text.indexOf('\n\n', from); end !== -1; end = text.indexOf('\n\n', from)) {
      this.parser.feed(text.slice(from, end + 2))
      from = end + 2
    }
    if (from < text.length) this.parser.feed(from === 0 ? text : text.slice(from))
  }
}
