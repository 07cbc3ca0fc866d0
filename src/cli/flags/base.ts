// The global flags every command has (besides oclif's --json): --profile, --debug, -o/--output, --query and --no-headers, built from the plain data the fast path reads too.
import {Flags} from '@oclif/core'

import {BASE_FLAG_DEFS} from '../../lib/flag-defs.js'

export const baseFlags = {
  profile: Flags.string(BASE_FLAG_DEFS.profile),
  debug: Flags.boolean(BASE_FLAG_DEFS.debug),
  output: Flags.string(BASE_FLAG_DEFS.output),
  query: Flags.string(BASE_FLAG_DEFS.query),
  'no-headers': Flags.boolean(BASE_FLAG_DEFS['no-headers']),
}

/**
 * The global flags of a command that never reads a profile (the sandbox commands, `auth switch`): --profile is not
 * shown, but still accepted (and ignored), so scripts that pass it everywhere keep working.
 */
export const baseFlagsWithoutProfile = {
  ...baseFlags,
  profile: Flags.string({...BASE_FLAG_DEFS.profile, hidden: true}),
}
