import {BaseCommand} from '../../cli/base-command.js'
import {tableView} from '../../lib/output/view.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {resolveDataDir} from '../../lib/sandbox/lifecycle.js'
import {listSandboxUsers, type SandboxUser} from '../../lib/sandbox/users.js'

/** The seeded identities, in the list envelope of every list command. */
export interface SandboxUsersResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: SandboxUser[]
}

export default class SandboxUsers extends BaseCommand<typeof SandboxUsers> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'List the seeded identities of the local platform and their generated passwords.'
  static override description =
    'The passwords are generated at first start, stored hashed by the platform, and shown only here. They are for the local platform only.'

  static override examples = [
    {description: 'Show the identities', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: "Contoso admin's password, for a script",
      command: `<%= config.bin %> <%= command.id %> --json | jq -r '.items[] | select(.upn=="admin@contoso.example") | .password'`,
    },
  ]

  static override flags = {'data-dir': dataDirFlag}

  async run(): Promise<SandboxUsersResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const users = await listSandboxUsers(this.ctx, dataDir)
    this.view(
      tableView(
        ['UPN', 'Tenant', {header: 'Roles', free: true}, 'Password'],
        users.map((u) => [u.upn, u.tenant, u.roles.join(', '), u.password]),
      ),
    )
    return {count: users.length, items: users}
  }
}
