// List parameters of the cluster API: opaque keyset cursors, the page limit, and LIKE patterns for search.
import {problem} from './problem.js'

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 200

export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({k: key})).toString('base64url')
}

export function decodeCursor(cursor: string | null): string | undefined {
  if (!cursor) return undefined
  try {
    const k = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {k?: unknown}).k
    if (typeof k === 'string') return k
  } catch {
    // fall through
  }
  throw problem(400, 'INVALID_CURSOR', 'The cursor is not valid', 'Pass back the nextCursor of a previous page unchanged.')
}

export function limitOf(url: URL): number {
  const raw = url.searchParams.get('limit')
  if (raw === null) return DEFAULT_LIMIT
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw problem(400, 'INVALID_LIMIT', 'The limit is not valid', `limit must be an integer from 1 to ${MAX_LIMIT}.`)
  return n
}

export function likeOf(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
