import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {getEnvironment, type Environment} from '../../lib/platform/environments.js'

export type EnvShowResult = Environment

export default class EnvShow extends BaseCommand<typeof EnvShow> {
  static override summary = 'Show one environment, with its ETag.'
  static override description = 'By id or display name; `default` is always the default environment. Unknown → exit 6. Needs the Admin or Maker role.'

  static override examples = [
    {description: 'The default environment', command: '<%= config.bin %> <%= command.id %> default'},
    {description: 'By name, for a script', command: '<%= config.bin %> <%= command.id %> "Finance Production" --json'},
  ]

  static override args = {
    env: Args.string({description: 'The environment id or display name.', required: true}),
  }

  async run(): Promise<EnvShowResult> {
    const e = await getEnvironment(this.ctx, this.args.env)
    this.view(
      recordView([
        ['Id', e.id],
        ['Name', e.displayName],
        ['Type', e.type],
        ['Default', e.isDefault ? 'yes (cannot be deleted)' : 'no'],
        ['Security group', e.securityGroupId ?? 'none (every user of the tenant)'],
        ['Created by', e.createdBy],
        ['Created', e.createdAt],
        ['Updated', e.updatedAt],
        ['ETag', e.etag],
      ]),
    )
    return e
  }
}
