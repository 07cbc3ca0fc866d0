// A command oclif does not know: `help …`, a typo ("did you mean"), extra words after a command, or a mistyped flag.
import type {Hook, Interfaces} from '@oclif/core'

type Config = Interfaces.Config

import {UsageError} from '../lib/errors/index.js'
import {closest} from '../lib/errors/suggest.js'
import {processIO} from '../lib/io/io.js'
import {reportError} from '../lib/output/command-output.js'

const GLOBAL_FLAGS = ['--help', '--version']

const hook: Hook.CommandNotFound = async function (options) {
  const {config} = options
  const words = options.id.split(':')
  const argv = options.argv ?? []
  if (words[0] === 'help' && (words.length === 1 || known(config, words.slice(1)))) {
    // `ppctl help [topic|command]`: the same help as --help.
    const {loadHelpClass} = await import('@oclif/core')
    const full = config as unknown as Parameters<typeof loadHelpClass>[0]
    const Help = await loadHelpClass(full)
    await new Help(full, config.pjson.oclif.helpOptions).showHelp([...words.slice(1), ...argv])
    return
  }
  const io = processIO(process.env)
  reportError(io, unknownCommand(config, words[0] === 'help' ? words.slice(1) : words), {commandId: undefined, json: argv.includes('--json'), debug: false})
  process.exit(process.exitCode)
}

const spaced = (id: string) => id.replace(/:/g, ' ')
const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, '?')

function known(config: Config, words: string[]): boolean {
  const id = words.join(':')
  return Boolean(config.findCommand(id) || config.findTopic(id))
}

function unknownCommand(config: Config, words: string[]): UsageError {
  const typed = printable(words.join(' '))
  if (words[0]?.startsWith('-')) {
    const suggestion = closest(words[0], GLOBAL_FLAGS)
    return new UsageError('UNKNOWN_COMMAND', `Unknown flag ${typed}.${suggestion ? ` Did you mean ${suggestion}?` : ''}`, {
      nextStep: suggestion ? `ppctl ${suggestion}` : 'See the commands: ppctl --help',
    })
  }
  // A command followed by words it does not take (oclif joins them into the id when the command has no arguments).
  for (let n = words.length - 1; n > 0; n--) {
    const id = words.slice(0, n).join(':')
    if (config.findCommand(id)) {
      const extra = words
        .slice(n)
        .map((w) => `"${printable(w)}"`)
        .join(', ')
      return new UsageError('USAGE', `ppctl ${spaced(id)} does not take ${n === words.length - 1 ? 'the argument' : 'the arguments'} ${extra}.`, {
        nextStep: `See the command help: ppctl ${spaced(id)} --help`,
      })
    }
  }
  const suggestion = suggest(config, words)
  if (suggestion)
    return new UsageError('UNKNOWN_COMMAND', `"${typed}" is not a ppctl command. Did you mean "ppctl ${suggestion}"?`, {nextStep: `ppctl ${suggestion} --help`})
  const topic = words.slice(0, -1).join(':')
  const help = topic && config.findTopic(topic) ? `ppctl ${spaced(topic)} --help` : 'ppctl --help'
  return new UsageError('UNKNOWN_COMMAND', `"${typed}" is not a ppctl command.`, {nextStep: `See the commands: ${help}`})
}

/** The command (or topic) meant: a typo of the last word within a known topic, or of the first word. */
function suggest(config: Config, words: string[]): string | undefined {
  const childrenOf = (prefix: string) => {
    const depth = prefix ? prefix.split(':').length : 0
    // Hidden commands (the completion scripts' `__complete`) are never suggested, as help never lists them.
    const ids = [...config.commands.filter((c) => !c.hidden).map((c) => c.id), ...config.topics.filter((t) => !t.hidden).map((t) => t.name)]
    return [
      ...new Set(
        ids
          .filter((id) => (prefix ? id.startsWith(`${prefix}:`) : true))
          .map((id) => id.split(':')[depth])
          .filter(Boolean),
      ),
    ]
  }
  const parent = words.slice(0, -1).join(':')
  if (parent && config.findTopic(parent)) {
    const last = closest(words.at(-1)!, childrenOf(parent))
    return last ? spaced(`${parent}:${last}`) : undefined
  }
  const first = closest(words[0], childrenOf(''))
  if (!first) return undefined
  const fixed = [first, ...words.slice(1)].join(':')
  return spaced(config.findCommand(fixed) || config.findTopic(fixed) ? fixed : first)
}

export default hook
