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

/** Where a command to type starts (`ppctl connector list …`, `"ppctl help"`): it is kept on one line. */
const COMMAND = /(^| )"?ppctl (?:connector|license|user|auth|route|audit|sandbox|config|help|api|whoami|completion)(?=[ "]|$)/
/** Where it ends: at a comma, semicolon or full stop before more prose, or its closing quote. */
const COMMAND_END = /[,;] |\. |"(?= |$)/

/** The words of a paragraph, each command to type kept as one word: a line break pasted into a shell would run half of it. */
function words(paragraph: string): string[] {
  const m = COMMAND.exec(paragraph)
  if (!m) return paragraph.split(' ').filter((w, i) => w !== '' || i === 0)
  const at = m.index + m[1].length
  const rest = paragraph.slice(at)
  const end = COMMAND_END.exec(rest.slice(1))
  const stop = end ? end.index + 1 + end[0].trimEnd().length : rest.length
  const before = paragraph.slice(0, at).trimEnd()
  const after = rest.slice(stop).trimStart()
  return [...(before === '' ? [] : before.split(' ')), rest.slice(0, stop), ...(after === '' ? [] : words(after))]
}

/**
 * `label` then `text` in lines of at most `width` columns, continuation lines indented under the text (or by
 * `indent`). A command in the text is never broken: it starts a line of its own if it must, and a command longer
 * than the line is left whole for the terminal to wrap (copied from the screen, it is still one line).
 */
export function wrapUnder(label: string, text: string, width: number, indent = ' '.repeat(label.length)): string {
  // Too narrow a terminal to indent usefully: leave the line to the terminal.
  if (width - indent.length < 20) return label + text
  const out: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of words(paragraph)) {
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
