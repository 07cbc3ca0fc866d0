import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {AUTH_TOKEN} from '../../cli/fast-commands.js'

export interface AuthTokenResult {
  accessToken: string
  /** DPoP: bound to the profile's key (`auth login --dpop`); it is refused without a proof signed by that key. */
  tokenType: 'Bearer' | 'DPoP'
  /** ISO 8601. */
  expiresAt: string
  profile: string
}

export default class AuthToken extends BaseCommand<typeof AuthToken> {
  static override summary = 'Print an access token for scripts (to stdout only), renewed first when it is close to expiry.'
  static override description =
    'Renews the token 5 minutes before it expires, under a lock shared by every ppctl process of the profile, so parallel jobs refresh it once. Exits 4 when the sign-in has expired or was revoked. The token is a secret: do not log it.'

  static override examples = [
    {
      description: 'Call the API with curl',
      command:
        'curl --cacert "$(<%= config.bin %> config get ca-file)" -H "Authorization: Bearer $(<%= config.bin %> <%= command.id %>)" "$(<%= config.bin %> config get global-url)/v1/me/home"',
    },
    {description: 'With its expiry', command: `<%= config.bin %> <%= command.id %> --json | jq -r .expiresAt`},
    {
      description: 'In CI (nothing stored)',
      command:
        'PPCTL_CLIENT_ID=… PPCTL_TENANT_ID=contoso PPCTL_CERTIFICATE_PATH=ci.pem PPCTL_AUTHORITY=https://login.example.com <%= config.bin %> <%= command.id %>',
    },
  ]

  // Plain data and a run body shared with the fast path (src/cli/fast-commands.ts).
  static override flags = {
    'force-refresh': Flags.boolean(AUTH_TOKEN.flags['force-refresh']),
  }

  async run(): Promise<AuthTokenResult> {
    return AUTH_TOKEN.run(this.ctx, this.flags, this.sink)
  }
}
