import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'
import {describeFault, FAULT_ACTIONS, injectFault, type FaultAction, type FaultResult} from '../../lib/sandbox/fault.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {resolveDataDir} from '../../lib/sandbox/lifecycle.js'

export type SandboxFaultResult = FaultResult

export default class SandboxFault extends BaseCommand<typeof SandboxFault> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'Make the gateway misbehave for one cluster: down, slow, flaky or throttled; `up` clears it.'
  static override description = `For failover drills and resilience tests. The gateway applies the fault to every request for the cluster's host, before the token is checked:
  down            the connection is reset (--mode 503: answers 503 Service Unavailable with Retry-After)
  slow <ms>       each request waits <ms> milliseconds before the cluster answers
  flaky <rate>    that fraction of requests (0 to 1) answers 503 with Retry-After
  throttle <rps>  beyond <rps> requests per second, answers 429 with Retry-After
  up              clears the cluster's fault
One fault per cluster: a new one replaces the old. Faults live in the running platform's memory and end when it stops. \`ppctl sandbox status\` lists the active ones.`

  static override examples = [
    {description: "Take contoso's home cluster down (connections reset)", command: '<%= config.bin %> <%= command.id %> --cluster eastus-1 down'},
    {description: 'Down, but answering 503 instead', command: '<%= config.bin %> <%= command.id %> --cluster eastus-1 down --mode 503'},
    {description: 'Add 2 s to every request', command: '<%= config.bin %> <%= command.id %> --cluster westeurope-1 slow 2000'},
    {description: 'Fail 30 % of requests with 503', command: '<%= config.bin %> <%= command.id %> --cluster eastus-1 flaky 0.3'},
    {description: 'Allow 5 requests per second, then 429', command: '<%= config.bin %> <%= command.id %> --cluster eastus-1 throttle 5 --json'},
    {description: 'Back to normal', command: '<%= config.bin %> <%= command.id %> --cluster eastus-1 up'},
  ]

  static override args = {
    action: Args.string({description: 'What the cluster does.', required: true, options: [...FAULT_ACTIONS]}),
    value: Args.string({description: 'For slow: milliseconds; flaky: failure rate 0–1; throttle: requests per second.'}),
  }

  static override flags = {
    cluster: Flags.string({description: 'The cluster (eastus-1, westus-1, westeurope-1, northeurope-1).', required: true}),
    mode: Flags.string({description: 'How a down cluster fails.', options: ['reset', '503'], default: 'reset'}),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<SandboxFaultResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const result = await injectFault(this.ctx, {
      dataDir,
      cluster: this.flags.cluster,
      action: this.args.action as FaultAction,
      value: this.args.value,
      mode: this.flags.mode as 'reset' | '503',
    })
    this.view(
      tableView(
        ['Cluster', {header: 'Fault', free: true}, 'Since'],
        result.faults.map((f) => [f.clusterId, describeFault(f), f.since]),
        {
          title: result.fault ? text`${result.cluster} is now ${describeFault(result.fault)}.` : text`Cleared the fault of ${result.cluster}.`,
          empty: text`No cluster has a fault.`,
          ...(result.fault ? {footer: text`Undo: ppctl sandbox fault --cluster ${result.cluster} up`} : {}),
        },
      ),
    )
    return result
  }
}
