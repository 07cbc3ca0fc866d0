// `ppctl license revoke`: revoke SKUs from users, one or a CSV file of them, after asking.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {concurrencyFlag} from '../../cli/bulk.js'
import {ExitCode} from '../../lib/errors/index.js'
import {changeLicenseRows, licenseRows, type LicenseChangeResult} from '../../cli/license-changes.js'
import {confirmOrCancel} from '../../lib/io/prompter.js'

export type LicenseRevokeResult = LicenseChangeResult

export default class LicenseRevoke extends BaseCommand<typeof LicenseRevoke> {
  static override summary = 'Revoke a license SKU from a user, or from every row of a CSV file.'
  static override description =
    'A user who does not hold the SKU is reported "not assigned" (nothing to do, not a failure), so a file can be run again safely. --file takes a CSV with the header upn,sku and gives a result per row with its line, continuing past failed rows (exit 10 when some failed; a row with a missing or bad field fails with its line and reason). Rows run --concurrency at a time (8; 1 for strictly in order), with progress on stderr at a terminal; Ctrl-C starts no new row, says what was done (exit 130), and a re-run does the rest. Asks for confirmation at a terminal; without one, pass --yes. --dry-run never asks and changes nothing. Needs the Admin role.'

  static override examples = [
    {description: 'Revoke one license (asks first)', command: '<%= config.bin %> <%= command.id %> --user lee.gu@contoso.example --sku POWERAPPS_PER_USER'},
    {description: 'Unattended', command: '<%= config.bin %> <%= command.id %> --user lee.gu@contoso.example --sku POWERAPPS_PER_USER --yes'},
    {description: 'What a file would revoke', command: '<%= config.bin %> <%= command.id %> --file leavers.csv --dry-run'},
    {description: 'Revoke from a CSV file, for a script', command: '<%= config.bin %> <%= command.id %> --file leavers.csv --yes --json'},
  ]

  static override flags = {
    user: Flags.string({description: 'The user, by UPN.', exclusive: ['file'], dependsOn: ['sku']}),
    sku: Flags.string({description: 'The SKU part number, e.g. POWERAPPS_PER_USER (see: ppctl license list).', exclusive: ['file'], dependsOn: ['user']}),
    file: Flags.string({description: 'A CSV file with the header upn,sku: one row per assignment.', exclusive: ['user', 'sku']}),
    'dry-run': Flags.boolean({description: 'Check and report, change nothing: plays the file in order against the seats, as the real run would.'}),
    concurrency: concurrencyFlag,
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation (needed without a terminal).'}),
  }

  async run(): Promise<LicenseRevokeResult> {
    const request = {
      user: this.flags.user,
      sku: this.flags.sku,
      file: this.flags.file,
      dryRun: Boolean(this.flags['dry-run']),
      concurrency: this.flags.concurrency,
    }
    const rows = await licenseRows(request, 'revoke')
    if (!request.dryRun) {
      const what = request.file ? `${rows.length} license${rows.length === 1 ? '' : 's'} listed in ${request.file}` : `${request.sku} from ${request.user}`
      await confirmOrCancel(this.ctx.prompter, `Revoke ${what}? The users lose what the license grants.`, this.flags.yes)
    }
    const {result, view, partial, interrupted} = await changeLicenseRows(this.ctx, rows, 'revoke', request)
    this.view(view)
    if (partial) this.partial(partial)
    if (interrupted) {
      this.exitWith(ExitCode.INTERRUPTED)
      this.note(interrupted)
    }
    return result
  }
}
