import {Flags} from '@oclif/core'

import {BaseCommand} from '../../../cli/base-command.js'
import {text} from '../../../lib/output/render.js'
import {createPolicy, type DlpPolicy} from '../../../lib/platform/dlp.js'

export type DlpPolicyCreateResult = DlpPolicy

const ids = (description: string) => Flags.string({description, multiple: true, delimiter: ','})

export default class DlpPolicyCreate extends BaseCommand<typeof DlpPolicyCreate> {
  static override summary = 'Create a DLP policy from flags (for rules and URL patterns, use a policies file: dlp export, then dlp apply).'
  static override description =
    'Connectors not listed are in --default-group, including connectors added later. --only or --except scope it to environments (ids); otherwise it applies to every environment. Flows it makes non-compliant are suspended. Audited (dlp.policy.created). Needs the Admin role.'

  static override examples = [
    {
      description: 'Keep SharePoint and SQL away from Twitter everywhere',
      command: '<%= config.bin %> <%= command.id %> --name Baseline --business shared_sharepointonline,shared_sql --non-business shared_twitter',
    },
    {
      description: 'Block Dropbox in one environment',
      command: '<%= config.bin %> <%= command.id %> --name "No Dropbox" --only default --blocked shared_dropbox --default-group business',
    },
  ]

  static override flags = {
    name: Flags.string({description: 'The display name.', required: true}),
    id: Flags.string({description: 'The id (lower-case letters, digits, -); made from the name when absent.'}),
    description: Flags.string({description: 'What the policy is for.'}),
    'default-group': Flags.option({
      options: ['business', 'nonBusiness', 'blocked'] as const,
      default: 'nonBusiness',
      description: 'The group of connectors not listed.',
    })(),
    business: ids('Connector ids in the business group.'),
    'non-business': ids('Connector ids in the non-business group.'),
    blocked: ids('Connector ids that are blocked.'),
    only: Flags.string({description: 'Only these environments (ids).', multiple: true, delimiter: ',', exclusive: ['except']}),
    except: Flags.string({description: 'Every environment but these (ids).', multiple: true, delimiter: ',', exclusive: ['only']}),
  }

  async run(): Promise<DlpPolicyCreateResult> {
    const f = this.flags
    const scope = f.only
      ? {environmentScope: 'only' as const, environments: f.only}
      : f.except
        ? {environmentScope: 'except' as const, environments: f.except}
        : {environmentScope: 'all' as const}
    const p = await createPolicy(this.ctx, {
      displayName: f.name,
      ...(f.id ? {id: f.id} : {}),
      ...(f.description ? {description: f.description} : {}),
      ...scope,
      defaultGroup: f['default-group'],
      groups: {business: f.business ?? [], nonBusiness: f['non-business'] ?? [], blocked: f.blocked ?? []},
    })
    this.out(text`Created DLP policy ${p.displayName} (${p.id}).`)
    return p
  }
}
