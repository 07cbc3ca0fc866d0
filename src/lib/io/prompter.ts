// Questions to the person at the terminal; without one, a missing answer is a usage error naming the flag.
import {Writable} from 'node:stream'

import {CancelledError, UsageError} from '../errors/index.js'
import {isInteractive, type IO} from './io.js'

export interface Prompter {
  readonly interactive: boolean
  /** Asks yes/no; without a terminal throws a usage error that names `flag`. */
  confirm(message: string, flag: string): Promise<boolean>
  /** Asks for a secret without echo; without a terminal throws a usage error that names `alternative`. */
  password(message: string, alternative: string): Promise<string>
}

/**
 * The prompt's output: inquirer ends its output stream when a question is done, and Node spares only
 * process.stdout/stderr from that. Any other stderr of the IO (in-process runs, tests) would be closed, and what the
 * command writes after the answer — the "Cancelled" error, a partial note — lost. Writes go through; the end does not.
 */
function borrowed(stream: Writable): Writable {
  if (stream === process.stderr) return stream
  const out = new Writable({write: (chunk: Buffer | string, encoding, callback) => void stream.write(chunk, encoding, callback)})
  const tty = stream as Writable & {isTTY?: boolean; columns?: number; rows?: number}
  return Object.defineProperties(out, {isTTY: {get: () => tty.isTTY}, columns: {get: () => tty.columns}, rows: {get: () => tty.rows}})
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
      return confirm({message, default: false}, {input: io.stdin, output: borrowed(io.stderr)})
    },
    async password(message, alternative) {
      requireTerminal(alternative)
      const {password} = await import('@inquirer/prompts')
      return password({message, mask: true}, {input: io.stdin, output: borrowed(io.stderr)})
    },
  }
}

/** Confirms or throws CancelledError (exit 3); `yes` skips the question. */
export async function confirmOrCancel(prompter: Prompter, message: string, yes: boolean, flag = '--yes'): Promise<void> {
  if (yes) return
  if (!(await prompter.confirm(message, flag))) throw new CancelledError('CANCELLED', 'Cancelled; nothing was changed.')
}
