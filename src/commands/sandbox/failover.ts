import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {failoverSandbox, type SandboxFailoverResult} from '../../lib/sandbox/failover.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {resolveDataDir} from '../../lib/sandbox/lifecycle.js'

export type {SandboxFailoverResult}

export default class SandboxFailover extends BaseCommand<typeof SandboxFailover> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'Fail a tenant over to its paired secondary cluster (a drill on the local platform).'
  static override description =
    'A planned failover drains replication, swaps the active and passive clusters, bumps the route epoch in the global service and records a failover.completed audit event: no acknowledged write is lost. With --force it simulates a regional outage: it swaps at once and reports how many committed writes never reached the secondary (they are lost; the old cluster is rebuilt from the new active one). Afterwards the old active cluster answers 421 WRONG_CLUSTER.'

  static override examples = [
    {description: 'Planned failover of Contoso', command: '<%= config.bin %> <%= command.id %> --tenant contoso'},
    {description: 'Simulate a regional outage and see what was lost', command: '<%= config.bin %> <%= command.id %> --tenant fabrikam --force --json'},
  ]

  static override flags = {
    'data-dir': dataDirFlag,
    tenant: Flags.string({charAliases: ['t'], description: 'Tenant to fail over: name, domain or id (contoso, fabrikam).', required: true}),
    force: Flags.boolean({description: 'Swap without draining replication (simulated outage); unshipped writes are lost.'}),
  }

  async run(): Promise<SandboxFailoverResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const result = await failoverSandbox(this.ctx, dataDir, this.flags.tenant, this.flags.force)
    this.view(
      recordView([
        ['Tenant', result.tenant],
        ['Mode', result.mode],
        ['Active cluster', `${result.to} (was ${result.from})`],
        ['Route epoch', `${result.epoch} (was ${result.previousEpoch})`],
        [result.mode === 'planned' ? 'Writes drained' : 'Writes lost', String(result.mode === 'planned' ? result.drainedWrites : result.lostWrites)],
      ]),
    )
    return result
  }
}
