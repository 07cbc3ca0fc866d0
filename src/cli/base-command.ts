// The base of every command: --json, --profile, --debug, a lazy context, and one way to report errors.
import {Command, type Interfaces} from '@oclif/core'

import {createContext, type Context} from '../lib/context.js'
import {ExitCode, type ExitCodeValue} from '../lib/errors/index.js'
import {takeIgnoredTlsEnv} from '../lib/http/tls-env.js'
import {debugRequested, reportError, writeHuman, writeJson, writeNote} from '../lib/output/command-output.js'
import {safeJsonStringify} from '../lib/output/json.js'
import {text, toTerminalText, type Rendered} from '../lib/output/render.js'
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
   * The run returned its result (printed, or the --json document) but not everything succeeded: exit 10, and the
   * note saying what failed and what to do on stderr.
   */
  protected partial(note: Rendered): void {
    this.exitWith(ExitCode.PARTIAL)
    this.note(note)
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
    reportError(this.ctx.io, err, {commandId: this.id, json: this.jsonEnabled(), debug: this.isDebug()})
  }

  /** --json output goes through the context's stdout (so a test's fake streams receive it), exact but terminal-safe. */
  public override logJson(json: unknown): void {
    writeJson(this.ctx.io, json)
  }

  private isDebug(): boolean {
    return debugRequested(this.flags?.debug, this.argv)
  }
}
