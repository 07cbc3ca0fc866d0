// How an error reads at a terminal: what failed, what to do next, the correlation id.
import {ExitCode, type PpctlError} from '../errors/index.js'
import {sanitizeForTerminal} from './sanitize.js'

/**
 * The error's lines. With `width` (stderr is a terminal of that many columns) each line is wrapped at spaces under
 * its label, so the terminal never breaks a word; without it (a pipe, a log) each part stays on one line for grep.
 */
export function renderError(error: PpctlError, width?: number): string {
  const parts: Array<[label: string, text: string]> = [['Error: ', sanitizeForTerminal(error.message)]]
  if (error.nextStep) parts.push(['  Next: ', sanitizeForTerminal(error.nextStep)])
  if (error.correlationId) parts.push(['  Correlation id: ', sanitizeForTerminal(error.correlationId)])
  if (error.exitCode === ExitCode.ERROR && error.code === 'UNEXPECTED' && !error.nextStep) parts.push(['  Run with --debug for details.', ''])
  return parts.map(([label, text]) => (width ? wrapUnder(label, text, width) : label + text)).join('\n') + '\n'
}

/** `label` then `text` in lines of at most `width` columns, continuation lines indented under the text (or by `indent`). */
export function wrapUnder(label: string, text: string, width: number, indent = ' '.repeat(label.length)): string {
  // Too narrow a terminal to indent usefully: leave the line to the terminal.
  if (width - indent.length < 20) return label + text
  const out: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`
      if (line !== '' && (out.length === 0 ? label.length : indent.length) + [...candidate].length > width) {
        out.push(line)
        line = word
      } else line = candidate
    }
    out.push(line)
  }
  return out.map((line, i) => (i === 0 ? label : indent) + line).join('\n')
}
