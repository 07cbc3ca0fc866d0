import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {formatConfigValue} from '../../lib/config/keys.js'
import {getConfig, type ConfigGetResult} from '../../lib/config/settings.js'

export type {ConfigGetResult}

export default class ConfigGet extends BaseCommand<typeof ConfigGet> {
  static override summary = 'Print the effective value of one setting.'
  static override description =
    'Prints the value alone, so scripts can capture it; an environment override (PPCTL_AUTHORITY, ...) wins over the profile. Exits 6 when the key is not set. Lists are printed comma-separated.'

  static override examples = [
    {description: "The active profile's authority", command: '<%= config.bin %> <%= command.id %> authority'},
    {description: "Another profile's cluster allow-list", command: '<%= config.bin %> <%= command.id %> cluster-allow-list --profile prod'},
    {description: 'The default profile', command: '<%= config.bin %> <%= command.id %> default-profile'},
    {description: 'With its source, for scripts', command: '<%= config.bin %> <%= command.id %> ca-file --json'},
  ]

  static override args = {
    key: Args.string({description: 'The key, e.g. authority, global-url, ca-file, tenant (see: ppctl config list).', required: true}),
  }

  async run(): Promise<ConfigGetResult> {
    const result = await getConfig(this.ctx, this.args.key)
    this.out(text`${formatConfigValue(result.value)}`)
    return result
  }
}
