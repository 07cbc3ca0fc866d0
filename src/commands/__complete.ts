// `ppctl __complete -- <words>`: the hidden command the completion scripts call on Tab (the fast path answers it first, without oclif).
import {BaseCommand} from '../cli/base-command.js'
import {complete, formatAnswer, type CompletionAnswer, type CompletionSpec, type SpecCommand} from '../lib/completion/complete.js'
import {localSources} from '../lib/completion/sources.js'
import {multiline} from '../lib/output/render.js'

export default class Complete extends BaseCommand<typeof Complete> {
  static override hidden = true
  static override summary = 'Answer a completion script: what may come next on a command line.'
  static override description = 'The words after -- are the command line after ppctl, the word being completed last. Prints one candidate a line.'
  static override strict = false
  // No --json: the answer is for a shell, one candidate a line.
  static override enableJsonFlag = false

  static override examples = [{description: 'What --tier takes', command: "<%= config.bin %> <%= command.id %> -- connector list --tier ''"}]

  // The words are only words to complete, never parsed as flags; and nothing is said on stderr (no TLS note): a shell reads the answer.
  public override async init(): Promise<void> {}

  // The answer is for a shell, even with PPCTL_CONTENT_TYPE=json in its environment.
  public override jsonEnabled(): boolean {
    return false
  }

  async run(): Promise<void> {
    const words = this.argv[0] === '--' ? this.argv.slice(1) : this.argv
    const spec: CompletionSpec = {commands: this.config.commands as unknown as SpecCommand[], topics: this.config.topics}
    let answer: CompletionAnswer
    try {
      answer = await complete(spec, words, localSources(process.env))
    } catch {
      // A shell waits on stdout: a failure is no answer, never a message.
      answer = {candidates: [], files: false}
    }
    // Candidates and descriptions are printable already; multiline keeps the tabs and line breaks of the answer.
    this.out(multiline(formatAnswer(answer)))
  }
}
