import {Flags} from '@oclif/core'

import {BaseCommand} from '../../../cli/base-command.js'
import {text} from '../../../lib/output/render.js'
import {tableView} from '../../../lib/output/view.js'
import {scopeText} from '../../../lib/dlp/plan.js'
import {listPolicies, policyToSpec, type DlpPolicy} from '../../../lib/platform/dlp.js'

export interface DlpPolicyListResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: DlpPolicy[]
}

export default class DlpPolicyList extends BaseCommand<typeof DlpPolicyList> {
  static override summary = 'List DLP policies: scope, default group and how many connectors each group lists.'
  static override description =
    'Includes the tenant-wide policy that connector block/unblock manage (managed: yes). With --env, only the policies that apply to that environment. Needs the Admin role.'

  static override examples = [
    {description: 'Every policy', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The policies that apply to one environment', command: '<%= config.bin %> <%= command.id %> --env default'},
  ]

  static override flags = {
    env: Flags.string({description: 'Only policies that apply to this environment (id or name).'}),
  }

  async run(): Promise<DlpPolicyListResult> {
    const items: DlpPolicy[] = []
    for await (const p of listPolicies(this.ctx, this.flags.env)) items.push(p)
    this.view(
      tableView(
        ['Id', {header: 'Name', free: true}, {header: 'Scope', free: true}, 'Default', 'Business', 'Non-business', 'Blocked', 'Managed'],
        items.map((p) => [
          p.id,
          p.displayName,
          scopeText(policyToSpec(p).scope),
          p.defaultGroup,
          p.groups.business.length,
          p.groups.nonBusiness.length,
          p.groups.blocked.length,
          p.managed ? 'yes' : 'no',
        ]),
        {footer: text`${items.length} polic${items.length === 1 ? 'y' : 'ies'}`},
      ),
    )
    return {count: items.length, items}
  }
}
