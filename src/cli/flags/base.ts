// The global flags every command has (besides oclif's --json): --profile and --debug, built from the plain data the fast path reads too.
import {Flags} from '@oclif/core'

import {BASE_FLAG_DEFS} from '../../lib/flag-defs.js'

export const baseFlags = {
  profile: Flags.string(BASE_FLAG_DEFS.profile),
  debug: Flags.boolean(BASE_FLAG_DEFS.debug),
}

/**
 * The global flags of a command that never reads a profile (the sandbox commands, `auth switch`): --profile is not
 * shown, but still accepted (and ignored), so scripts that pass it everywhere keep working.
 */
export const baseFlagsWithoutProfile = {
  ...baseFlags,
  profile: Flags.string({...BASE_FLAG_DEFS.profile, hidden: true}),
}
