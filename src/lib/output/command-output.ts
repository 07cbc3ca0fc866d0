// How a command reports its result and its errors: one implementation for BaseCommand and the fast path, so both print the same.
import type {Context} from '../context.js'
import {toPpctlError} from '../errors/index.js'
import type {IO} from '../io/io.js'
import type {OutputFormat, OutputOptions} from './format.js'
import {safeJsonStringify, safeYamlStringify} from './json.js'
import {toTerminalText, type Rendered} from './render.js'
import {renderError, wrapUnder} from './render-error.js'
import {sanitizeForTerminal} from './sanitize.js'
import {genericView, renderView, type View} from './view.js'

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

/**
 * Reports a failure: sets the exit code, prints the `{error}` document on stdout under --json / -o json (as YAML
 * under -o yaml) or the error lines on stderr, and the stack under --debug.
 */
export function reportError(io: IO, err: unknown, options: {commandId: string | undefined; json: boolean | 'yaml'; debug: boolean}): void {
  const error = toPpctlError(err, options.commandId)
  process.exitCode = error.exitCode
  if (options.json === 'yaml') io.stdout.write(safeYamlStringify({error: error.toJSON()}))
  else if (options.json) writeJson(io, {error: error.toJSON()})
  else io.stderr.write(renderError(error, io.stderrIsTTY ? (io.stderrColumns ?? io.columns) : undefined))
  if (options.debug && err instanceof Error && err.stack) io.stderr.write(sanitizeForTerminal(err.stack) + '\n')
}

/**
 * One command's output in the format resolved for it (BaseCommand and the fast path share it). In table and TSV
 * the command's views and prose are printed as they come; in json, yaml and csv — and with --query in any format —
 * the command prints nothing itself and its result is printed at the end: JSON or YAML of the result, CSV of its
 * view, or the --query result rendered generically.
 */
export class CommandOutput {
  /** The view a csv run prints at the end (the last one the command gave). */
  private csvView?: View

  constructor(
    private readonly io: IO,
    readonly options: OutputOptions,
  ) {}

  get format(): OutputFormat {
    return this.options.format
  }

  /** True when the command's own human output is skipped (oclif's jsonEnabled()). */
  get machine(): boolean {
    return this.options.query !== undefined || this.format === 'json' || this.format === 'yaml' || this.format === 'csv'
  }

  /** How reportError prints a failure: the {error} document under json and yaml, lines on stderr otherwise. */
  get errorFormat(): boolean | 'yaml' {
    return this.format === 'yaml' ? 'yaml' : this.format === 'json'
  }

  /** Prose for people (a confirmation, a hop list): printed in table and TSV, skipped otherwise. */
  human(content: Rendered): void {
    if (!this.machine) writeHuman(this.io, content)
  }

  /** Records: printed now in table and TSV, kept for the end in CSV, skipped otherwise. */
  view(view: View): void {
    if (this.options.query === undefined && this.format === 'csv') this.csvView = view
    if (this.machine) return
    this.write(view, this.format === 'table' ? 'table' : 'tsv')
  }

  /** The command's result, at the end of a machine-output run (oclif's logJson). */
  result(value: unknown): void {
    const {query} = this.options
    const out = query ? query.apply(value) : value
    if (this.format === 'json') return writeJson(this.io, out)
    if (this.format === 'yaml') return void this.io.stdout.write(safeYamlStringify(out))
    const view = !query && this.csvView ? this.csvView : genericView(out)
    this.write(view, this.format)
  }

  private write(view: View, format: 'table' | 'tsv' | 'csv'): void {
    const rendered = renderView(view, format, this.io, {headers: this.options.headers})
    if (rendered.stdout) this.io.stdout.write(rendered.stdout)
    if (rendered.stderr) this.io.stderr.write(rendered.stderr)
  }
}

/** The config's `output` key; a config that cannot be read decides nothing here (the command reports it if it needs it). */
export async function readConfigOutput(ctx: Pick<Context, 'config'>): Promise<string | undefined> {
  try {
    return (await ctx.config().read()).output
  } catch {
    return undefined
  }
}

/**
 * How to report an error that came before the output format was resolved (a flag oclif could not parse, a bad
 * PPCTL_OUTPUT): --json, or -o json / -o yaml as written on the command line, else lines on stderr.
 */
export function errorFormatOfArgv(argv: readonly string[], json: boolean): boolean | 'yaml' {
  const end = argv.indexOf('--')
  const args = end === -1 ? argv : argv.slice(0, end)
  let format: string | undefined
  for (let i = 0; i < args.length; i++) {
    const inline = /^(?:--output=|-o=?)(.+)$/.exec(args[i])
    if (inline) format = inline[1]
    else if (args[i] === '--output' || args[i] === '-o') format = args[i + 1]
  }
  if (json) return true
  return format === 'yaml' ? 'yaml' : format === 'json'
}
