// `ppctl sandbox seed`: add directory members and seats to a tenant of the local platform (load tests, benchmarks).
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {recordView} from '../../lib/output/view.js'
import {resolveDataDir} from '../../lib/sandbox/lifecycle.js'
import {parseSeats, seedSandbox, type SandboxSeedResult} from '../../lib/sandbox/seed.js'

export type {SandboxSeedResult}

export default class SandboxSeed extends BaseCommand<typeof SandboxSeed> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'Add directory members and license seats to a tenant of the local platform (load tests, benchmarks).'
  static override description =
    "Members member00001@<domain> … member<N>@<domain> join the tenant's directory (like the seeded members, they can hold licenses but cannot sign in); members already there are kept, so seeding again is safe. --seats sets how many seats a SKU has. The platform API itself never creates users: this goes through the local platform's control socket, like the drills."

  static override examples = [
    {
      description: 'Ten thousand members and as many per-user seats',
      command: '<%= config.bin %> <%= command.id %> --users 10000 --seats POWERAPPS_PER_USER=10000',
    },
    {description: "More seats for Fabrikam's Flow Free", command: '<%= config.bin %> <%= command.id %> --tenant fabrikam --seats FLOW_FREE=500 --json'},
  ]

  static override flags = {
    'data-dir': dataDirFlag,
    tenant: Flags.string({charAliases: ['t'], description: 'Tenant: name, domain or id (contoso, fabrikam).', default: 'contoso'}),
    users: Flags.integer({description: 'Members the directory should hold: member00001 … member<N>.', min: 0, max: 1_000_000}),
    seats: Flags.string({description: 'SKU=N: the seats of a SKU (repeatable).', multiple: true}),
  }

  async run(): Promise<SandboxSeedResult> {
    const seats = parseSeats(this.flags.seats ?? [])
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const result = await seedSandbox(this.ctx, dataDir, {tenant: this.flags.tenant, users: this.flags.users, seats})
    this.view(
      recordView([
        ['Tenant', result.tenant],
        ['Members added', String(result.usersAdded)],
        ['Users', String(result.users)],
        ...Object.entries(result.seats).map(([id, n]): [string, string] => [`Seats of ${id}`, String(n)]),
      ]),
    )
    return result
  }
}
