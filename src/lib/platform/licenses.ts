// License SKUs and assignments: seat counts, one user's licenses, and assign/revoke for one row or a whole file.
import {createHash, randomUUID} from 'node:crypto'

import type {Context} from '../context.js'
import {ConflictError, PlatformProblemError, PpctlError, toPpctlError} from '../errors/index.js'
import type {HomeRoute} from '../routing/types.js'
import {runBulk, SeatGate, type BulkOptions} from './bulk-run.js'
import type {ErrorInfo} from './connectors.js'
import {skuNotFound, userNotFound} from './not-found.js'
import {notFoundError} from './problem.js'

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
    return {...base, ...(await deleteAssignment(ctx, tenantId, held, sku, current.assignedAt, row.upn))}
  }
  if (current) return {...base, outcome: 'already-assigned', ok: true, seats: sku.seats}
  if (sku.seats.available <= 0) throw noSeatsLeft(sku.id, sku.seats)
  if (options.dryRun) return {...base, outcome: 'would-assign', ok: true, seats: sku.seats}
  return {...base, ...(await postAssignment(ctx, tenantId, held.userId, held.upn, sku.id, row.upn))}
}

/** DELETEs one assignment under the key of that assignment (its generation); gone meanwhile is the end state asked for. */
async function deleteAssignment(
  ctx: Context,
  tenantId: string,
  held: {userId: string; upn: string},
  sku: Sku,
  generation: string,
  asGiven: string,
): Promise<Pick<LicenseRowResult, 'outcome' | 'ok' | 'seats'>> {
  try {
    const {body} = await ctx.api().request<{seats: Seats}>({
      method: 'DELETE',
      path: `/v1/users/${encodeURIComponent(held.userId)}/licenses/${encodeURIComponent(sku.id)}`,
      headers: {'idempotency-key': idempotencyKey(tenantId, held.upn, sku.id, 'revoke', generation)},
      what: `Revoking ${sku.id} from ${asGiven}`,
    })
    return {outcome: 'revoked', ok: true, seats: body.seats}
  } catch (err) {
    // Revoked by someone else between the check and the DELETE: the end state asked for, not a failure.
    if (err instanceof PlatformProblemError && err.code === 'LICENSE_NOT_ASSIGNED')
      return {outcome: 'not-assigned', ok: true, seats: (await getSku(ctx, sku.id)).seats}
    throw err
  }
}

/**
 * POSTs one assignment under its deterministic key. A replayed answer is only trusted when the license is still held;
 * otherwise it belongs to an assignment revoked since, and the next generation's key makes a new one.
 */
async function postAssignment(
  ctx: Context,
  tenantId: string,
  userKey: string,
  upn: string,
  skuId: string,
  asGiven: string,
): Promise<Pick<LicenseRowResult, 'outcome' | 'ok' | 'seats'>> {
  let generation = ''
  for (let attempt = 0; attempt < 3; attempt++) {
    const {body, headers} = await ctx.api().request<AssignAnswer>({
      method: 'POST',
      path: `/v1/users/${encodeURIComponent(userKey)}/licenses`,
      body: {skuId},
      headers: {'idempotency-key': idempotencyKey(tenantId, upn, skuId, 'assign', generation)},
      what: `Assigning ${skuId} to ${asGiven}`,
      notFound: {USER_NOT_FOUND: userNotFound(asGiven), SKU_NOT_FOUND: skuNotFound(skuId)},
    })
    if (headers.get('idempotent-replayed') !== 'true') return {outcome: body.alreadyAssigned ? 'already-assigned' : 'assigned', ok: true, seats: body.seats}
    const now = await userLicenses(ctx, body.userId ?? userKey)
    if (now.items.some((l) => l.skuId === skuId)) return {outcome: 'already-assigned', ok: true, seats: (await getSku(ctx, skuId)).seats}
    generation = body.assignedAt
  }
  throw new PpctlError('IDEMPOTENCY_LOOP', `Assigning ${skuId} to ${asGiven} failed: the platform kept replaying old answers.`)
}

/** A row of a bulk run: its CSV line, and why it cannot run when the file gave a bad field. */
export interface LicenseRowInput {
  line?: number
  upn: string
  sku: string
  problem?: string
}

export interface LicenseBulkOptions extends BulkOptions {
  dryRun?: boolean
  /** The error of a row the file could not give (its line and reason). */
  badRow?: (row: LicenseRowInput) => PpctlError
}

export interface LicenseBulkRun {
  /** The rows done, in file order (all of them unless the run was stopped). */
  results: LicenseRowResult[]
  /** Rows never started because the run was stopped (Ctrl-C). */
  notRun: number
}

/** What a row is before any request: to do, or already settled (a bad field, a repeat, a SKU the tenant lacks). */
type Planned = {settled: Omit<LicenseRowResult, 'line'>} | {sku: Sku}

const failed = (row: LicenseRowInput, err: unknown): Omit<LicenseRowResult, 'line'> => ({
  upn: row.upn,
  sku: row.sku,
  outcome: 'failed',
  ok: false,
  error: toPpctlError(err).toJSON(),
})

/** A row's failure is its result; only a sign-in that ended (exit 4) ends the run. */
async function settle(row: LicenseRowInput, fn: () => Promise<Omit<LicenseRowResult, 'line'>>): Promise<Omit<LicenseRowResult, 'line'>> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof PpctlError && err.exitCode === 4) throw err
    return failed(row, err)
  }
}

/**
 * Assigns or revokes every row, `concurrency` at a time, results in file order, continuing past failed rows. The SKUs
 * are read once. A row repeating an earlier upn+sku is a duplicate; a SKU the tenant lacks fails without a request.
 * Assign: one POST per row, seats handed out in file order (SeatGate). Revoke: the user's licenses, then the DELETE.
 * --dry-run reads each user's licenses and plays the file in order against the seats, as the real run spends them.
 */
export async function changeLicenses(
  ctx: Context,
  rows: readonly LicenseRowInput[],
  operation: LicenseOperation,
  options: LicenseBulkOptions = {},
): Promise<LicenseBulkRun> {
  const {route} = await ctx.router().route()
  const skus = rows.some((r) => !r.problem) ? new Map((await listSkus(ctx)).map((s) => [s.id, s])) : new Map<string, Sku>()
  const plan = planRows(rows, skus, route, options)
  const gates = new Map([...skus.values()].map((s) => [s.id, new SeatGate(s.seats.available)]))
  const bulk = {concurrency: options.concurrency, signal: options.signal, onProgress: options.onProgress, now: options.now}
  let done: Array<Omit<LicenseRowResult, 'line'> | undefined>
  if (options.dryRun) {
    done = simulate(rows, plan, await lookUpAll(ctx, route, rows, plan, bulk), operation, skus)
  } else {
    const ran = await runBulk(
      rows,
      (row, i) => {
        const p = plan[i]
        if ('settled' in p) return Promise.resolve(p.settled)
        return operation === 'assign' ? assignRow(ctx, route.tenantId, row, p.sku, gates.get(p.sku.id)!) : revokeRow(ctx, route.tenantId, row, p.sku)
      },
      bulk,
    )
    done = ran.results
  }
  const results: LicenseRowResult[] = []
  done.forEach((r, i) => {
    if (r) results.push({...(rows[i].line === undefined ? {} : {line: rows[i].line}), ...r})
  })
  return {results, notRun: rows.length - results.length}
}

function planRows(rows: readonly LicenseRowInput[], skus: ReadonlyMap<string, Sku>, route: HomeRoute, options: LicenseBulkOptions): Planned[] {
  const seen = new Map<string, number | undefined>()
  return rows.map((row) => {
    if (row.problem) return {settled: failed(row, options.badRow?.(row) ?? new PpctlError('CSV_ROW', row.problem))}
    const key = `${row.upn.toLowerCase()}\n${row.sku.toUpperCase()}`
    if (seen.has(key)) {
      const first = seen.get(key)
      return {settled: {upn: row.upn, sku: row.sku, outcome: 'duplicate', ok: true, ...(first === undefined ? {} : {duplicateOf: first})}}
    }
    seen.set(key, row.line)
    const sku = skus.get(row.sku)
    if (!sku) return {settled: failed(row, notFoundError('SKU_NOT_FOUND', skuNotFound(row.sku), route))}
    return {sku}
  })
}

async function assignRow(ctx: Context, tenantId: string, row: LicenseRowInput, sku: Sku, gate: SeatGate): Promise<Omit<LicenseRowResult, 'line'>> {
  const reserved = await gate.acquire()
  let result: Omit<LicenseRowResult, 'line'> | undefined
  try {
    result = await settle(row, async () => ({upn: row.upn, sku: row.sku, ...(await postAssignment(ctx, tenantId, row.upn, row.upn, sku.id, row.upn))}))
    return result
  } finally {
    gate.release(reserved, {consumed: result?.outcome === 'assigned', noSeats: result?.error?.code === 'NO_SEATS_AVAILABLE'})
  }
}

async function revokeRow(ctx: Context, tenantId: string, row: LicenseRowInput, sku: Sku): Promise<Omit<LicenseRowResult, 'line'>> {
  return settle(row, async () => {
    const held = await userLicenses(ctx, row.upn)
    const current = held.items.find((l) => l.skuId === sku.id)
    const base = {upn: row.upn, sku: row.sku}
    if (!current) return {...base, outcome: 'not-assigned', ok: true, seats: sku.seats}
    return {...base, ...(await deleteAssignment(ctx, tenantId, held, sku, current.assignedAt, row.upn))}
  })
}

/** For the dry run: what a row would find (the user's licenses), or why it fails. */
type Looked = {held: Set<string>} | {error: Omit<LicenseRowResult, 'line'>}

/** Rows per lookup request in a dry run (the platform takes up to 1,000 users per request). */
const LOOKUP_PAGE = 500

interface LookupItem {
  user: string
  found: boolean
  items?: Array<{skuId: string}>
}

/**
 * What each row to run would find: the users' licences, read a page of rows per request (POST /v1/licenses/lookup),
 * pages `concurrency` at a time; a page that fails fails each of its rows with that error, as each row's own request
 * would. Rows of pages never started (the run was stopped) stay undefined.
 */
async function lookUpAll(
  ctx: Context,
  route: HomeRoute,
  rows: readonly LicenseRowInput[],
  plan: readonly Planned[],
  bulk: BulkOptions,
): Promise<Array<Looked | undefined>> {
  const toRun = rows.flatMap((_row, i) => ('settled' in plan[i] ? [] : [i]))
  const pages: number[][] = []
  for (let at = 0; at < toRun.length; at += LOOKUP_PAGE) pages.push(toRun.slice(at, at + LOOKUP_PAGE))
  const looked: Array<Looked | undefined> = new Array(rows.length).fill(undefined)
  let rowsDone = 0
  const startedAt = (bulk.now ?? Date.now)()
  await runBulk(
    pages,
    async (page) => {
      try {
        const {body} = await ctx.api().request<{items: LookupItem[]}>({
          method: 'POST',
          path: '/v1/licenses/lookup',
          // A read: safe to send again, so the client retries it like a GET.
          headers: {'idempotency-key': randomUUID()},
          body: {users: page.map((i) => rows[i].upn)},
          what: `Reading the licenses of ${page.length} users`,
        })
        page.forEach((rowIndex, k) => {
          const item = body.items[k]
          const row = rows[rowIndex]
          looked[rowIndex] = item?.found
            ? {held: new Set((item.items ?? []).map((l) => l.skuId))}
            : {error: failed(row, notFoundError('USER_NOT_FOUND', userNotFound(row.upn), route))}
        })
      } catch (err) {
        if (err instanceof PpctlError && err.exitCode === 4) throw err
        for (const rowIndex of page) looked[rowIndex] = {error: failed(rows[rowIndex], err)}
      }
      rowsDone += page.length
      bulk.onProgress?.({done: rowsDone, total: toRun.length, startedAt})
    },
    {concurrency: bulk.concurrency, signal: bulk.signal, now: bulk.now},
  )
  return looked
}

/** The dry run: the rows looked up (a prefix of the file), played in file order against the seats each SKU has. */
function simulate(
  rows: readonly LicenseRowInput[],
  plan: readonly Planned[],
  looked: ReadonlyArray<Looked | undefined>,
  operation: LicenseOperation,
  skus: ReadonlyMap<string, Sku>,
): Array<Omit<LicenseRowResult, 'line'> | undefined> {
  const consumed = new Map([...skus.values()].map((s) => [s.id, s.seats.consumed]))
  return rows.map((row, i) => {
    const p = plan[i]
    if ('settled' in p) return p.settled
    const found = looked[i]
    if (!found) return undefined
    if ('error' in found) return found.error
    const {enabled} = p.sku.seats
    const taken = consumed.get(p.sku.id)!
    const seats = (used: number): Seats => ({enabled, consumed: used, available: Math.max(0, enabled - used)})
    const base = {upn: row.upn, sku: row.sku}
    const holds = found.held.has(p.sku.id)
    if (operation === 'revoke') {
      if (!holds) return {...base, outcome: 'not-assigned', ok: true, seats: seats(taken)}
      consumed.set(p.sku.id, taken - 1)
      return {...base, outcome: 'would-revoke', ok: true, seats: seats(taken - 1)}
    }
    if (holds) return {...base, outcome: 'already-assigned', ok: true, seats: seats(taken)}
    if (taken >= enabled) return failed(row, noSeatsLeft(p.sku.id, seats(taken)))
    consumed.set(p.sku.id, taken + 1)
    return {...base, outcome: 'would-assign', ok: true, seats: seats(taken + 1)}
  })
}

function noSeatsLeft(skuId: string, seats: Seats): ConflictError {
  return new ConflictError('NO_SEATS_AVAILABLE', `No seats left on ${skuId}: ${seats.consumed} of ${seats.enabled} are assigned.`, {
    nextStep: `Revoke one (ppctl license revoke --user UPN --sku ${skuId}) or buy more seats.`,
  })
}
