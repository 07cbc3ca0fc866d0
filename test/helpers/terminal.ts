// Runs the real CLI on a real pseudo-terminal (util-linux `script`, part of every Debian system), answering
// prompts as they appear: what a person at a terminal sees, and what they type.
import {spawn} from 'node:child_process'

import {BIN} from './cli.js'

export interface Answer {
  /** Sent once the transcript (what the terminal shows) matches this. */
  after: RegExp
  send: string
}

export interface TerminalResult {
  code: number
  /** Everything the terminal showed: prompts, echoes and output, with ANSI sequences as they were. */
  transcript: string
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`

/** `ppctl ...args` with stdin, stdout and stderr on one terminal, CI unset (so ppctl may ask). */
export function runAtTerminal(args: string[], env: NodeJS.ProcessEnv, answers: Answer[]): Promise<TerminalResult> {
  const {CI: _ci, ...interactive} = env
  const command = [process.execPath, BIN, ...args].map(quote).join(' ')
  // -q no banner, -f flush at once, -e the command's exit code, -c the command; the log goes to /dev/null.
  const child = spawn('script', ['-qfec', command, '/dev/null'], {env: {...interactive, TERM: 'xterm', COLUMNS: '100', LINES: '30'}, stdio: ['pipe', 'pipe', 'pipe']})
  let transcript = ''
  const pending = [...answers]
  const onData = (d: Buffer) => {
    transcript += d.toString('utf8')
    while (pending.length > 0 && pending[0].after.test(transcript)) child.stdin.write(pending.shift()!.send)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  return new Promise((resolve) => {
    child.on('close', (code) => {
      child.stdin.destroy()
      resolve({code: code ?? 1, transcript})
    })
  })
}
