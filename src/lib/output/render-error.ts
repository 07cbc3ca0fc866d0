// How an error reads at a terminal: what failed, what to do next, the correlation id.
import {ExitCode, type PpctlError} from '../errors/index.js'
import {sanitizeForTerminal} from './sanitize.js'

export function renderError(error: PpctlError): string {
  const lines = [`Error: ${sanitizeForTerminal(error.message)}`]
  if (error.nextStep) lines.push(`  Next: ${sanitizeForTerminal(error.nextStep)}`)
  if (error.correlationId) lines.push(`  Correlation id: ${sanitizeForTerminal(error.correlationId)}`)
  if (error.exitCode === ExitCode.ERROR && error.code === 'UNEXPECTED' && !error.nextStep) lines.push('  Run with --debug for details.')
  return lines.join('\n') + '\n'
}
