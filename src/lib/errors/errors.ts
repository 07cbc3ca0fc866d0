// Typed errors: a stable code for scripts, an exit code from the code table, and a next step for people.
import {CODES, isErrorCode, type CodeExiting, type ErrorCode} from './codes.js'
import {ExitCode, type ExitCodeValue} from './exit-codes.js'
import {closest} from './suggest.js'

export interface ErrorDetails {
  /** What to do next, as one line a person can act on (often a command). */
  nextStep?: string
  /** The platform's correlation id, when it gave one. */
  correlationId?: string
  cause?: unknown
}

/**
 * A code of the platform's vocabulary (a problem+json `code`, or HTTP_<status> when it named none), passed on as
 * the error's code; its exit code comes from the HTTP status, not from the client's table.
 */
export type PlatformProblemCode = string & {}

export interface PpctlErrorJson {
  code: string
  message: string
  exitCode: number
  nextStep?: string
  correlationId?: string
}

export class PpctlError extends Error {
  readonly code: ErrorCode | PlatformProblemCode
  readonly exitCode: ExitCodeValue
  readonly nextStep?: string
  readonly correlationId?: string

  constructor(code: ErrorCode, message: string, details?: ErrorDetails)
  /** For PlatformProblemError and revive() only: a code that is not the client's, with the exit code it came with. */
  constructor(code: {platformCode: PlatformProblemCode; exitCode: ExitCodeValue}, message: string, details?: ErrorDetails)
  constructor(code: ErrorCode | {platformCode: PlatformProblemCode; exitCode: ExitCodeValue}, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : {cause: details.cause})
    this.name = new.target.name
    this.code = typeof code === 'string' ? code : code.platformCode
    // A code from outside TypeScript that is not in the table is unexpected (1), never a crash while reporting an error.
    this.exitCode = typeof code === 'string' ? (isErrorCode(code) ? CODES[code].exit : ExitCode.ERROR) : code.exitCode
    this.nextStep = details.nextStep
    this.correlationId = details.correlationId
  }

  /** The error again from its toJSON() (a result that carried it); a code not in the table keeps the exit code it had. */
  static revive(json: PpctlErrorJson): PpctlError {
    const details = {nextStep: json.nextStep, correlationId: json.correlationId}
    return isErrorCode(json.code)
      ? new PpctlError(json.code, json.message, details)
      : new PpctlError({platformCode: json.code, exitCode: json.exitCode as ExitCodeValue}, json.message, details)
  }

  toJSON(): PpctlErrorJson {
    return {
      code: this.code,
      message: this.message,
      exitCode: this.exitCode,
      ...(this.nextStep ? {nextStep: this.nextStep} : {}),
      ...(this.correlationId ? {correlationId: this.correlationId} : {}),
    }
  }
}

/** A platform error answer: the platform's own code, the exit code its HTTP status maps to. */
export class PlatformProblemError extends PpctlError {
  readonly status?: number
  constructor(platformCode: PlatformProblemCode, exitCode: ExitCodeValue, message: string, details: ErrorDetails & {status?: number} = {}) {
    super({platformCode, exitCode}, message, details)
    this.status = details.status
  }
}

/** The platform's code when it named one (with `fallback`'s exit code), else the client's `fallback`. */
export function platformOrOwn(platformCode: string | undefined, fallback: ErrorCode, message: string, details: ErrorDetails = {}): PpctlError {
  return platformCode ? new PlatformProblemError(platformCode, CODES[fallback].exit, message, details) : new PpctlError(fallback, message, details)
}

// Each class takes only the codes the table gives its exit code, so the class and the table cannot disagree.
const kind = <E extends ExitCodeValue>(_exitCode: E) =>
  class extends PpctlError {
    constructor(code: CodeExiting<E>, message: string, details?: ErrorDetails) {
      super(code, message, details)
    }
  }

export class UsageError extends kind(ExitCode.USAGE) {}
export class CancelledError extends kind(ExitCode.CANCELLED) {}
export class AuthRequiredError extends kind(ExitCode.AUTH_REQUIRED) {}
export class PermissionDeniedError extends kind(ExitCode.PERMISSION_DENIED) {}
export class NotFoundError extends kind(ExitCode.NOT_FOUND) {}
export class ConflictError extends kind(ExitCode.CONFLICT) {}
export class UnreachableError extends kind(ExitCode.UNREACHABLE) {}
export class ThrottledError extends kind(ExitCode.THROTTLED) {}
export class InterruptedError extends kind(ExitCode.INTERRUPTED) {}
export class OutputClosedError extends kind(ExitCode.OUTPUT_CLOSED) {}

interface FlagDefLike {
  name?: string
  char?: string
  required?: boolean
  exclusive?: string[]
}

interface OclifLike {
  message?: unknown
  name?: unknown
  oclif?: {exit?: unknown}
  args?: unknown
  flags?: unknown
  /** oclif's parse state: the definitions (input) and what was given (output). */
  parse?: {input?: {flags?: Record<string, FlagDefLike>; argv?: string[]}; output?: {flags?: Record<string, unknown>}}
}

const OCLIF_HELP_HINT = 'See more help with --help'

/**
 * Any failure as a PpctlError: typed ones pass through; oclif's errors go by their `oclif.exit` (every parse
 * error — RequiredArgsError, NonExistentFlagsError, FailedFlagValidationError, a flag's parse — is a CLIError
 * with exit 2) and their structured fields, never by their text; inquirer's Ctrl-C by its name.
 */
export function toPpctlError(err: unknown, commandId?: string): PpctlError {
  if (err instanceof PpctlError) return err
  const e = (typeof err === 'object' && err !== null ? err : {}) as OclifLike
  const raw = typeof e.message === 'string' ? e.message : String(err)
  if (e.oclif?.exit === ExitCode.USAGE) {
    const command = commandId ? `ppctl ${commandId.replace(/:/g, ' ')}` : 'ppctl <command>'
    const {message, nextStep} = parseError(e, raw, command)
    return new UsageError('USAGE', message, {nextStep: nextStep ?? `See the command help: ${command} --help`, cause: err})
  }
  if (e.name === 'ExitPromptError') return new InterruptedError('INTERRUPTED', 'Interrupted.', {cause: err})
  return new PpctlError('UNEXPECTED', raw.split('\n')[0].trim(), {
    nextStep: 'Run the command again with --debug to see the details, and report it if it persists.',
    cause: err,
  })
}

const names = (list: unknown) =>
  Array.isArray(list) ? list.map((a) => (typeof a === 'string' ? a : String((a as {name?: unknown})?.name ?? ''))).filter(Boolean) : []

/** A parse error in ppctl's words, from the structured fields oclif gives (argument and flag definitions, what was given). */
function parseError(e: OclifLike, raw: string, command: string): {message: string; nextStep?: string} {
  const defs = e.parse?.input?.flags ?? {}
  const given = e.parse?.output?.flags ?? {}
  if (Array.isArray(e.args) && e.args.length > 0) {
    const list = names(e.args)
    // UnexpectedArgsError lists the words given, RequiredArgsError the argument definitions.
    if (typeof e.args[0] === 'string')
      return {message: `${command} does not take ${list.length === 1 ? 'the argument' : 'the arguments'} ${list.map((a) => `"${a}"`).join(', ')}.`}
    const usage = `${command} ${list.map((a) => a.toUpperCase()).join(' ')}`
    return {
      message: `${command} needs ${list.length === 1 ? 'an argument' : 'arguments'}: ${list.map((a) => `<${a}>`).join(' ')}.`,
      nextStep: `${usage}   (see ${command} --help)`,
    }
  }
  if (Array.isArray(e.flags) && e.flags.length > 0) {
    const unknown = names(e.flags)
    const known = Object.values(defs).flatMap((d) => (d.name ? [`--${d.name}`] : []))
    const suggestion = unknown.length === 1 ? closest(unknown[0].split('=')[0], known) : undefined
    const message = `Unknown flag${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} for ${command}.`
    return suggestion ? {message: `${message} Did you mean ${suggestion}?`, nextStep: retyped(e, unknown[0], suggestion, command)} : {message}
  }
  const present = (name: string) => given[name] !== undefined
  // FailedFlagValidationError: which rule failed is read again from the definitions and what was given.
  for (const [name, def] of Object.entries(defs)) {
    if (!present(name)) continue
    const clash = (def.exclusive ?? []).find((other) => present(other))
    if (clash)
      return {message: `--${name} and --${clash} cannot be used together.`, nextStep: `Keep one of them: ${command} --${name}   or   ${command} --${clash}`}
  }
  const missing = Object.entries(defs)
    .filter(([name, def]) => def.required && !present(name))
    .map(([name]) => `--${name}`)
  if (missing.length > 0)
    return {
      message: `${command} needs ${missing.join(' and ')}.`,
      nextStep: `${command} ${missing.map((m) => `${m} ${m.slice(2).toUpperCase()}`).join(' ')}   (see ${command} --help)`,
    }
  return {
    message: oneLine(raw)
      .replace(/^The following errors? occurred: /, '')
      .replace(/\n/g, ' '),
  }
}

/** The command line as typed, with the mistyped flag replaced by the suggestion (its value kept). */
function retyped(e: OclifLike, typed: string, suggestion: string, command: string): string {
  const argv = e.parse?.input?.argv
  if (!Array.isArray(argv)) return `${command} ${suggestion} …`
  const words = argv.map((word) => (word === typed ? suggestion : word.startsWith(`${typed}=`) ? `${suggestion}${word.slice(typed.length)}` : word))
  return `${command} ${words.join(' ')}`.trim()
}

/** The lines of a message without oclif's help hint and indentation, joined after a colon; the first line alone when there is no more. */
function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== OCLIF_HELP_HINT)
  return lines.reduce((acc, line, i) => (i === 0 ? line : `${acc}${acc.endsWith(':') ? ' ' : ': '}${line}`), '')
}
