// Optimistic concurrency on connectors, environments, flows and policies: the ETag is the row version; If-Match is checked against it.
import type {Ctx} from './context.js'
import {problem} from './problem.js'
import {header} from './request.js'

export const etagOf = (c: {version: number}) => `"${c.version}"`

/** If-Match is required on connector state changes: 428 without it, 412 when it does not match. */
export function checkIfMatch(ctx: Ctx, row: {version: number}, required: boolean, what = 'connector', extra: Record<string, unknown> = {}): void {
  const given = header(ctx.req, 'if-match')
  if (!given) {
    if (required) throw problem(428, 'PRECONDITION_REQUIRED', 'If-Match is required', `Send the ${what}'s current ETag in If-Match.`)
    return
  }
  const tags = given.split(',').map((t) => t.trim().replace(/^W\//, ''))
  if (!tags.includes('*') && !tags.includes(etagOf(row))) {
    throw problem(412, 'PRECONDITION_FAILED', `The ${what} changed since you read it`, `Current ETag is ${etagOf(row)}; read it again.`, {
      currentEtag: etagOf(row),
      ...extra,
    })
  }
}
