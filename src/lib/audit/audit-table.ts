// Audit events as a table for people: one header, then rows batch by batch, fitted to the terminal without cutting an id.
//
// The table is drawn by renderTable (src/lib/output/table.ts). A stream has no end to measure, so the layout is chosen
// once from the width: six columns (time, seq, action, result, actor, target) when they fit, three stacked ones
// (seq/time, action/result, actor/target) at 80 columns. Ids (seq, times, actions, UPNs, app and object ids) are
// never cut: they move to the next line of their cell, and only one longer than its whole column is broken.
// Free text (display names, unknown sign-in names) is cut with "…".
import {createRequire} from 'node:module'

import type {IO} from '../io/io.js'
import {renderTable, type CellValue} from '../output/table.js'
import {sanitizeOneLine} from '../output/sanitize.js'

type Segment = {text: string; kind: 'id' | 'free'}
/** A cell: groups of segments, each group starting on a line of its own. */
type Cell = Segment[][]

interface Column {
  head: string
  width: number
  cell(e: EventView): Cell
}

interface EventView {
  seq?: unknown
  time?: unknown
  action?: unknown
  result?: unknown
  actor?: {type?: string; id?: string; upn?: string; appId?: string}
  target?: {type?: string; id?: string; displayName?: string; upn?: string}
  details?: {upn?: unknown}
}

let measure: ((text: string) => number) | undefined
/** The string-width cli-table3 measures with, so a padded cell is exactly as wide as renderTable thinks. */
function width(text: string): number {
  if (!measure) {
    const require = createRequire(import.meta.url)
    measure = createRequire(require.resolve('cli-table3'))('string-width') as (text: string) => number
  }
  return measure(text)
}

const id = (text: unknown): Segment => ({text: sanitizeOneLine(String(text ?? '')), kind: 'id'})
const free = (text: unknown): Segment => ({text: sanitizeOneLine(String(text ?? '')), kind: 'free'})
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)

/** 2026-01-01T00:00:01.000Z → 2026-01-01T00:00:01Z: the seq orders events within a second. */
const shortTime = (time: unknown) => (typeof time === 'string' ? time.replace(/\.\d+Z$/, 'Z') : '')

/** Who acted: the UPN of a user, the app id of a service principal, system:<name>, or the name an unknown caller typed. */
export function actorSegments(e: EventView): Segment[] {
  const a = e.actor ?? {}
  if (a.type === 'system') return [id(`system:${a.id ?? ''}`)]
  if (a.type === 'anonymous') return [free(a.upn ? `${a.upn} (unknown)` : 'anonymous')]
  const who = a.upn ?? a.appId ?? a.id ?? a.type
  return who ? [id(who)] : []
}

/** What was acted on: its display name where the platform knows it, then its UPN (a user) or type:id. */
export function targetSegments(e: EventView): Segment[] {
  const t = e.target
  if (!t) return []
  const upn = str(t.upn) ?? (t.type === 'user' ? str(e.details?.upn) : undefined)
  const name = str(t.displayName)
  return [...(name ? [free(name)] : []), id(upn ?? `${t.type ?? ''}:${t.id ?? ''}`)]
}

const WIDE: readonly Column[] = [
  {head: 'TIME', width: 20, cell: (e) => [[id(shortTime(e.time))]]},
  {head: 'SEQ', width: 8, cell: (e) => [[id(e.seq)]]},
  {head: 'ACTION', width: 22, cell: (e) => [[id(e.action)]]},
  {head: 'RESULT', width: 9, cell: (e) => [[id(e.result)]]},
  {head: 'ACTOR', width: 36, cell: (e) => [actorSegments(e)]},
  {head: 'TARGET', width: 36, cell: (e) => [targetSegments(e)]},
]

const STACKED: readonly Column[] = [
  {
    head: 'SEQ / TIME',
    width: 10,
    cell: (e) => {
      const [date, time] = shortTime(e.time).split('T')
      return [[id(e.seq)], [id(date)], ...(time ? [[id(time)]] : [])]
    },
  },
  {head: 'ACTION / RESULT', width: 20, cell: (e) => [[id(e.action)], [id(e.result)]]},
  {head: 'ACTOR / TARGET', width: 16, cell: (e) => [actorSegments(e), targetSegments(e)]},
]

/** renderTable's frame: a border on each side of every column and a space of padding either side. */
const frame = (columns: number) => 3 * columns + 1
/** The last column grows up to this; a wider terminal gets a table that ends before its edge. */
const MAX_LAST = 64

/** The columns for a terminal `columns` wide: six when they fit, else three stacked ones; the last one takes the rest. */
function auditLayout(columns: number): Column[] {
  const fits = (layout: readonly Column[]) => layout.reduce((sum, c) => sum + c.width, frame(layout.length)) <= columns
  const base = fits(WIDE) ? WIDE : STACKED
  const fixed = base.slice(0, -1).reduce((sum, c) => sum + c.width, frame(base.length))
  const last = base[base.length - 1]
  return [...base.slice(0, -1), {...last, width: Math.min(MAX_LAST, Math.max(last.width, columns - fixed))}]
}

/** Breaks an id longer than the column into pieces of the column's width (only when it cannot fit on a line at all). */
function chunks(text: string, max: number): string[] {
  const out: string[] = []
  let line = ''
  for (const ch of text) {
    if (line !== '' && width(line + ch) > max) {
      out.push(line)
      line = ''
    }
    line += ch
  }
  return [...out, line]
}

function truncate(text: string, max: number): string {
  if (width(text) <= max) return text
  let out = ''
  for (const ch of text) {
    if (width(out + ch + '…') > max) break
    out += ch
  }
  return out + '…'
}

/** The lines of a cell `max` wide: segments side by side while they fit, ids moved whole to the next line. */
function cellLines(cell: Cell, max: number): string[] {
  const lines: string[] = []
  for (const group of cell) {
    let line = ''
    for (const seg of group) {
      if (seg.text === '') continue
      if (line !== '' && width(line) + 1 + width(seg.text) <= max) {
        line += ' ' + seg.text
        continue
      }
      if (line !== '') lines.push(line)
      line = ''
      if (width(seg.text) <= max) line = seg.text
      else if (seg.kind === 'free') line = truncate(seg.text, max)
      else {
        const pieces = chunks(seg.text, max)
        lines.push(...pieces.slice(0, -1))
        line = pieces[pieces.length - 1]
      }
    }
    lines.push(line)
  }
  return lines.length > 0 ? lines : ['']
}

const pad = (text: string, w: number) => text + ' '.repeat(Math.max(0, w - width(text)))

/**
 * A table written batch by batch: the header before the first rows, the bottom edge at the end. Each batch is drawn
 * by renderTable with every cell padded to its column's width, so every batch has the same columns.
 */
export function createAuditTable(io: Pick<IO, 'columns' | 'color'>): {rows(events: ReadonlyArray<Readonly<Record<string, unknown>>>): string; end(): string} {
  const layout = auditLayout(io.columns)
  const head = layout.map((c) => pad(c.head, c.width))
  const render = (rows: CellValue[][]) => renderTable(head, rows, io).text.split('\n')
  // The header-only table tells which lines come before the rows and which after (the frame is renderTable's).
  const empty = render([])
  let started = false
  let edges: {top: number; bottom: number} | undefined
  const split = (drawn: string[], rowLines: number) => {
    if (!edges) {
      let top = 0
      while (top < empty.length && drawn[top] === empty[top]) top++
      let bottom = 0
      while (bottom < empty.length - top && drawn[drawn.length - 1 - bottom] === empty[empty.length - 1 - bottom]) bottom++
      edges = {top, bottom}
    }
    const body = drawn.slice(edges.top, drawn.length - edges.bottom)
    // Lines between the header and the first row (a rule under the header) belong to the first batch only.
    return {head: drawn.slice(0, edges.top), rule: body.slice(0, body.length - rowLines), rows: body.slice(body.length - rowLines)}
  }
  return {
    rows(events) {
      if (events.length === 0) return ''
      const rows: CellValue[][] = []
      for (const e of events) {
        const cells = layout.map((c) => cellLines(c.cell(e as EventView), c.width))
        const height = Math.max(...cells.map((l) => l.length))
        for (let i = 0; i < height; i++) rows.push(cells.map((l, k) => pad(l[i] ?? '', layout[k].width)))
      }
      const parts = split(render(rows), rows.length)
      const out = started ? parts.rows : [...parts.head, ...parts.rule, ...parts.rows]
      started = true
      return out.map((l) => l.trimEnd() + '\n').join('')
    },
    end() {
      if (!started || !edges || edges.bottom === 0) return ''
      return empty.slice(empty.length - edges.bottom).join('\n') + '\n'
    },
  }
}
