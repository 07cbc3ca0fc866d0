// The global flags every command has (besides oclif's --json): --profile and --debug.
import {Flags} from '@oclif/core'

export const baseFlags = {
  profile: Flags.string({
    description: 'Profile to use (default: PPCTL_PROFILE, then the default profile).',
    helpGroup: 'GLOBAL',
  }),
  debug: Flags.boolean({
    description: 'Print diagnostic traces to stderr, with every secret redacted.',
    helpGroup: 'GLOBAL',
  }),
}
