import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {listProfiles, type ProfileSummary} from '../../lib/auth/profiles.js'
import {tableView} from '../../lib/output/view.js'

/** The profiles, in the list envelope of every list command. */
export interface AuthListResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: ProfileSummary[]
}

export default class AuthList extends BaseCommand<typeof AuthList> {
  static override summary = 'List the profiles, the default one, and who is signed in to each.'
  static override description =
    'Reads only the profile config (never the keychain or the network). The Active column names the profile commands use now (--profile, PPCTL_PROFILE, then the default), Default the default one (see `auth switch`).'

  static override examples = [
    {description: 'The profiles', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Names of the signed-in profiles', command: `<%= config.bin %> <%= command.id %> --json | jq -r '.items[] | select(.signedIn) | .name'`},
  ]

  async run(): Promise<AuthListResult> {
    const {profiles} = await listProfiles(this.ctx)
    const result = {count: profiles.length, items: profiles}
    const rows = profiles.map((p) => [p.name, p.active ? 'yes' : 'no', p.default ? 'yes' : 'no', p.account, p.tenantId, p.method, p.authority])
    this.view(
      tableView(['Profile', 'Active', 'Default', 'Account', 'Tenant', 'Method', {header: 'Authority', free: true}], rows, {
        empty: text`No profiles yet. Sign in with: ppctl auth login --authority URL   (or start the local platform: ppctl sandbox start)`,
      }),
    )
    return result
  }
}
