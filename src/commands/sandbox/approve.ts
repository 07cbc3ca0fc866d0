import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {readSecret} from '../../lib/io/read-secret.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {resolveDataDir} from '../../lib/sandbox/lifecycle.js'
import {approvePendingSignIn, type ApproveResult} from '../../lib/sandbox/approve.js'

export type SandboxApproveResult = ApproveResult

export default class SandboxApprove extends BaseCommand<typeof SandboxApprove> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'Complete a pending device sign-in on the local platform, for scripts and tests.'
  static override description = `Goes through the same pages a person uses in a browser — code entry, sign-in with the user's password, consent — over HTTPS. The password is read from stdin (or a prompt at a terminal), never from a flag. There is no path that skips authentication.`

  static override examples = [
    {
      description: 'Approve a code as the Contoso admin (password from `sandbox users`)',
      command: `<%= config.bin %> sandbox users --json | jq -r '.items[0].password' | <%= config.bin %> <%= command.id %> ABCD-EFGH --user admin@contoso.example`,
    },
    {description: 'At a terminal (prompts for the password)', command: '<%= config.bin %> <%= command.id %> ABCD-EFGH --user maker@fabrikam.example'},
  ]

  static override args = {
    'user-code': Args.string({description: 'The code shown by `ppctl auth login` (e.g. ABCD-EFGH).', required: true}),
  }

  static override flags = {
    user: Flags.string({description: 'The UPN to sign in as (see `ppctl sandbox users`).', required: true}),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<SandboxApproveResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const password = await readSecret(this.ctx, `Password for ${this.flags.user}`, 'pipe the password on stdin')
    const result = await approvePendingSignIn(this.ctx, {dataDir, userCode: this.args['user-code'], upn: this.flags.user, password})
    this.out(text`Approved the sign-in of ${result.upn}; the waiting \`ppctl auth login\` will now finish.`)
    return result
  }
}
