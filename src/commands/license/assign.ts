// `ppctl license assign`: assign SKUs to users, one or a CSV file of them.
import {BaseCommand} from '../../cli/base-command.js'
import {changeLicenseRows, licenseChangeFlags, licenseChangeRequest, licenseRows, type LicenseChangeResult} from '../../cli/license-changes.js'

export type LicenseAssignResult = LicenseChangeResult

export default class LicenseAssign extends BaseCommand<typeof LicenseAssign> {
  static override summary = 'Assign a license SKU to a user, or to every row of a CSV file.'
  static override description =
    'Checks first: a user who holds the SKU is reported "already assigned"; with no seat left the assignment is refused (exit 7). --file takes a CSV with the header upn,sku and gives a result per row with its line, continuing past failed rows (exit 10 when some failed): a row with a missing or bad field fails with its line and reason, a repeated upn+sku is reported as a duplicate. Rows run --concurrency at a time (8; 1 for strictly one after another), one shared wait when the platform throttles, seats handed out in file order; progress on stderr at a terminal. Each request carries a deterministic Idempotency-Key, so a retry never takes a second seat and the file can be run again safely: Ctrl-C starts no new row, lets those in flight finish, says what was done (exit 130), and a re-run does the rest. --dry-run checks without changing anything, spending seats row by row as the real run would. Needs the Admin role.'

  static override examples = [
    {description: 'Assign one license', command: '<%= config.bin %> <%= command.id %> --user lee.gu@contoso.example --sku POWERAPPS_PER_USER'},
    {description: 'See what would happen', command: '<%= config.bin %> <%= command.id %> --user lee.gu@contoso.example --sku POWERAPPS_PER_USER --dry-run'},
    {description: 'Assign from a CSV file (header: upn,sku)', command: '<%= config.bin %> <%= command.id %> --file users.csv'},
    {description: 'Per-row results for a script', command: '<%= config.bin %> <%= command.id %> --file users.csv --json'},
  ]

  static override flags = licenseChangeFlags

  async run(): Promise<LicenseAssignResult> {
    const request = licenseChangeRequest(this.flags)
    const rows = await licenseRows(request, 'assign')
    return this.bulkOutcome(await changeLicenseRows(this.ctx, rows, 'assign', request))
  }
}
