import {Args} from '@oclif/core'

import {BaseCommand} from '../../../cli/base-command.js'
import {recordView} from '../../../lib/output/view.js'
import {rulesText, scopeText} from '../../../lib/dlp/plan.js'
import {getPolicy, policyToSpec, type DlpPolicy} from '../../../lib/platform/dlp.js'

export type DlpPolicyShowResult = DlpPolicy

export default class DlpPolicyShow extends BaseCommand<typeof DlpPolicyShow> {
  static override summary = 'Show one DLP policy: scope, groups, rules, URL patterns and its ETag.'
  static override description = 'Unknown → exit 6. Needs the Admin role.'

  static override examples = [
    {description: 'The policy connector block/unblock manage', command: '<%= config.bin %> <%= command.id %> tenant-blocked-connectors'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> tenant-blocked-connectors --json'},
  ]

  static override args = {
    id: Args.string({description: 'The policy id.', required: true}),
  }

  async run(): Promise<DlpPolicyShowResult> {
    const p = await getPolicy(this.ctx, this.args.id)
    const spec = policyToSpec(p)
    const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : '-')
    this.view(
      recordView([
        ['Id', p.id],
        ['Name', p.displayName],
        ['Description', p.description || '-'],
        ['Managed', p.managed ? 'yes (by connector block/unblock)' : 'no'],
        ['Scope', scopeText(spec.scope)],
        ['Default group', p.defaultGroup],
        ['Business', list(p.groups.business)],
        ['Non-business', list(p.groups.nonBusiness)],
        ['Blocked', list(p.groups.blocked)],
        [
          'Rules',
          Object.entries(spec.rules ?? {})
            .map(([id, r]) => `${id}: ${rulesText(r)}`)
            .join('; ') || '-',
        ],
        ['URL patterns', (spec.customConnectorPatterns ?? []).map((u) => `${u.host} → ${u.group}`).join(', ') || '-'],
        ['Updated', `${p.updatedAt} by ${p.updatedBy}`],
        ['ETag', p.etag],
      ]),
    )
    return p
  }
}
