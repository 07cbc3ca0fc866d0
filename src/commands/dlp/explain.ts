import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {UsageError} from '../../lib/errors/index.js'
import {lines, text} from '../../lib/output/render.js'
import {evaluateDlp, type DlpEvaluation} from '../../lib/platform/dlp.js'

export type DlpExplainResult = DlpEvaluation

export default class DlpExplain extends BaseCommand<typeof DlpExplain> {
  static override summary = 'Why is this blocked? Whether connectors may be used together in an environment, and which policy, groups, pair or rule says no.'
  static override description =
    'Evaluates a connector set — or an existing flow with --flow — against every DLP policy that applies to the environment (the most restrictive wins), and for each violation names the policy, the groups, the connector pair or the rule, and what would make it pass. Nothing is stored. The exit code is 0 for allowed and blocked alike: read "allowed" in --json.'

  static override examples = [
    {
      description: 'May SharePoint and Twitter be used together?',
      command: '<%= config.bin %> <%= command.id %> --env default --connectors shared_sharepointonline,shared_twitter',
    },
    {description: 'Why is this flow suspended?', command: '<%= config.bin %> <%= command.id %> --env default --flow "Invoice approvals"'},
  ]

  static override flags = {
    env: Flags.string({description: 'The environment (id or name); the default one when absent.'}),
    connectors: Flags.string({description: 'Connector ids, comma-separated.', multiple: true, delimiter: ','}),
    flow: Flags.string({description: 'An existing flow (id or name): its connectors, actions and endpoints.'}),
  }

  async run(): Promise<DlpExplainResult> {
    const {env, connectors, flow} = this.flags
    if (!connectors?.length && !flow)
      throw new UsageError('USAGE', 'Nothing to explain: give --connectors A,B or --flow NAME.', {
        nextStep: 'ppctl dlp explain --env default --connectors shared_sharepointonline,shared_twitter',
      })
    const e = await evaluateDlp(this.ctx, {...(env ? {environmentId: env} : {}), ...(connectors?.length ? {connectors} : {}), ...(flow ? {flow} : {})})
    const set = e.connectors.map((c) => c.id).join(', ')
    const applying = e.policies.length ? e.policies.map((p) => text`${p.displayName} (${p.id})${p.allowed ? '' : ': blocks it'}`) : [text`none`]
    if (e.allowed) {
      this.out(lines(text`Allowed in ${e.environmentId}: ${set}.`, text`Policies that apply (${e.policies.length}):`, ...applying.map((a) => text`  ${a}`)))
      return e
    }
    const parts = e.violations.flatMap((v) => [
      text`${v.policyName} (${v.policyId}): ${v.message}`,
      text`  groups: ${Object.entries(v.groups)
        .map(([id, g]) => `${id} ${g}${v.classifiedBy?.[id] ? ` (${v.classifiedBy[id]})` : ''}`)
        .join(', ')}`,
      ...(v.action ? [text`  action: ${v.action}`] : []),
      ...(v.endpoint ? [text`  endpoint: ${v.endpoint}`] : []),
      ...v.fixes.map((f) => text`  to pass: ${f}`),
    ])
    this.out(lines(text`Blocked in ${e.environmentId}: ${set} — ${e.violations.length} violation${e.violations.length === 1 ? '' : 's'}.`, ...parts))
    return e
  }
}
