// --yes: the one way every command that asks for confirmation at a terminal is told not to (a script has no terminal).
import {Flags} from '@oclif/core'

export const yesFlag = Flags.boolean({char: 'y', description: 'Do not ask for confirmation (needed without a terminal).'})
