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

/**
 * `ppctl ...args` with stdin, stdout and stderr on one terminal, CI unset (so ppctl may ask). A prompt that never
 * shows up fails the test after `timeoutMs` (the terminal's processes are killed) instead of hanging the run.
 */
export function runAtTerminal(args: string[], env: NodeJS.ProcessEnv, answers: Answer[], timeoutMs = 30_000): Promise<TerminalResult> {
  const {CI: _ci, ...interactive} = env
  // A wide terminal, so no prompt wraps; script runs the command with $SHELL, so make that a POSIX shell.
  const command = `stty cols 200 rows 50; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`
  // -q no banner, -f flush at once, -e the command's exit code, -c the command; the log goes to /dev/null.
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: {...interactive, SHELL: '/bin/sh', TERM: 'xterm'},
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdin.on('error', () => {})
  let transcript = ''
  const pending = [...answers]
  const onData = (d: Buffer) => {
    transcript += d.toString('utf8')
    while (pending.length > 0 && pending[0].after.test(transcript)) child.stdin.write(pending.shift()!.send)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // Already gone.
      }
      reject(
        new Error(
          `ppctl ${args.join(' ')} at a terminal: still running after ${timeoutMs} ms, waiting for ${pending[0]?.after ?? 'its exit'}; it showed:\n${transcript}`,
        ),
      )
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      child.stdin.destroy()
      resolve({code: code ?? 1, transcript})
    })
  })
}
