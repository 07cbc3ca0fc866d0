// I/O as an object: the streams a command writes to, and whether each is a terminal.
import type {Readable, Writable} from 'node:stream'
import {isatty} from 'node:tty'

export interface IO {
  readonly stdin: Readable
  readonly stdout: Writable
  readonly stderr: Writable
  readonly stdinIsTTY: boolean
  readonly stdoutIsTTY: boolean
  readonly stderrIsTTY: boolean
  /** Terminal width for tables; 80 when stdout is not a terminal. */
  readonly columns: number
  /** Width of stderr when it is a terminal (errors are wrapped to it); `columns` when not given. */
  readonly stderrColumns?: number
  /** False with NO_COLOR, TERM=dumb, or when stdout is not a terminal. */
  readonly color: boolean
}

export function processIO(env: NodeJS.ProcessEnv = process.env): IO {
  const stdoutIsTTY = Boolean(process.stdout.isTTY)
  return {
    // process.stdin builds its stream when first read (a file or pipe: ~2 ms of modules); most commands never read it.
    get stdin() {
      return process.stdin
    },
    stdout: process.stdout,
    stderr: process.stderr,
    // What process.stdin.isTTY says (a tty.ReadStream exactly when descriptor 0 is a terminal), without building it.
    stdinIsTTY: isatty(0),
    stdoutIsTTY,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: (stdoutIsTTY && process.stdout.columns) || Number(env.COLUMNS) || 80,
    stderrColumns: (process.stderr.isTTY && process.stderr.columns) || undefined,
    color: stdoutIsTTY && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb',
  }
}

/** True when ppctl must never prompt: no terminal on stdin, or CI is set. */
export function isInteractive(io: IO, env: NodeJS.ProcessEnv): boolean {
  return io.stdinIsTTY && io.stderrIsTTY && !(env.CI && env.CI !== 'false' && env.CI !== '0')
}
