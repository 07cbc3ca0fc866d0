// Questions to the person at the terminal; without one, a missing answer is a usage error naming the flag.
import {Writable} from 'node:stream'

import {CancelledError, UsageError} from '../errors/index.js'
import {sanitizeForTerminal} from '../output/sanitize.js'
import {isInteractive, type IO} from './io.js'

export interface Prompter {
  readonly interactive: boolean
  /** Asks yes/no; without a terminal throws a usage error that names `flag`. */
  confirm(message: string, flag: string): Promise<boolean>
  /** Asks for a secret without echo; without a terminal throws a usage error that names `alternative`. */
  password(message: string, alternative: string): Promise<string>
  /** Asks for a line of text (a name typed back as confirmation); without a terminal throws a usage error that names `alternative`. */
  input(message: string, alternative: string): Promise<string>
}

/**
 * The stream inquirer writes a prompt to: it ends that stream when the prompt is done. process.stderr survives
 * that (pipe() never ends it); any other stream would be closed, and the command's later notes and errors lost.
 */
function keptOpen(out: Writable): Writable {
  if (out === process.stderr) return out
  const stream = new Writable({write: (chunk: Buffer, encoding, callback) => void out.write(chunk, encoding, callback)})
  const tty = out as Writable & {isTTY?: boolean; columns?: number; rows?: number}
  // inquirer sizes the prompt from these (through mute-stream), so they come from the real stream.
  Object.defineProperties(stream, {isTTY: {get: () => tty.isTTY}, columns: {get: () => tty.columns}, rows: {get: () => tty.rows}})
  return stream
}

export function createPrompter(io: IO, env: NodeJS.ProcessEnv): Prompter {
  const interactive = isInteractive(io, env)
  const requireTerminal = (what: string) => {
    if (!interactive) {
      throw new UsageError('ANSWER_REQUIRED', `No terminal to ask on, and ${what} was not given.`, {
        nextStep: `Pass ${what}.`,
      })
    }
  }
  return {
    interactive,
    async confirm(message, flag) {
      requireTerminal(flag)
      const {confirm} = await import('@inquirer/prompts')
      // Questions name ids from argv, often pasted from platform output: inert like everything else at a terminal.
      return confirm({message: sanitizeForTerminal(message), default: false}, {input: io.stdin, output: keptOpen(io.stderr)})
    },
    async password(message, alternative) {
      requireTerminal(alternative)
      const {password} = await import('@inquirer/prompts')
      return password({message: sanitizeForTerminal(message), mask: true}, {input: io.stdin, output: keptOpen(io.stderr)})
    },
    async input(message, alternative) {
      requireTerminal(alternative)
      const {input} = await import('@inquirer/prompts')
      return input({message: sanitizeForTerminal(message)}, {input: io.stdin, output: keptOpen(io.stderr)})
    },
  }
}

/** Confirms or throws CancelledError (exit 3); `yes` skips the question. */
export async function confirmOrCancel(prompter: Prompter, message: string, yes: boolean, flag = '--yes'): Promise<void> {
  if (yes) return
  if (!(await prompter.confirm(message, flag))) throw new CancelledError('CANCELLED', 'Cancelled; nothing was changed.')
}
