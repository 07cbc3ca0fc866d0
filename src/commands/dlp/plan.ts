import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {ExitCode} from '../../lib/errors/index.js'
import {planSummary, planView} from '../../lib/dlp/plan-view.js'
import {planFile, type PlanOutcome} from '../../lib/dlp/workflow.js'
import {text} from '../../lib/output/render.js'

export type DlpPlanResult = PlanOutcome & {
  file: string
  /** True when the platform's policies are those of the file. */
  upToDate: boolean
}

export default class DlpPlan extends BaseCommand<typeof DlpPlan> {
  static override summary = 'Show what applying a DLP policies file would change, and which existing flows it would suspend or resume.'
  static override description =
    'Per policy: create, change (connectors moving between groups, scope, default group, rules, URL patterns) or delete (a policy of the platform the file leaves out). The impact comes from a dry run of the batch endpoint: nothing is changed or audited. Exit codes for CI: 0 nothing to do, 10 there are changes, 7 a policy changed on the platform since the file was exported (apply would refuse it), 2 the file is not valid.'

  static override examples = [
    {description: 'What would change', command: '<%= config.bin %> <%= command.id %> policies.yaml'},
    {
      description: 'A CI gate: fail the job when the tenant drifted from the file',
      command: '<%= config.bin %> <%= command.id %> policies.yaml --json > plan.json',
    },
  ]

  static override args = {
    file: Args.string({description: 'The policies file (YAML).', required: true}),
  }

  async run(): Promise<DlpPlanResult> {
    const {plans: _plans, operations: _ops, ...outcome} = await planFile(this.ctx, this.args.file)
    const stale = outcome.policies.filter((p) => p.stale)
    this.view(
      planView(outcome.policies, outcome.suspended, outcome.resumed, planSummary(outcome.policies, outcome.suspended.length, outcome.resumed.length, 'would')),
    )
    if (stale.length) {
      this.exitWith(ExitCode.CONFLICT)
      this.note(
        text`${stale.map((p) => p.name).join(', ')} changed on the platform since ${this.args.file} was exported: apply would refuse. Next: ppctl dlp export --out ${this.args.file}, redo the change, plan again.`,
      )
    } else if (outcome.policies.length) this.exitWith(ExitCode.PARTIAL)
    return {file: this.args.file, upToDate: outcome.policies.length === 0, ...outcome}
  }
}
