import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {baseFlagsWithoutProfile} from '../../cli/flags/base.js'
import {text} from '../../lib/output/render.js'
import {switchProfile, type SwitchResult} from '../../lib/auth/profiles.js'

export type AuthSwitchResult = SwitchResult

export default class AuthSwitch extends BaseCommand<typeof AuthSwitch> {
  // The name to switch to is the argument; --profile would be ignored.
  static override baseFlags = baseFlagsWithoutProfile

  static override summary = 'Make a profile the default.'
  static override description =
    '--profile and PPCTL_PROFILE always win over the default, so parallel jobs that name their profile never depend on (or fight over) this setting.'

  static override examples = [
    {description: 'Use "work" from now on', command: '<%= config.bin %> <%= command.id %> work'},
    {description: 'Back to the local platform', command: '<%= config.bin %> <%= command.id %> sandbox'},
    {description: 'In a CI job, name the profile instead', command: 'PPCTL_PROFILE=work <%= config.bin %> auth status'},
  ]

  static override args = {
    name: Args.string({description: 'The profile to make the default (see `ppctl auth list`).', required: true}),
  }

  async run(): Promise<AuthSwitchResult> {
    const result = await switchProfile(this.ctx, this.args.name)
    this.out(text`The default profile is now "${result.defaultProfile}".`)
    if (result.overriddenBy) this.note(text`Note: ${result.overriddenBy} is set in this shell and still wins over the default.`)
    return result
  }
}
