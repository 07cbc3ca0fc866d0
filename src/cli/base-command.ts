// The base of every command: the output format (-o, --json, --query), --profile, --debug, a lazy context, and one way to report errors.
import {Command, type Interfaces} from '@oclif/core'

import {createContext, type Context} from '../lib/context.js'
import {ExitCode, UsageError, type ExitCodeValue} from '../lib/errors/index.js'
import {takeIgnoredTlsEnv} from '../lib/http/tls-env.js'
import {
  CommandOutput,
  debugRequested,
  errorFormatOfArgv,
  readConfigOutput,
  reportError,
  writeHuman,
  writeJson,
  writeNote,
} from '../lib/output/command-output.js'
import {resolveOutput} from '../lib/output/format.js'
import {safeJsonStringify} from '../lib/output/json.js'
import {text, toTerminalText, type Rendered} from '../lib/output/render.js'
import type {View} from '../lib/output/view.js'
import type {BulkOutcome} from './bulk.js'
import type {CommandSink} from './fast-commands.js'
import {baseFlags} from './flags/base.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = baseFlags

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  private context?: Context
  /** The exit code of a run that returned its result but is not a full success; applied once, in finally(). */
  private outcome?: ExitCodeValue
  /** The resolved output format, set once the flags are parsed. */
  private output?: CommandOutput

  public override async init(): Promise<void> {
    // Before anything can connect: the variable is taken out of the environment, and said to be ignored after parsing.
    const tlsWarning = takeIgnoredTlsEnv(this.context?.env ?? process.env)
    await super.init()
    const {args, flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
    if (tlsWarning) this.note(text`${tlsWarning}`)
    this.output = new CommandOutput(this.ctx.io, await this.resolveOutput())
  }

  /**
   * -o/--json/--query/--no-headers, PPCTL_OUTPUT and the config's `output`. A command with an --output flag of its
   * own (audit stream and watch: their events are streamed as they come) keeps it: only --json applies to it then.
   */
  private async resolveOutput() {
    const flags = this.flags as {output?: string; query?: string; 'no-headers'?: boolean}
    const own = Object.hasOwn(this.ctor.flags ?? {}, 'output')
    if (own && flags.query !== undefined)
      throw new UsageError('USAGE', `ppctl ${this.id?.replaceAll(':', ' ') ?? 'this command'} streams its output as it comes: --query does not apply to it.`, {
        nextStep: 'Filter the NDJSON lines with a tool such as jq instead.',
      })
    return resolveOutput({
      output: own ? undefined : flags.output,
      json: super.jsonEnabled(),
      query: flags.query,
      noHeaders: flags['no-headers'],
      env: own ? {} : this.ctx.env,
      stdoutIsTTY: this.ctx.io.stdoutIsTTY,
      configOutput: () => (own ? Promise.resolve(undefined) : readConfigOutput(this.ctx)),
    })
  }

  /**
   * True when the command's own human output is skipped and its result printed at the end instead: json, yaml and
   * csv, and any format with --query (before the flags are parsed: oclif's own reading of --json).
   */
  public override jsonEnabled(): boolean {
    return this.output ? this.output.machine : super.jsonEnabled()
  }

  /** Runs the command in the given context instead of one built from the process (tests hand in fakes). */
  public useContext(context: Context): this {
    this.context = context
    return this
  }

  /** Parses, runs and reports like oclif does, in the context given to useContext (for tests). */
  public invoke(): Promise<unknown> {
    return this._run()
  }

  /** The command's context, built on first use from the process and the parsed global flags. */
  protected get ctx(): Context {
    return (this.context ??= createContext({
      version: this.config.version,
      profileFlag: this.flags?.profile,
      debug: this.flags?.debug,
      reporter: {warn: (content) => this.note(content)},
    }))
  }

  /**
   * Human output, silent under --json: only what a renderer made (text``, lines, tables, key/value blocks, hop
   * lists), so every value from the platform has been sanitized. Should anything else arrive here at run time
   * anyway, it is sanitized as a whole.
   */
  protected out(content: Rendered): void {
    if (this.jsonEnabled()) return
    writeHuman(this.ctx.io, content)
  }

  /**
   * Records for people and scripts: a table at a terminal, TSV into a pipe or a file, CSV with -o csv; skipped in
   * json and yaml (the result is printed) and with --query (the query's result is). Commands give every list and
   * show-style record here, never as a table they rendered themselves.
   */
  protected view(view: View): void {
    this.output?.view(view)
  }

  /**
   * The run returned its result (printed, or the --json document) but not everything succeeded: exit 10, and the
   * note saying what failed and what to do on stderr.
   */
  protected partial(note: Rendered): void {
    this.exitWith(ExitCode.PARTIAL)
    this.note(note)
  }

  /** A bulk run's outcome: its view, exit 10 with the note when some items failed, 130 with the note when stopped. */
  protected bulkOutcome<R>({result, view, partial, interrupted}: BulkOutcome<R>): R {
    this.view(view)
    if (partial) this.partial(partial)
    if (interrupted) {
      this.exitWith(ExitCode.INTERRUPTED)
      this.note(interrupted)
    }
    return result
  }

  /** The exit code for a run that still returns its result (a report saying "unhealthy", "signed out", …). */
  protected exitWith(code: ExitCodeValue): void {
    this.outcome = code
  }

  public override async finally(err: Error | undefined): Promise<void> {
    // oclif exits with process.exitCode; an error's code is set by catch(), so only a returned result's is set here.
    if (!err && this.outcome !== undefined && this.outcome !== ExitCode.OK) process.exitCode = this.outcome
    await super.finally(err)
  }

  /** view(), out() and note() for a run body shared with the fast path (src/cli/fast-commands.ts). */
  protected get sink(): CommandSink {
    return {view: (view) => this.view(view), out: (content) => this.out(content), note: (content) => this.note(content)}
  }

  /** Notes for people (warnings, progress) always go to stderr, never to stdout; rendered like out(). */
  protected note(content: Rendered): void {
    writeNote(this.ctx.io, content)
  }

  /** A JSON line on stderr for scripts (the device code under --json), terminal-safe like --json output. */
  protected noteJson(value: unknown): void {
    this.ctx.io.stderr.write(safeJsonStringify(value) + '\n')
  }

  /** oclif's log, should anything call it: the string sanitized as a whole, silent under --json. */
  public override log(message = '', ...args: unknown[]): void {
    if (!this.jsonEnabled()) this.ctx.io.stdout.write(toTerminalText([message, ...args.map(String)].join(' ')) + '\n')
  }

  /** oclif's logToStderr: the same, on stderr. */
  public override logToStderr(message = '', ...args: unknown[]): void {
    this.ctx.io.stderr.write(toTerminalText([message, ...args.map(String)].join(' ')) + '\n')
  }

  protected override async catch(err: unknown): Promise<void> {
    const json = this.output ? this.output.errorFormat : errorFormatOfArgv(this.argv, super.jsonEnabled())
    reportError(this.ctx.io, err, {commandId: this.id, json, debug: this.isDebug()})
  }

  /**
   * The result of a machine-output run (oclif calls it when jsonEnabled()): JSON exactly as --json always printed it,
   * or YAML, CSV, or the --query result; through the context's stdout, so a test's fake streams receive it.
   */
  public override logJson(json: unknown): void {
    if (this.output) this.output.result(json)
    else writeJson(this.ctx.io, json)
  }

  private isDebug(): boolean {
    return debugRequested(this.flags?.debug, this.argv)
  }
}
