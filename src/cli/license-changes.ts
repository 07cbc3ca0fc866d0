// What `license assign` and `license revoke` share: the rows from --user/--sku or --file, the changes, their view.
import type {Context} from '../lib/context.js'
import {UsageError} from '../lib/errors/index.js'
import {text, type Rendered} from '../lib/output/render.js'
import {tableView, type View} from '../lib/output/view.js'
import {readUpnSkuCsv} from '../lib/platform/csv.js'
import {changeLicense, changeLicenses, type LicenseOperation, type LicenseRowResult} from '../lib/platform/licenses.js'

export interface LicenseChangeResult {
  operation: LicenseOperation
  dryRun: boolean
  results: LicenseRowResult[]
  failed: number
}

/** A row to change: the CSV's line number when it came from --file. */
export interface LicenseRow {
  line?: number
  upn: string
  sku: string
}

export interface LicenseChangeRequest {
  user?: string
  sku?: string
  file?: string
  dryRun: boolean
}

export interface LicenseChangeOutcome {
  result: LicenseChangeResult
  view: View
  /** The note for stderr when some rows failed (the command then exits 10). */
  partial?: Rendered
}

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
  const results = file ? await changeLicenses(ctx, rows, operation, {dryRun}) : [await changeLicense(ctx, rows[0], operation, {dryRun})]
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
  const partial = failed > 0 ? text`${failed} of ${results.length} rows failed; the others are done, and running the file again is safe (exit 10).` : undefined
  return {result: {operation, dryRun, results, failed}, view, partial}
}
