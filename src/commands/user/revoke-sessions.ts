import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {yesFlag} from '../../cli/flags/confirm.js'
import {confirmOrCancel} from '../../lib/io/prompter.js'
import {text} from '../../lib/output/render.js'
import {revokeSessions, type SessionRevocation} from '../../lib/platform/sessions.js'

export type UserRevokeSessionsResult = SessionRevocation

export default class UserRevokeSessions extends BaseCommand<typeof UserRevokeSessions> {
  static override summary = 'Sign a user (or service principal) out everywhere: end their sessions and refuse their tokens now.'
  static override description =
    'Ends every sign-in session of the account at the identity provider (refresh tokens stop working) and makes the gateway refuse every access token issued to it before now, within seconds — their next command exits 4 with "session revoked". A new sign-in works again (a service principal with its certificate can sign in again: remove its certificate to keep it out). Admin only; audited as user.sessions_revoked. Asks for confirmation at a terminal; without one, pass --yes.'

  static override examples = [
    {description: 'Cut off a user (asks first)', command: '<%= config.bin %> <%= command.id %> maker@contoso.example'},
    {description: 'Unattended, e.g. from audit watch --exec', command: '<%= config.bin %> <%= command.id %> maker@contoso.example --yes'},
    {
      description: 'A service principal, by client id, for a script',
      command: '<%= config.bin %> <%= command.id %> 0f6c2a1e-1111-4222-8333-944455556666 --yes --json',
    },
  ]

  static override args = {
    upn: Args.string({description: 'The user, by UPN (or id), or a service principal by client id.', required: true}),
  }

  static override flags = {
    yes: yesFlag,
  }

  async run(): Promise<UserRevokeSessionsResult> {
    await confirmOrCancel(
      this.ctx.prompter,
      `Revoke every session of ${this.args.upn}? Their commands and apps stop working until they sign in again.`,
      this.flags.yes,
    )
    const r = await revokeSessions(this.ctx, this.args.upn)
    const who = r.upn ?? `${r.displayName} (${r.id})`
    this.out(
      text`Revoked the sessions of ${who}: tokens issued before ${r.notBefore} are refused${r.enforced ? '' : ' within seconds'}; ${String(r.grantsRevoked)} sign-in session(s) ended.`,
    )
    return r
  }
}
