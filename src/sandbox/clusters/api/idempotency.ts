// Writes under an optional Idempotency-Key: the answer is stored in the same transaction as the change and replayed.
import {createHash} from 'node:crypto'

import {sendJson} from '../../http-util.js'
import type {Tx} from '../tenant-store.js'
import type {Ctx} from './context.js'
import {problem} from './problem.js'
import {header} from './request.js'

/**
 * A key seen before with the same request replays the stored answer; with a different request it is
 * 422 IDEMPOTENCY_KEY_REUSED.
 */
export async function idempotent(ctx: Ctx, body: unknown, run: (tx: Tx) => {status: number; body: unknown}): Promise<void> {
  const key = header(ctx.req, 'idempotency-key')
  if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key))
    throw problem(400, 'INVALID_IDEMPOTENCY_KEY', 'The Idempotency-Key is not valid', '1–255 visible ASCII characters.')
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([ctx.principal.subject, ctx.method, ctx.path, body]))
    .digest('hex')
  const answer = ctx.store.write(ctx.tenantId, (tx) => {
    if (key !== undefined) {
      const seen = tx.get<{fingerprint: string; status: number; body: string}>(
        'SELECT fingerprint, status, body FROM idempotency WHERE tenant_id = ? AND key = ?',
        ctx.tenantId,
        key,
      )
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          throw problem(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request', 'Use a new key for a new request.')
        }
        return {status: seen.status, body: JSON.parse(seen.body) as unknown, replayed: true}
      }
    }
    const out = run(tx)
    if (key !== undefined) {
      tx.run(
        'INSERT INTO idempotency (tenant_id, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        ctx.tenantId,
        key,
        fingerprint,
        out.status,
        JSON.stringify(out.body),
        new Date().toISOString(),
      )
    }
    return {...out, replayed: false}
  })
  const etag = (answer.body as {etag?: unknown} | null)?.etag
  sendJson(ctx.res, answer.status, answer.body, {...(answer.replayed ? {'idempotent-replayed': 'true'} : {}), ...(typeof etag === 'string' ? {etag} : {})})
}
