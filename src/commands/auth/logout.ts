import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {logout, type LogoutResult} from '../../lib/auth/logout.js'

export type AuthLogoutResult = LogoutResult

export default class AuthLogout extends BaseCommand<typeof AuthLogout> {
  static override summary = "Sign out: revoke the refresh token, delete the profile's secrets and every cache."
  static override description =
    "Revokes the refresh token at the provider when it offers revocation (sign-out still completes offline), deletes the profile's keychain entries (or its insecure file entry) and its cache folder, routing cache included, and clears who was signed in from the profile. The profile's settings (authority, client id, CA) stay."

  static override examples = [
    {description: 'Sign out of the active profile', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Sign out of one profile', command: '<%= config.bin %> <%= command.id %> --profile work'},
    {description: 'Sign out everywhere', command: '<%= config.bin %> <%= command.id %> --all'},
  ]

  static override flags = {
    all: Flags.boolean({description: 'Sign out of every profile.'}),
  }

  async run(): Promise<AuthLogoutResult> {
    const result = await logout(this.ctx, {all: this.flags.all})
    for (const p of result.profiles) {
      this.out(
        text`Signed out of "${p.profile}": secrets and cache deleted${p.revoked ? ', refresh token revoked' : p.revocationNote ? ` (not revoked: ${p.revocationNote})` : ''}.`,
      )
    }
    if (result.profiles.length === 0) this.out(text`No profiles to sign out of.`)
    return result
  }
}
