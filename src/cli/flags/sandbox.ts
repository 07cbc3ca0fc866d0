// Flags shared by the sandbox commands.
import {Flags} from '@oclif/core'

import {baseFlagsWithoutProfile} from './base.js'

/** The sandbox commands always use the "sandbox" profile. */
export const sandboxBaseFlags = baseFlagsWithoutProfile

export const dataDirFlag = Flags.string({
  description: "The local platform's data folder (default: PPCTL_SANDBOX_DIR, then the one `sandbox start` recorded, then <data dir>/sandbox).",
  helpValue: 'DIR',
})
