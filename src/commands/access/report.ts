import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {accessReport, type AccessReportRow} from '../../lib/dlp/access-report.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'

export interface AccessReportResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: AccessReportRow[]
}

export default class AccessReport extends BaseCommand<typeof AccessReport> {
  static override summary = 'Who can do what: each user with roles, licences, the environments that admit them and the DLP policies in force there.'
  static override description =
    "One row per user and environment whose security group admits them (an environment without a group admits everyone), with the DLP policies that apply to that environment. Built from the platform's users, licences, environments, security groups and policies. -o csv for a spreadsheet. Needs the Admin role."

  static override examples = [
    {description: 'The whole tenant', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'One environment, as CSV', command: '<%= config.bin %> <%= command.id %> --env default -o csv'},
  ]

  static override flags = {
    env: Flags.string({description: 'Only this environment (id or name).'}),
  }

  async run(): Promise<AccessReportResult> {
    const items = await accessReport(this.ctx, this.flags.env)
    const users = new Set(items.map((r) => r.upn)).size
    this.view(
      tableView(
        ['User', 'Roles', 'Licences', 'Premium', 'Environment', 'Admitted by', {header: 'DLP policies', free: true}],
        items.map((r) => [
          r.upn,
          r.roles.join(' '),
          r.licenses.join(' ') || '-',
          r.premium ? 'yes' : 'no',
          r.environmentId,
          r.securityGroupId ? `group ${r.securityGroupId}` : 'no group',
          r.policyNames.join('; ') || '-',
        ]),
        {footer: text`${users} user${users === 1 ? '' : 's'}, ${items.length} row${items.length === 1 ? '' : 's'}`, wrap: true},
      ),
    )
    return {count: items.length, items}
  }
}
