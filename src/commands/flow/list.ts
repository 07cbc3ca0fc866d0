import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'
import {listFlows, type Flow} from '../../lib/platform/flows.js'

export interface FlowListResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: Flow[]
}

/** Why a flow is suspended, in a few words: the policy, or the security group. */
const whySuspended = (f: Flow) =>
  !f.suspension ? '' : f.suspension.reason === 'DLP_VIOLATION' ? `DLP: ${f.suspension.policyName ?? f.suspension.policyId ?? 'a policy'}` : 'security group'

export default class FlowList extends BaseCommand<typeof FlowList> {
  static override summary = 'List flows: environment, owner, state, and why the suspended ones are suspended.'
  static override description =
    "A flow is suspended when a DLP policy change makes it non-compliant, or when its environment's security group no longer admits its owner; it resumes when it complies again. Makers see their own flows, admins every flow."

  static override examples = [
    {description: 'Every flow', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Suspended flows and why', command: '<%= config.bin %> <%= command.id %> --state suspended'},
    {description: 'Flows in one environment', command: '<%= config.bin %> <%= command.id %> --env default --json'},
  ]

  static override flags = {
    env: Flags.string({description: 'Only flows in this environment (id or name).'}),
    state: Flags.option({options: ['on', 'suspended'] as const, description: 'Only flows in this state.'})(),
    owner: Flags.string({description: "Only this owner's flows (UPN or id)."}),
  }

  async run(): Promise<FlowListResult> {
    const items: Flow[] = []
    for await (const f of listFlows(this.ctx, {environment: this.flags.env, state: this.flags.state, owner: this.flags.owner})) items.push(f)
    const suspended = items.filter((f) => f.state === 'suspended').length
    this.view(
      tableView(
        ['Id', {header: 'Name', free: true}, 'Environment', 'Owner', 'State', {header: 'Why', free: true}],
        items.map((f) => [f.id, f.displayName, f.environmentId, f.ownerUpn, f.state, whySuspended(f)]),
        {footer: text`${items.length} flow${items.length === 1 ? '' : 's'}${suspended ? text`, ${suspended} suspended (ppctl flow show ID says why)` : ''}`},
      ),
    )
    return {count: items.length, items}
  }
}
