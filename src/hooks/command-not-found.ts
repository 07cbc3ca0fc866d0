// An unknown command: one line naming it, the closest topic's help as the next step, exit 2.
import type {Hook} from '@oclif/core'

import {ExitCode} from '../lib/errors/index.js'

const hook: Hook.CommandNotFound = async function (options) {
  const words = options.id.split(':')
  const topic = words.slice(0, -1).join(' ')
  const known = options.config.topics.some((t) => t.name === words.slice(0, -1).join(':'))
  const help = known && topic ? `ppctl ${topic} --help` : 'ppctl --help'
  process.stderr.write(`Error: "${words.join(' ').replace(/[^\x20-\x7e]/g, '?')}" is not a ppctl command.\n  Next: See the commands: ${help}\n`)
  process.exit(ExitCode.USAGE)
}

export default hook
