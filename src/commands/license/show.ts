import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'
import {userLicenses, type HeldLicense} from '../../lib/platform/licenses.js'

export interface LicenseShowResult {
  userId: string
  upn: string
  /** The user's licenses, in the list envelope of every list command. @asType integer @minimum 0 */
  count: number
  items: HeldLicense[]
}

export default class LicenseShow extends BaseCommand<typeof LicenseShow> {
  static override summary = 'Show the licenses one user holds, and what they grant.'
  static override description = 'Admins may look at anyone; others at themselves.'

  static override examples = [
    {description: "A user's licenses", command: '<%= config.bin %> <%= command.id %> --user megan.bowen@contoso.example'},
    {description: 'Your own', command: '<%= config.bin %> <%= command.id %> --user user@contoso.example'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> --user megan.bowen@contoso.example --json'},
  ]

  static override flags = {
    user: Flags.string({description: 'The user, by UPN (or id).', required: true}),
  }

  async run(): Promise<LicenseShowResult> {
    const {userId, upn, items} = await userLicenses(this.ctx, this.flags.user)
    this.view(
      tableView(
        ['Part number', {header: 'Name', free: true}, {header: 'Grants', free: true}, 'Assigned'],
        items.map((l) => [l.skuId, l.displayName, l.capabilities.join(', '), l.assignedAt]),
        {title: text`Licenses of ${upn}:`},
      ),
    )
    return {userId, upn, count: items.length, items}
  }
}
