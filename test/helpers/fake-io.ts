// IOStreams for tests: in-memory stdin/stdout/stderr (a TTY or not, as asked), with the text written so far.
import {PassThrough} from 'node:stream'

import type {IO} from '../../src/lib/io/io.js'

export interface FakeIO {
  io: IO
  stdoutText(): string
  stderrText(): string
}

/** tty: stdin, stdout and stderr all claim to be a terminal (what a person at a prompt has), still in memory; color: one that allows colours. */
export function fakeIO(options: {columns?: number; tty?: boolean; color?: boolean} = {}): FakeIO {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const drain = (stream: PassThrough, into: string[]) => () => {
    for (let chunk = stream.read() as Buffer | null; chunk !== null; chunk = stream.read() as Buffer | null) into.push(chunk.toString('utf8'))
    return into.join('')
  }
  return {
    io: {
      stdin: new PassThrough(),
      stdout,
      stderr,
      stdinIsTTY: Boolean(options.tty),
      stdoutIsTTY: Boolean(options.tty),
      stderrIsTTY: Boolean(options.tty),
      columns: options.columns ?? 80,
      color: Boolean(options.tty && options.color),
    },
    stderrText: drain(stderr, []),
    stdoutText: drain(stdout, []),
  }
}
