import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {yesFlag} from '../../cli/flags/confirm.js'
import {confirmOrCancel} from '../../lib/io/prompter.js'
import {planSummary, planView} from '../../lib/dlp/plan-view.js'
import {applyPlanned, planFile, refuseStale, type PlannedPolicy} from '../../lib/dlp/workflow.js'
import type {FlowImpact} from '../../lib/platform/dlp.js'
import {text} from '../../lib/output/render.js'

export interface DlpApplyResult {
  file: string
  dryRun: boolean
  /** The plan that was (or, with --dry-run, would be) applied. */
  policies: PlannedPolicy[]
  /** What the platform changed, with the new ETags (empty in a dry run). */
  applied: Array<{op: 'create' | 'update' | 'delete'; id: string; name: string; etag?: string}>
  suspended: FlowImpact[]
  resumed: FlowImpact[]
}

export default class DlpApply extends BaseCommand<typeof DlpApply> {
  static override summary = 'Apply a DLP policies file: every change in one all-or-nothing batch.'
  static override description =
    'Plans first (as dlp plan) and shows the plan; asks for confirmation at a terminal unless --yes (without a terminal --yes is needed). A policy changed on the platform since the file was exported — or between the plan and the apply — stops it with exit 7, naming the policy, and nothing is applied. Flows the change makes non-compliant are suspended, and audited. Applying the same file again does nothing. After an apply, export again to keep the new ETags.'

  static override examples = [
    {description: 'Apply (shows the plan, asks first)', command: '<%= config.bin %> <%= command.id %> policies.yaml'},
    {description: 'In a pipeline', command: '<%= config.bin %> <%= command.id %> policies.yaml --yes --json'},
    {description: 'What would happen, changing nothing', command: '<%= config.bin %> <%= command.id %> policies.yaml --dry-run'},
  ]

  static override args = {
    file: Args.string({description: 'The policies file (YAML).', required: true}),
  }

  static override flags = {
    'dry-run': Flags.boolean({description: 'Plan and show the impact; change nothing.'}),
    yes: yesFlag,
  }

  async run(): Promise<DlpApplyResult> {
    const file = this.args.file
    const planned = await planFile(this.ctx, file)
    const dryRun = Boolean(this.flags['dry-run'])
    const base = {file, dryRun, policies: planned.policies}
    if (planned.policies.length === 0) {
      this.out(text`Nothing to do: the platform's policies are those of ${file}.`)
      return {...base, applied: [], suspended: [], resumed: []}
    }
    refuseStale(planned.plans, file)
    if (dryRun) {
      this.view(
        planView(
          planned.policies,
          planned.suspended,
          planned.resumed,
          planSummary(planned.policies, planned.suspended.length, planned.resumed.length, 'would'),
        ),
      )
      return {...base, applied: [], suspended: planned.suspended, resumed: planned.resumed}
    }
    if (!this.flags.yes) this.preview(planned)
    await confirmOrCancel(
      this.ctx.prompter,
      `Apply ${planned.policies.length} change${planned.policies.length === 1 ? '' : 's'} to the DLP policies?`,
      this.flags.yes,
    )
    const done = await applyPlanned(this.ctx, planned, file)
    this.view(planView(planned.policies, done.suspended, done.resumed, planSummary(planned.policies, done.suspended.length, done.resumed.length, 'did')))
    return {...base, ...done}
  }

  /** The plan on stderr before the question, so stdout keeps only the result. */
  private preview(planned: Awaited<ReturnType<typeof planFile>>): void {
    if (!this.ctx.prompter.interactive) return
    const rows = planned.policies.map(
      (p) => text`  ${p.action} ${p.name}${p.id ? text` (${p.id})` : ''}: ${p.changes.length} change${p.changes.length === 1 ? '' : 's'}`,
    )
    const flows = planned.suspended.map((f) => text`  would suspend ${f.displayName} (${f.id}) in ${f.environmentId}, owner ${f.ownerUpn}`)
    for (const line of [...rows, ...flows, planSummary(planned.policies, planned.suspended.length, planned.resumed.length, 'would')]) this.note(line)
  }
}
