import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {ExitCode, UsageError} from '../../lib/errors/index.js'
import {confirmOrCancel} from '../../lib/io/prompter.js'
import {renderTable} from '../../lib/output/table.js'
import {readUpnSkuCsv} from '../../lib/platform/csv.js'
import {changeLicense, changeLicenses, type LicenseOperation, type LicenseRowResult} from '../../lib/platform/licenses.js'

export interface LicenseAssignResult {
  operation: LicenseOperation
  dryRun: boolean
  results: LicenseRowResult[]
  failed: number
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

export default class LicenseAssign extends BaseCommand<typeof LicenseAssign> {
  static override summary = 'Assign a license SKU to a user, or to every row of a CSV file.'
  static override description =
    'Checks first: a user who holds the SKU is reported "already assigned"; with no seat left the assignment is refused (exit 7). --file takes a CSV with the header upn,sku and gives a result per row, continuing past failed rows (exit 10 when some failed); a repeated upn+sku is reported as a duplicate. Each request carries a deterministic Idempotency-Key, so a retry never takes a second seat and the file can be run again safely. --dry-run checks without changing anything. Needs the Admin role.'

  protected readonly operation: LicenseOperation = 'assign'

  static override examples = [
    {description: 'Assign one license', command: '<%= config.bin %> <%= command.id %> --user lee.gu@contoso.example --sku POWERAPPS_PER_USER'},
    {description: 'See what would happen', command: '<%= config.bin %> <%= command.id %> --user lee.gu@contoso.example --sku POWERAPPS_PER_USER --dry-run'},
    {description: 'Assign from a CSV file (header: upn,sku)', command: '<%= config.bin %> <%= command.id %> --file users.csv'},
    {description: 'Per-row results for a script', command: '<%= config.bin %> <%= command.id %> --file users.csv --json'},
  ]

  static override flags = {
    user: Flags.string({description: 'The user, by UPN.', exclusive: ['file'], dependsOn: ['sku']}),
    sku: Flags.string({description: 'The SKU part number, e.g. POWERAPPS_PER_USER (see: ppctl license list).', exclusive: ['file'], dependsOn: ['user']}),
    file: Flags.string({description: 'A CSV file with the header upn,sku: one row per assignment.', exclusive: ['user', 'sku']}),
    'dry-run': Flags.boolean({description: 'Check and report, change nothing.'}),
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation (needed without a terminal; revoke only).'}),
  }

  async run(): Promise<LicenseAssignResult> {
    const {user, sku, file} = this.flags
    const dryRun = Boolean(this.flags['dry-run'])
    const operation = this.operation
    if (!file && !(user && sku)) {
      throw new UsageError('USER_OR_FILE_REQUIRED', 'Give --user and --sku, or --file.', {nextStep: `See: ppctl license ${operation} --help`})
    }
    const rows = file ? await readUpnSkuCsv(file) : [{upn: user!, sku: sku!}]
    if (operation === 'revoke' && !dryRun) {
      const what = file ? `${rows.length} license${rows.length === 1 ? '' : 's'} listed in ${file}` : `${sku} from ${user}`
      await confirmOrCancel(this.ctx.prompter, `Revoke ${what}? The users lose what the license grants.`, this.flags.yes)
    }
    // One user: its error is the command's (exit 6 unknown user or SKU, 7 no seats). A file: a result per row.
    const results = file ? await changeLicenses(this.ctx, rows, operation, {dryRun}) : [await changeLicense(this.ctx, rows[0], operation, {dryRun})]
    const failed = results.filter((r) => !r.ok).length
    this.out(
      renderTable(
        [...(file ? ['Line'] : []), 'User', 'SKU', 'Result', 'Seats left'],
        results.map((r) => [
          ...(file ? [r.line] : []),
          r.upn,
          r.sku,
          r.outcome === 'failed' ? `failed: ${r.error?.message ?? ''}` : r.outcome === 'duplicate' && r.duplicateOf ? `duplicate of line ${r.duplicateOf}` : OUTCOME_WORDS[r.outcome],
          r.seats ? `${r.seats.available} of ${r.seats.enabled}` : '',
        ]),
        this.ctx.io,
      ),
    )
    if (failed > 0) {
      process.exitCode = ExitCode.PARTIAL
      this.note(text`${failed} of ${results.length} rows failed; the others are done, and running the file again is safe (exit 10).`)
    }
    return {operation, dryRun, results, failed}
  }
}
