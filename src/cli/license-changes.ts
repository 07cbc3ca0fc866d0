// What `license assign` and `license revoke` share: the rows from --user/--sku or --file, the changes, their view.
import {basename} from 'node:path'

import {Flags} from '@oclif/core'

import type {Context} from '../lib/context.js'
import {UsageError} from '../lib/errors/index.js'
import {concurrencyFlag, type BulkOutcome} from './bulk.js'
import {text} from '../lib/output/render.js'
import {tableView} from '../lib/output/view.js'
import {badRowError, readUpnSkuCsv} from '../lib/platform/csv.js'
import {changeLicense, changeLicenses, type LicenseOperation, type LicenseRowInput, type LicenseRowResult} from '../lib/platform/licenses.js'
import {bulkInterrupt, bulkReporter} from '../lib/output/bulk-progress.js'

export interface LicenseChangeResult {
  operation: LicenseOperation
  dryRun: boolean
  /** One per row done, in file order (with --file, each carries its line). */
  results: LicenseRowResult[]
  failed: number
  /** Set when the run was stopped (Ctrl-C): the rows never started, which a re-run of the same file does. */
  notRun?: number
}

/** A row to change: the CSV's line number when it came from --file, and why it cannot run when a field is bad. */
export type LicenseRow = LicenseRowInput

/** The flags of `license assign` and `license revoke`: one row from --user and --sku, or a CSV --file of them. */
export const licenseChangeFlags = {
  user: Flags.string({description: 'The user, by UPN.', exclusive: ['file'], dependsOn: ['sku']}),
  sku: Flags.string({description: 'The SKU part number, e.g. POWERAPPS_PER_USER (see: ppctl license list).', exclusive: ['file'], dependsOn: ['user']}),
  file: Flags.string({description: 'A CSV file with the header upn,sku: one row per change.', exclusive: ['user', 'sku']}),
  'dry-run': Flags.boolean({description: 'Check and report, change nothing: plays the file in order against the seats, as the real run would.'}),
  concurrency: concurrencyFlag,
}

/** The request the flags above describe. */
export function licenseChangeRequest(flags: {user?: string; sku?: string; file?: string; 'dry-run'?: boolean; concurrency?: number}): LicenseChangeRequest {
  return {user: flags.user, sku: flags.sku, file: flags.file, dryRun: Boolean(flags['dry-run']), concurrency: flags.concurrency}
}

export interface LicenseChangeRequest {
  user?: string
  sku?: string
  file?: string
  dryRun: boolean
  /** Rows in flight at once (--concurrency). */
  concurrency?: number
}

export type LicenseChangeOutcome = BulkOutcome<LicenseChangeResult>

const OUTCOME_WORDS: Record<LicenseRowResult['outcome'], string> = {
  assigned: 'assigned',
  'already-assigned': 'already assigned',
  'would-assign': 'would assign (dry run)',
  revoked: 'revoked',
  'not-assigned': 'not assigned (nothing to revoke)',
  'would-revoke': 'would revoke (dry run)',
  duplicate: 'duplicate',
  failed: 'failed',
}

/** The rows to change: one from --user and --sku, or every row of the --file CSV. */
export async function licenseRows(request: LicenseChangeRequest, operation: LicenseOperation): Promise<LicenseRow[]> {
  const {user, sku, file} = request
  if (!file && !(user && sku)) {
    throw new UsageError('USER_OR_FILE_REQUIRED', 'Give --user and --sku, or --file.', {nextStep: `See: ppctl license ${operation} --help`})
  }
  return file ? await readUpnSkuCsv(file) : [{upn: user!, sku: sku!}]
}

/** Assigns or revokes the rows; the result and its view. */
export async function changeLicenseRows(
  ctx: Context,
  rows: LicenseRow[],
  operation: LicenseOperation,
  request: LicenseChangeRequest,
): Promise<LicenseChangeOutcome> {
  const {file, dryRun} = request
  // One user: its error is the command's (exit 6 unknown user or SKU, 7 no seats). A file: a result per row.
  let results: LicenseRowResult[]
  let notRun = 0
  if (file) {
    const verb = `${dryRun ? 'Checking' : operation === 'assign' ? 'Assigning' : 'Revoking'} ${basename(file)}`
    const progress = bulkReporter(ctx.io, ctx.clock, verb)
    const interrupt = bulkInterrupt(ctx.io)
    try {
      ;({results, notRun} = await changeLicenses(ctx, rows, operation, {
        dryRun,
        concurrency: request.concurrency,
        signal: interrupt.signal,
        onProgress: (p) => progress.onProgress(p),
        now: () => ctx.clock.now(),
        badRow: (row) => badRowError(file, row),
      }))
    } finally {
      progress.stop()
      interrupt.dispose()
    }
  } else results = [await changeLicense(ctx, rows[0], operation, {dryRun})]
  const failed = results.filter((r) => !r.ok).length
  const view = tableView(
    [...(file ? ['Line'] : []), 'User', 'SKU', {header: 'Result', free: true}, 'Seats left'],
    results.map((r) => [
      ...(file ? [r.line] : []),
      r.upn,
      r.sku,
      r.outcome === 'failed'
        ? `failed: ${r.error?.message ?? ''}`
        : r.outcome === 'duplicate' && r.duplicateOf
          ? `duplicate of line ${r.duplicateOf}`
          : OUTCOME_WORDS[r.outcome],
      r.seats ? `${r.seats.available} of ${r.seats.enabled}` : '',
    ]),
  )
  if (notRun > 0) {
    const interrupted = text`Interrupted: ${results.length} of ${rows.length} rows done (${failed} failed), ${notRun} not started. Run the same command again to do the rest: rows already done are reported as such (exit 130).`
    return {result: {operation, dryRun, results, failed, notRun}, view, interrupted}
  }
  const partial = failed > 0 ? text`${failed} of ${results.length} rows failed; the others are done, and running the file again is safe (exit 10).` : undefined
  return {result: {operation, dryRun, results, failed}, view, partial}
}
