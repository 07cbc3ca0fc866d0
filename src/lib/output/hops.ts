// A list of checks for people (route diagnose's hops): verdict, time and title, then the summary, cause and next step wrapped under it.
import {Rendered} from './render.js'
import {sanitizeOneLine} from './sanitize.js'

export interface HopLine {
  verdict: string
  ms: number
  title: string
  summary: string
  cause?: string
  nextStep?: string
}

export interface HopListStyle {
  /** The terminal's width: no line is longer. */
  columns: number
  /** Colour the verdicts (a terminal that allows colour). */
  color: boolean
}

const COLOURS: Record<string, [string, string]> = {
  OK: ['\x1b[32m', '\x1b[39m'],
  WARN: ['\x1b[33m', '\x1b[39m'],
  FAIL: ['\x1b[31m', '\x1b[39m'],
  SKIP: ['\x1b[2m', '\x1b[22m'],
}

const width = (s: string) => [...s].length

/** The verdict word, padded to `pad` columns, coloured when asked (the padding outside the colour). */
function verdictWord(verdict: string, color: boolean, pad = 0): string {
  const clean = sanitizeOneLine(verdict)
  const padding = ' '.repeat(Math.max(0, pad - width(clean)))
  const colour = color ? COLOURS[clean] : undefined
  return colour ? `${colour[0]}${clean}${colour[1]}${padding}` : clean + padding
}

/** Where a word too long for a line may break: after a / . - : , = or ; (so an id or URL splits at its own separators). */
const BREAK_AFTER = /[/.\-:,=;]/

/** A word longer than `max` in pieces of at most `max`: at a separator when one is near enough, otherwise where it must. */
function breakWord(word: string, max: number): string[] {
  const pieces: string[] = []
  let rest = [...word]
  while (rest.length > max) {
    let cut = max
    for (let i = max - 1; i >= Math.floor(max / 2); i--) {
      if (BREAK_AFTER.test(rest[i])) {
        cut = i + 1
        break
      }
    }
    pieces.push(rest.slice(0, cut).join(''))
    rest = rest.slice(cut)
  }
  if (rest.length > 0) pieces.push(rest.join(''))
  return pieces
}

/** Lines of at most `max` columns, broken at spaces; only a word longer than a whole line is broken inside. */
export function wordWrap(text: string, max: number): string[] {
  const limit = Math.max(1, max)
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/ +/).filter(Boolean)) {
    if (line !== '' && width(line) + 1 + width(word) <= limit) {
      line += ` ${word}`
      continue
    }
    if (line !== '') lines.push(line)
    line = ''
    if (width(word) <= limit) {
      line = word
      continue
    }
    const pieces = breakWord(word, limit)
    lines.push(...pieces.slice(0, -1))
    line = pieces.at(-1) ?? ''
  }
  if (line !== '' || lines.length === 0) lines.push(line)
  return lines
}

/** `label` then `text` wrapped to `columns`, every line after the first indented by `indent` (a hanging indent under the text). */
function hanging(label: string, text: string, indent: number, columns: number): string[] {
  const first = Math.max(1, columns - width(label))
  const wrapped = wordWrap(text, Math.min(first, Math.max(1, columns - indent)))
  return wrapped.map((l, i) => (i === 0 ? label + l : ' '.repeat(indent) + l))
}

/**
 * Each hop: its verdict, time and title on one line, then its summary (and, for a hop that is not OK, its cause and
 * next step) wrapped under the title, so no line is longer than the terminal and every detail stays under its hop.
 * Every field is sanitized to one line before it is measured, so platform text (a cluster id in a title) can neither
 * inject a control nor start a line that looks like another hop.
 */
export function renderHopList(hops: readonly HopLine[], style: HopListStyle): Rendered {
  const columns = Math.max(20, style.columns)
  // Details sit under the title; on a very narrow terminal under the verdict, so they keep some room.
  const head = 4 + 2 + 7 + 2
  const indent = columns - head >= 40 ? head : 4
  const pad = ' '.repeat(indent)
  const out: string[] = []
  for (const h of hops) {
    const verdict = sanitizeOneLine(h.verdict)
    const ms = `${sanitizeOneLine(String(h.ms))} ms`.padStart(7)
    const title = wordWrap(sanitizeOneLine(h.title), columns - head)
    out.push(`${verdictWord(verdict, style.color, 4)}  ${ms}  ${title[0]}`, ...title.slice(1).map((l) => ' '.repeat(head) + l))
    const summary = sanitizeOneLine(h.summary)
    if (summary !== '') out.push(...wordWrap(summary, columns - indent).map((l) => pad + l))
    if (verdict !== 'OK' && h.cause) out.push(...hanging(`${pad}cause: `, sanitizeOneLine(h.cause), indent + 7, columns))
    if (verdict !== 'OK' && h.nextStep) out.push(...hanging(`${pad}next:  `, sanitizeOneLine(h.nextStep), indent + 7, columns))
  }
  return new Rendered(out.join('\n'))
}

/** A line of the program's `label` and a value (sanitized here), wrapped to the terminal with a hanging indent. */
export function renderWrapped(label: string, value: string, indent: number, columns: number): Rendered {
  return new Rendered(hanging(label, sanitizeOneLine(value), indent, Math.max(20, columns)).join('\n'))
}

/** The last line, "Verdict: OK: …", wrapped under its text; the verdict word the summary starts with coloured when allowed. */
export function renderVerdict(summary: string, style: HopListStyle): Rendered {
  const label = 'Verdict: '
  const out = hanging(label, sanitizeOneLine(summary), label.length, Math.max(20, style.columns))
  const word = /^(OK|WARN|FAIL|SKIP)\b/.exec(out[0].slice(label.length))?.[1]
  if (word && style.color) out[0] = label + verdictWord(word, true) + out[0].slice(label.length + word.length)
  return new Rendered(out.join('\n'))
}
