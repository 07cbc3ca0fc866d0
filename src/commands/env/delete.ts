import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {CancelledError, UsageError} from '../../lib/errors/index.js'
import {text} from '../../lib/output/render.js'
import {deleteEnvironment, getEnvironment} from '../../lib/platform/environments.js'

export interface EnvDeleteResult {
  id: string
  displayName: string
  deleted: true
}

export default class EnvDelete extends BaseCommand<typeof EnvDelete> {
  static override summary = 'Delete an environment with its flows and custom connectors.'
  static override description =
    "At a terminal it asks for the environment's name, typed back. Scripts pass --yes --confirm NAME (the name or id); without a terminal it never asks. The default environment cannot be deleted, nor one a DLP policy names in its scope (exit 7: change those policies first). Audited (environment.deleted). Needs the Admin role."

  static override examples = [
    {description: 'Delete (asks for the name)', command: '<%= config.bin %> <%= command.id %> test'},
    {description: 'Unattended', command: '<%= config.bin %> <%= command.id %> test --yes --confirm Test'},
  ]

  static override args = {
    env: Args.string({description: 'The environment id or display name.', required: true}),
  }

  static override flags = {
    yes: Flags.boolean({char: 'y', description: 'Do not ask (needs --confirm).', dependsOn: ['confirm']}),
    confirm: Flags.string({description: "The environment's name (or id), as the confirmation a terminal would ask for.", dependsOn: ['yes']}),
  }

  async run(): Promise<EnvDeleteResult> {
    const env = await getEnvironment(this.ctx, this.args.env)
    const matches = (answer: string) => answer.trim() === env.displayName || answer.trim() === env.id
    if (this.flags.yes) {
      if (!matches(this.flags.confirm!))
        throw new UsageError('CONFIRMATION_MISMATCH', `--confirm "${this.flags.confirm}" is not the name of environment ${env.id}; nothing was deleted.`, {
          nextStep: `Pass its name: --confirm "${env.displayName}"`,
        })
    } else {
      const answer = await this.ctx.prompter.input(
        `Delete environment ${env.displayName} (${env.id}) with its flows and custom connectors? Type its name to confirm:`,
        '--yes --confirm NAME',
      )
      if (!matches(answer)) throw new CancelledError('CANCELLED', "The name typed is not the environment's; nothing was deleted.")
    }
    await deleteEnvironment(this.ctx, env)
    this.out(text`Deleted environment ${env.displayName} (${env.id}).`)
    return {id: env.id, displayName: env.displayName, deleted: true}
  }
}
