import {BaseCommand} from '../../cli/base-command.js'
import {LICENSE_LIST} from '../../cli/fast-commands.js'
import type {Sku} from '../../lib/platform/licenses.js'

/** The SKUs, in the list envelope of every list command. */
export interface LicenseListResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: Sku[]
}

export default class LicenseList extends BaseCommand<typeof LicenseList> {
  static override summary = "List the tenant's license SKUs: what each grants and its seats (enabled, consumed, available)."
  static override description = 'Needs the Admin role.'

  static override examples = [
    {description: 'SKUs and seats', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> --json'},
    {
      description: 'Free seats of one SKU',
      command: '<%= config.bin %> <%= command.id %> --json | jq \'.items[] | select(.id=="POWERAPPS_PER_USER") | .seats.available\'',
    },
  ]

  // A run body shared with the fast path (src/cli/fast-commands.ts).
  async run(): Promise<LicenseListResult> {
    return LICENSE_LIST.run(this.ctx, this.flags, this.sink)
  }
}
