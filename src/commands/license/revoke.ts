// `ppctl license revoke`: revoke SKUs from users, one or a CSV file of them, after asking.
import {BaseCommand} from '../../cli/base-command.js'
import {yesFlag} from '../../cli/flags/confirm.js'
import {changeLicenseRows, licenseChangeFlags, licenseChangeRequest, licenseRows, type LicenseChangeResult} from '../../cli/license-changes.js'
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

  static override flags = {...licenseChangeFlags, yes: yesFlag}

  async run(): Promise<LicenseRevokeResult> {
    const request = licenseChangeRequest(this.flags)
    const rows = await licenseRows(request, 'revoke')
    if (!request.dryRun) {
      const what = request.file ? `${rows.length} license${rows.length === 1 ? '' : 's'} listed in ${request.file}` : `${request.sku} from ${request.user}`
      await confirmOrCancel(this.ctx.prompter, `Revoke ${what}? The users lose what the license grants.`, this.flags.yes)
    }
    return this.bulkOutcome(await changeLicenseRows(this.ctx, rows, 'revoke', request))
  }
}
