// How a command reports its result and its errors: one implementation for BaseCommand and the fast path, so both print the same.
import {toPpctlError} from '../errors/index.js'
import type {IO} from '../io/io.js'
import {safeJsonStringify} from './json.js'
import {toTerminalText, type Rendered} from './render.js'
import {renderError, wrapUnder} from './render-error.js'
import {sanitizeForTerminal} from './sanitize.js'

/** Human output (the caller skips it under --json): only what a renderer made, sanitized as a whole otherwise. */
export function writeHuman(io: IO, content: Rendered): void {
  const text = toTerminalText(content)
  io.stdout.write(text.endsWith('\n') ? text : text + '\n')
}

/**
 * A note for people (warnings, progress): always stderr, never stdout. At a terminal a line wider than it is wrapped
 * at spaces, continued two columns in, so the terminal never cuts a word; into a pipe or a log it stays one line.
 */
export function writeNote(io: IO, content: Rendered): void {
  const text = toTerminalText(content)
  const width = io.stderrIsTTY ? (io.stderrColumns ?? io.columns) : undefined
  const fit = (line: string) => {
    const lead = /^ */.exec(line)![0]
    return [...line].length > width! && !line.includes('\x1b') ? wrapUnder(lead, line.slice(lead.length), width!, lead + '  ') : line
  }
  const fitted = width ? text.split('\n').map(fit) : [text]
  io.stderr.write(fitted.join('\n') + '\n')
}

/** --json output: exact but terminal-safe, on stdout. */
export function writeJson(io: IO, value: unknown): void {
  io.stdout.write(safeJsonStringify(value, 2) + '\n')
}

/**
 * --debug as a command sees it: the parsed flag, or the raw word when parsing itself failed (so a usage error
 * still gets its stack under --debug).
 */
export function debugRequested(flag: boolean | undefined, argv: readonly string[]): boolean {
  return Boolean(flag) || argv.includes('--debug')
}

/** Reports a failure: sets the exit code, prints `{error}` under --json or the error lines, and the stack under --debug. */
export function reportError(io: IO, err: unknown, options: {commandId: string | undefined; json: boolean; debug: boolean}): void {
  const error = toPpctlError(err, options.commandId)
  process.exitCode = error.exitCode
  if (options.json) writeJson(io, {error: error.toJSON()})
  else io.stderr.write(renderError(error, io.stderrIsTTY ? (io.stderrColumns ?? io.columns) : undefined))
  if (options.debug && err instanceof Error && err.stack) io.stderr.write(sanitizeForTerminal(err.stack) + '\n')
}
