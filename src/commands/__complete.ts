// `ppctl __complete -- <words>`: the hidden command the completion scripts call on Tab (the fast path answers it first, without oclif).
import {Command} from '@oclif/core'

import {complete, formatAnswer, type CompletionSpec, type SpecCommand} from '../lib/completion/complete.js'
import {localSources} from '../lib/completion/sources.js'

export default class Complete extends Command {
  static override hidden = true
  static override summary = 'Answer a completion script: what may come next on a command line.'
  static override strict = false

  // Not BaseCommand: no flags of its own, no context, no warnings; the words are read as they are, never parsed.
  async run(): Promise<void> {
    const words = this.argv[0] === '--' ? this.argv.slice(1) : this.argv
    const spec: CompletionSpec = {
      commands: this.config.commands as unknown as SpecCommand[],
      topics: this.config.topics,
    }
    let answer
    try {
      answer = await complete(spec, words, localSources(process.env))
    } catch {
      // A shell waits on stdout: a failure is no answer, never a message.
      answer = {candidates: [], files: false}
    }
    process.stdout.write(formatAnswer(answer))
  }
}
