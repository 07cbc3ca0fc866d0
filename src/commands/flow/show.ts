import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {findFlow, type Flow} from '../../lib/platform/flows.js'

export type FlowShowResult = Flow

export default class FlowShow extends BaseCommand<typeof FlowShow> {
  static override summary = 'Show one flow: its connectors, its state, and for a suspended one the policy and the fix.'
  static override description = 'By id, or by exact name (in --env when names repeat across environments). Unknown → exit 6.'

  static override examples = [
    {description: 'A flow by name', command: '<%= config.bin %> <%= command.id %> "Invoice approvals"'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> "Invoice approvals" --env default --json'},
  ]

  static override args = {
    flow: Args.string({description: 'The flow id or name.', required: true}),
  }

  static override flags = {
    env: Flags.string({description: 'The environment to look for the name in (id or name).'}),
  }

  async run(): Promise<FlowShowResult> {
    const f = await findFlow(this.ctx, this.args.flow, this.flags.env)
    const s = f.suspension
    const fields: Array<readonly [string, string]> = [
      ['Id', f.id],
      ['Name', f.displayName],
      ['Environment', f.environmentId],
      ['Owner', f.ownerUpn],
      [
        'Connectors',
        f.connectors
          .map(
            (c) =>
              c.id + (c.actions?.length ? ` (actions ${c.actions.join(', ')})` : '') + (c.endpoints?.length ? ` (endpoints ${c.endpoints.join(', ')})` : ''),
          )
          .join(', '),
      ],
      ['State', f.state],
    ]
    if (s) {
      fields.push(['Suspended', `${s.since}: ${s.reason === 'DLP_VIOLATION' ? 'a DLP policy' : "the environment's security group"}`])
      if (s.policyId) fields.push(['Policy', `${s.policyName ?? ''} (${s.policyId})`])
      fields.push(['Why', s.message])
      const fixes = [...new Set((s.violations ?? []).flatMap((v) => v.fixes))]
      if (fixes.length) fields.push(['To fix', fixes.join(' Or: ')])
    }
    fields.push(['Updated', f.updatedAt], ['ETag', f.etag])
    this.view(recordView(fields))
    return f
  }
}
