import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {unsetConfig, type ConfigUnsetResult} from '../../lib/config/settings.js'

export type {ConfigUnsetResult}

export default class ConfigUnset extends BaseCommand<typeof ConfigUnset> {
  static override summary = 'Remove one setting from a profile.'
  static override description =
    'Removing a key that is not set succeeds and changes nothing; naming a profile that does not exist exits 6. Unsetting default-profile makes ppctl fall back to the profile named "default".'

  static override examples = [
    {description: "Stop trusting the active profile's extra CA", command: '<%= config.bin %> <%= command.id %> ca-file'},
    {description: 'Remove the tenant of profile "prod"', command: '<%= config.bin %> <%= command.id %> tenant --profile prod'},
    {description: 'Forget the default profile', command: '<%= config.bin %> <%= command.id %> default-profile'},
  ]

  static override args = {
    key: Args.string({description: 'The key to remove (see: ppctl config list).', required: true}),
  }

  async run(): Promise<ConfigUnsetResult> {
    const result = await unsetConfig(this.ctx, this.args.key)
    const where = result.profile === null ? '' : ` from profile "${result.profile}"`
    this.out(result.removed ? text`Removed ${result.key}${where}.` : text`${result.key} was not set${where}; nothing changed.`)
    if (result.overriddenBy) this.note(text`Note: ${result.overriddenBy} is still set in the environment and provides this value.`)
    return result
  }
}
