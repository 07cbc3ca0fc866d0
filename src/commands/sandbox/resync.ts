// `ppctl sandbox resync`: rebuilds a tenant's passive cluster from its active one (repairs a broken replication).
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {resyncSandbox, type SandboxResyncResult} from '../../lib/sandbox/failover.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {resolveDataDir} from '../../lib/sandbox/lifecycle.js'

export type {SandboxResyncResult}

export default class SandboxResync extends BaseCommand<typeof SandboxResync> {
  static override baseFlags = sandboxBaseFlags

  static override summary = "Rebuild a tenant's passive cluster from its active one (repairs a broken replication on the local platform)."
  static override description =
    "When `sandbox status` reports a tenant's replication as broken (an entry the secondary could not apply), shipping of that tenant has stopped. This copies the tenant's state from the active cluster to the secondary, resumes shipping and records a replication.resynced audit event. Nothing acknowledged is lost: every acknowledged write is on the active cluster."

  static override examples = [{description: "Repair Contoso's replication", command: '<%= config.bin %> <%= command.id %> --tenant contoso'}]

  static override flags = {
    'data-dir': dataDirFlag,
    tenant: Flags.string({charAliases: ['t'], description: 'Tenant to resync: name, domain or id (contoso, fabrikam).', required: true}),
  }

  async run(): Promise<SandboxResyncResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const result = await resyncSandbox(this.ctx, dataDir, this.flags.tenant)
    this.view(
      recordView([
        ['Tenant', result.tenant],
        ['Active cluster', result.active],
        ['Secondary', `${result.secondary} (rebuilt)`],
        ['Replication', result.broken ? `BROKEN at entry ${result.broken.lsn}` : `ok, lag ${result.lagEntries} entries`],
      ]),
    )
    return result
  }
}
