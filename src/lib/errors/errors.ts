// Typed errors: a stable code for scripts, an exit code, and a next step for people.
import {ExitCode, type ExitCodeValue} from './exit-codes.js'

export interface ErrorDetails {
  /** What to do next, as one line a person can act on (often a command). */
  nextStep?: string
  /** The platform's correlation id, when it gave one. */
  correlationId?: string
  cause?: unknown
}

export class PpctlError extends Error {
  readonly code: string
  readonly exitCode: ExitCodeValue
  readonly nextStep?: string
  readonly correlationId?: string

  constructor(code: string, message: string, exitCode: ExitCodeValue, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : {cause: details.cause})
    this.name = new.target.name
    this.code = code
    this.exitCode = exitCode
    this.nextStep = details.nextStep
    this.correlationId = details.correlationId
  }

  toJSON(): {code: string; message: string; exitCode: number; nextStep?: string; correlationId?: string} {
    return {
      code: this.code,
      message: this.message,
      exitCode: this.exitCode,
      ...(this.nextStep ? {nextStep: this.nextStep} : {}),
      ...(this.correlationId ? {correlationId: this.correlationId} : {}),
    }
  }
}

const kind = (exitCode: ExitCodeValue) =>
  class extends PpctlError {
    constructor(code: string, message: string, details?: ErrorDetails) {
      super(code, message, exitCode, details)
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
export class PartialSuccessError extends kind(ExitCode.PARTIAL) {}
export class InterruptedError extends kind(ExitCode.INTERRUPTED) {}
export class OutputClosedError extends kind(ExitCode.OUTPUT_CLOSED) {}

/** Any failure as a PpctlError: typed ones pass through, oclif's flag errors become usage errors. */
export function toPpctlError(err: unknown, commandId?: string): PpctlError {
  if (err instanceof PpctlError) return err
  const e = err as {message?: string; code?: string; oclif?: {exit?: number}; name?: string}
  const message = typeof e?.message === 'string' ? firstLine(e.message) : String(err)
  if (e?.oclif?.exit === 2 || /Flag|Arg|Nonexistent|Unexpected argument|Missing required/i.test(e?.name ?? '') ||
      (e?.oclif?.exit === undefined && /^(Missing|Unexpected|Expected|Nonexistent flag)/.test(message))) {
    const help = commandId ? `ppctl ${commandId.replace(/:/g, ' ')} --help` : 'ppctl <command> --help'
    return new UsageError('USAGE', message, {nextStep: `See the command help: ${help}`, cause: err})
  }
  if (e?.name === 'ExitPromptError') return new InterruptedError('INTERRUPTED', 'Interrupted.', {cause: err})
  return new PpctlError('UNEXPECTED', message, ExitCode.ERROR, {
    nextStep: 'Run the command again with --debug to see the details, and report it if it persists.',
    cause: err,
  })
}

/** One line from a multi-line message: oclif's "Missing 1 required arg:" and "Parsing --port" carry the detail on the next line. */
function firstLine(message: string): string {
  const [first, second] = message.split('\n')
  const detail = second?.trim().split(/\s{2,}/)[0]
  if (!detail) return first.trim()
  if (first.trimEnd().endsWith(':')) return `${first.trimEnd()} ${detail}`
  if (/^Parsing --?[\w-]+\s*$/.test(first)) return `${first.trim()}: ${detail}`
  return first.trim()
}
