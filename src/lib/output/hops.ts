// A list of checks for people (route diagnose's hops): verdict, time, title, summary, and the cause and next step of a problem.
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

/**
 * One line per hop, the titles aligned, then (for a hop that is not OK) its cause and next step, indented.
 * Every field is sanitized to one line before it is measured and padded, so platform text (a cluster id in a
 * title) can neither inject a control nor start a line that looks like another hop.
 */
export function renderHopList(hops: readonly HopLine[]): Rendered {
  const clean = hops.map((h) => ({
    verdict: sanitizeOneLine(h.verdict),
    ms: `${sanitizeOneLine(String(h.ms))} ms`,
    title: sanitizeOneLine(h.title),
    summary: sanitizeOneLine(h.summary),
    cause: h.verdict !== 'OK' && h.cause ? sanitizeOneLine(h.cause) : '',
    nextStep: h.verdict !== 'OK' && h.nextStep ? sanitizeOneLine(h.nextStep) : '',
  }))
  const width = Math.max(0, ...clean.map((h) => [...h.title].length))
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length))
  const out = clean.map((h) =>
    [
      `${pad(h.verdict, 4)}  ${h.ms.padStart(7)}  ${pad(h.title, width)}  ${h.summary}`,
      h.cause ? `      cause: ${h.cause}` : '',
      h.nextStep ? `      next:  ${h.nextStep}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  )
  return new Rendered(out.join('\n'))
}
