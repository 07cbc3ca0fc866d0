// License SKUs and assignments: seat counts, one user's licenses, and assign/revoke for one row or a whole file.
import {createHash} from 'node:crypto'

import type {Context} from '../context.js'
import {ConflictError, PlatformProblemError, PpctlError, toPpctlError} from '../errors/index.js'
import type {ErrorInfo} from './connectors.js'
import {skuNotFound, userNotFound} from './not-found.js'

export interface Seats {
  enabled: number
  consumed: number
  available: number
}

export interface Sku {
  id: string
  displayName: string
  grantsPremium: boolean
  capabilities: string[]
  seats: Seats
}

export interface HeldLicense {
  skuId: string
  displayName: string
  grantsPremium: boolean
  capabilities: string[]
  assignedAt: string
}

export async function listSkus(ctx: Context): Promise<Sku[]> {
  const {body} = await ctx.api().request<{items: Sku[]}>({path: '/v1/licenses/skus', what: 'Listing license SKUs'})
  return body.items
}

async function getSku(ctx: Context, id: string): Promise<Sku> {
  const {body} = await ctx
    .api()
    .request<Sku>({path: `/v1/licenses/skus/${encodeURIComponent(id)}`, what: `Reading license SKU ${id}`, notFound: {SKU_NOT_FOUND: skuNotFound(id)}})
  return body
}

export async function userLicenses(ctx: Context, user: string): Promise<{userId: string; upn: string; items: HeldLicense[]}> {
  const {body} = await ctx.api().request<{userId: string; upn: string; items: HeldLicense[]}>({
    path: `/v1/users/${encodeURIComponent(user)}/licenses`,
    what: `Reading the licenses of ${user}`,
    notFound: {USER_NOT_FOUND: userNotFound(user)},
  })
  return body
}

export type LicenseOperation = 'assign' | 'revoke'
export type RowOutcome = 'assigned' | 'already-assigned' | 'would-assign' | 'revoked' | 'not-assigned' | 'would-revoke' | 'duplicate' | 'failed'

export interface LicenseRowResult {
  /** The CSV line, for file runs. */
  line?: number
  upn: string
  sku: string
  outcome: RowOutcome
  ok: boolean
  seats?: Seats
  /** For a duplicate row: the line that carries the same upn and sku. */
  duplicateOf?: number
  error?: ErrorInfo
}

/**
 * A deterministic Idempotency-Key: the same request for the same state always carries the same key, so a retry
 * (by the HTTP stack, or a re-run after a lost answer) never takes a second seat. `generation` separates one
 * assignment from the next after a revoke.
 */
export function idempotencyKey(tenantId: string, upn: string, sku: string, operation: LicenseOperation, generation = ''): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([tenantId, upn.toLowerCase(), sku.toUpperCase(), operation, generation]))
    .digest('base64url')
  return `ppctl-${operation}-${digest}`
}

interface AssignAnswer {
  userId: string
  skuId: string
  assignedAt: string
  alreadyAssigned: boolean
  seats: Seats
}

/** Assigns or revokes one license, checking first: already done → reported so; no seat left → exit 7 before any change. */
export async function changeLicense(
  ctx: Context,
  row: {upn: string; sku: string},
  operation: LicenseOperation,
  options: {dryRun?: boolean; tenantId?: string} = {},
): Promise<LicenseRowResult> {
  const base = {upn: row.upn, sku: row.sku}
  const sku = await getSku(ctx, row.sku)
  const held = await userLicenses(ctx, row.upn)
  const current = held.items.find((l) => l.skuId === sku.id)
  const tenantId = options.tenantId ?? (await ctx.router().route()).route.tenantId
  if (operation === 'revoke') {
    if (!current) return {...base, outcome: 'not-assigned', ok: true, seats: sku.seats}
    if (options.dryRun) return {...base, outcome: 'would-revoke', ok: true, seats: sku.seats}
    try {
      const {body} = await ctx.api().request<{seats: Seats}>({
        method: 'DELETE',
        path: `/v1/users/${encodeURIComponent(held.userId)}/licenses/${encodeURIComponent(sku.id)}`,
        headers: {'idempotency-key': idempotencyKey(tenantId, held.upn, sku.id, 'revoke', current.assignedAt)},
        what: `Revoking ${sku.id} from ${row.upn}`,
      })
      return {...base, outcome: 'revoked', ok: true, seats: body.seats}
    } catch (err) {
      // Revoked by someone else between the check and the DELETE: the end state asked for, not a failure.
      if (err instanceof PlatformProblemError && err.code === 'LICENSE_NOT_ASSIGNED')
        return {...base, outcome: 'not-assigned', ok: true, seats: (await getSku(ctx, sku.id)).seats}
      throw err
    }
  }
  if (current) return {...base, outcome: 'already-assigned', ok: true, seats: sku.seats}
  if (sku.seats.available <= 0) {
    throw new ConflictError('NO_SEATS_AVAILABLE', `No seats left on ${sku.id}: ${sku.seats.consumed} of ${sku.seats.enabled} are assigned.`, {
      nextStep: `Revoke one (ppctl license revoke --user UPN --sku ${sku.id}) or buy more seats.`,
    })
  }
  if (options.dryRun) return {...base, outcome: 'would-assign', ok: true, seats: sku.seats}
  let generation = ''
  // A replayed answer is only trusted when the license is still held; otherwise it belongs to an assignment
  // revoked since, and the next generation's key makes a new one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const {body, headers} = await ctx.api().request<AssignAnswer>({
      method: 'POST',
      path: `/v1/users/${encodeURIComponent(held.userId)}/licenses`,
      body: {skuId: sku.id},
      headers: {'idempotency-key': idempotencyKey(tenantId, held.upn, sku.id, 'assign', generation)},
      what: `Assigning ${sku.id} to ${row.upn}`,
    })
    if (headers.get('idempotent-replayed') !== 'true')
      return {...base, outcome: body.alreadyAssigned ? 'already-assigned' : 'assigned', ok: true, seats: body.seats}
    const now = await userLicenses(ctx, held.userId)
    if (now.items.some((l) => l.skuId === sku.id)) return {...base, outcome: 'already-assigned', ok: true, seats: (await getSku(ctx, sku.id)).seats}
    generation = body.assignedAt
  }
  throw new PpctlError('IDEMPOTENCY_LOOP', `Assigning ${sku.id} to ${row.upn} failed: the platform kept replaying old answers.`)
}

/** Runs every row in order, continuing past failures; a row repeating an earlier upn+sku is reported as a duplicate. */
export async function changeLicenses(
  ctx: Context,
  rows: ReadonlyArray<{line?: number; upn: string; sku: string}>,
  operation: LicenseOperation,
  options: {dryRun?: boolean} = {},
): Promise<LicenseRowResult[]> {
  const seen = new Map<string, number | undefined>()
  const tenantId = (await ctx.router().route()).route.tenantId
  const results: LicenseRowResult[] = []
  for (const row of rows) {
    const key = `${row.upn.toLowerCase()}\n${row.sku.toUpperCase()}`
    const where = row.line === undefined ? {} : {line: row.line}
    if (seen.has(key)) {
      const first = seen.get(key)
      results.push({...where, upn: row.upn, sku: row.sku, outcome: 'duplicate', ok: true, ...(first === undefined ? {} : {duplicateOf: first})})
      continue
    }
    seen.set(key, row.line)
    try {
      results.push({...where, ...(await changeLicense(ctx, row, operation, {...options, tenantId}))})
    } catch (err) {
      if (err instanceof PpctlError && err.exitCode === 4) throw err
      results.push({...where, upn: row.upn, sku: row.sku, outcome: 'failed', ok: false, error: toPpctlError(err).toJSON()})
    }
  }
  return results
}

export const assignLicenses = (ctx: Context, rows: ReadonlyArray<{line?: number; upn: string; sku: string}>, options: {dryRun?: boolean} = {}) =>
  changeLicenses(ctx, rows, 'assign', options)
