import type {LicenseOperation} from '../../lib/platform/licenses.js'
import LicenseAssign from './assign.js'

export type {LicenseAssignResult as LicenseRevokeResult} from './assign.js'

export default class LicenseRevoke extends LicenseAssign {
  static override summary = 'Revoke a license SKU from a user, or from every row of a CSV file.'
  static override description =
    'A user who does not hold the SKU is reported "not assigned" (nothing to do, not a failure), so a file can be run again safely. --file takes a CSV with the header upn,sku and gives a result per row, continuing past failed rows (exit 10 when some failed). Asks for confirmation at a terminal; without one, pass --yes. --dry-run never asks and changes nothing. Needs the Admin role.'

  protected override readonly operation: LicenseOperation = 'revoke'

  static override examples = [
    {description: 'Revoke one license (asks first)', command: '<%= config.bin %> <%= command.id %> --user lee.gu@contoso.example --sku POWERAPPS_PER_USER'},
    {description: 'Unattended', command: '<%= config.bin %> <%= command.id %> --user lee.gu@contoso.example --sku POWERAPPS_PER_USER --yes'},
    {description: 'What a file would revoke', command: '<%= config.bin %> <%= command.id %> --file leavers.csv --dry-run'},
    {description: 'Revoke from a CSV file, for a script', command: '<%= config.bin %> <%= command.id %> --file leavers.csv --yes --json'},
  ]
}
