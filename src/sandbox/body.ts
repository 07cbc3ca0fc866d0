// The one way the local platform's services read a request body: a limit per route, the route's content types, and a refusal that can still be answered.
import type {IncomingMessage} from 'node:http'

/** What a route takes when it says nothing else: small, for JSON commands and sign-in forms. */
const DEFAULT_BODY_LIMIT = 16 * 1024

/**
 * How much of an oversized body is read and thrown away so the client finishes sending and can read the refusal;
 * past this the server stops reading (the client may then see a reset rather than the answer).
 */
const DRAIN_LIMIT = 1024 * 1024

export interface BodyOptions {
  /** Media types the route takes (lower-case, without parameters), e.g. ['application/json']. */
  types: readonly string[]
  /** Bytes; default DEFAULT_BODY_LIMIT. */
  limit?: number
}

/** A body refused before it was used: 400, 411, 413 or 415. `close` means the connection must not be reused (unread bytes on it). */
export class BodyRejected extends Error {
  constructor(
    readonly status: 400 | 411 | 413 | 415,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly close: boolean,
  ) {
    super(title)
  }

  /** The headers every answer to this refusal carries. */
  get headers(): Record<string, string> {
    return this.close ? {connection: 'close'} : {}
  }
}

function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
}

/** True when the request announces a body (a non-zero Content-Length, or chunked). */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true
  const length = req.headers['content-length']
  return length !== undefined && length !== '0'
}

/** Reads the whole body within the limit. Rejects with BodyRejected only after the request has been drained (or draining was given up). */
export function readBody(req: IncomingMessage, options: BodyOptions): Promise<Buffer> {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT
  if (!hasBody(req)) return Promise.resolve(Buffer.alloc(0))
  const type = mediaTypeOf(req)
  if (!options.types.includes(type)) {
    const detail = `Send the body as ${options.types.join(' or ')}${type ? ` (not ${type})` : ''}.`
    return drainThenReject(req, new BodyRejected(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body has an unsupported content type', detail, true))
  }
  const tooLarge = () => new BodyRejected(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large', `This endpoint takes at most ${limit} bytes.`, true)
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return drainThenReject(req, tooLarge())

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        chunks.length = 0
        drainThenReject(req, tooLarge(), size).then(undefined, reject)
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks, size))
    }
    const onGone = () => {
      cleanup()
      reject(new BodyRejected(400, 'BODY_INCOMPLETE', 'The request body ended early', 'The client stopped sending before the body was complete.', true))
    }
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onGone)
      req.off('aborted', onGone)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onGone)
    req.on('aborted', onGone)
  })
}

/**
 * For a body that another parser reads (oidc-provider's pages): refuses it from its headers alone — wrong type, no
 * declared length, or too long — before that parser sees it; undefined when it may pass.
 */
export async function screenBody(req: IncomingMessage, options: BodyOptions): Promise<BodyRejected | undefined> {
  if (!hasBody(req)) return undefined
  const limit = options.limit ?? DEFAULT_BODY_LIMIT
  const type = mediaTypeOf(req)
  const declared = req.headers['content-length']
  let rejection: BodyRejected | undefined
  if (!options.types.includes(type)) {
    rejection = new BodyRejected(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'The request body has an unsupported content type',
      `Send the body as ${options.types.join(' or ')}.`,
      true,
    )
  } else if (declared === undefined) {
    rejection = new BodyRejected(411, 'LENGTH_REQUIRED', 'The request body needs a Content-Length', 'Send the body with a Content-Length header.', true)
  } else if (!/^\d+$/.test(declared) || Number(declared) > limit) {
    rejection = new BodyRejected(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large', `This endpoint takes at most ${limit} bytes.`, true)
  }
  if (!rejection) return undefined
  return drainThenReject(req, rejection).catch((err: BodyRejected) => err)
}

/**
 * Throws the rest of the body away (up to DRAIN_LIMIT) and then rejects, so the refusal is sent once the client has
 * stopped sending — closing a socket that still has unread bytes would reset it and lose the answer.
 */
function drainThenReject(req: IncomingMessage, rejection: BodyRejected, alreadyRead = 0): Promise<never> {
  return new Promise((_, reject) => {
    let read = alreadyRead
    if (req.readableEnded) {
      reject(rejection)
      return
    }
    const done = () => {
      req.off('data', onData)
      req.off('end', done)
      req.off('error', done)
      req.off('close', done)
      reject(rejection)
    }
    const onData = (chunk: Buffer) => {
      read += chunk.length
      if (read > DRAIN_LIMIT) {
        req.pause()
        done()
      }
    }
    req.on('data', onData)
    req.on('end', done)
    req.on('error', done)
    req.on('close', done)
    req.resume()
  })
}

/** A JSON object body (empty body → {}); BodyRejected with 400 when it is not one. */
export async function readJsonObject(req: IncomingMessage, options: Omit<BodyOptions, 'types'> = {}): Promise<Record<string, unknown>> {
  const text = (await readBody(req, {...options, types: ['application/json']})).toString('utf8')
  if (!text) return {}
  try {
    const body = JSON.parse(text) as unknown
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>
  } catch {
    // fall through
  }
  throw new BodyRejected(400, 'INVALID_BODY', 'The request body must be a JSON object', 'Send a JSON object, e.g. {"key": "value"}.', false)
}
