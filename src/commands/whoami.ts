// `ppctl whoami`: the account, tenant (name and id), roles and profile in use, in one line; offline.
import {BaseCommand} from '../cli/base-command.js'
import {whoami, type WhoamiResult} from '../lib/auth/whoami.js'

export type {WhoamiResult}
import {text} from '../lib/output/render.js'

export default class Whoami extends BaseCommand<typeof Whoami> {
  static override summary = 'Print who you are signed in as: account, tenant (name and id), roles and profile, in one line.'
  static override description =
    "Reads the stored token's claims and the routing cache, with no network request (in CI mode it signs in from the certificate variables first). " +
    'The tenant name shows once a command has fetched the route (e.g. ppctl route show). Signed out: exit 4 and the command to sign in. ' +
    'It says what the token claims; whether the platform still accepts it is `ppctl auth status --check`.'

  static override examples = [
    {description: 'Who am I?', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Only my roles (for a script)', command: `<%= config.bin %> <%= command.id %> --json | jq -r '.roles[]'`},
  ]

  async run(): Promise<WhoamiResult> {
    const me = await whoami(this.ctx)
    const tenant = me.tenantId ? (me.tenantName ? `${me.tenantName} (${me.tenantId})` : `tenant ${me.tenantId}`) : 'no tenant'
    const roles = me.roles.length > 0 ? me.roles.join(', ') : 'no role'
    this.out(text`${me.account} in ${tenant} as ${roles} — profile ${me.profile}`)
    return me
  }
}
