// Flags shared by the sandbox commands.
import {Flags} from '@oclif/core'

import {BASE_FLAG_DEFS} from '../../lib/flag-defs.js'
import {baseFlags} from './base.js'

/**
 * The global flags of the sandbox commands: they always use the "sandbox" profile, so --profile is not shown;
 * it is still accepted (and ignored), so scripts that pass it everywhere keep working.
 */
export const sandboxBaseFlags = {
  ...baseFlags,
  profile: Flags.string({...BASE_FLAG_DEFS.profile, hidden: true}),
}

export const dataDirFlag = Flags.string({
  description: "The local platform's data folder (default: PPCTL_SANDBOX_DIR, then the one `sandbox start` recorded, then <data dir>/sandbox).",
  helpValue: 'DIR',
})
