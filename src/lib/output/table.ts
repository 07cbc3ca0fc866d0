// Tables and key/value blocks for people: every cell sanitized, fitted to the terminal's width, colour only when allowed.
import {createRequire} from 'node:module'

import type {IO} from '../io/io.js'
import {Rendered} from './render.js'
import {sanitizeOneLine} from './sanitize.js'

export type CellValue = string | number | boolean | null | undefined

type TableCtor = typeof import('cli-table3')
interface TableLib {
  Table: TableCtor
  width: (text: string) => number
}

let lib: TableLib | undefined

// cli-table3 (CommonJS) and its string-width are loaded on first use, so commands that print no table never pay for them.
function tableLib(): TableLib {
  if (!lib) {
    const require = createRequire(import.meta.url)
    const Table = require('cli-table3') as TableCtor
    // The same string-width cli-table3 measures with, so our layout and its agree on wide characters.
    const width = createRequire(require.resolve('cli-table3'))('string-width') as (text: string) => number
    lib = {Table, width}
  }
  return lib
}

const MIN_COLUMN = 6
const ELLIPSIS = '…'

/**
 * A column of a table. A key column (ids, UPNs, SKU part numbers, GUIDs, numbers: the default) is never wrapped or
 * cut, so what a person copies from the screen is the whole value; a free-text column (names, descriptions,
 * details) gives way: it is shortened with "…" (or wrapped, with TableOptions.wrap) to make the table fit.
 */
export interface ColumnSpec {
  header: string
  free?: boolean
}

export type Column = string | ColumnSpec

export interface TableOptions {
  /** Free-text cells wider than their column are wrapped onto more lines instead of shortened with "…". */
  wrap?: boolean
}

const spec = (column: Column): ColumnSpec => (typeof column === 'string' ? {header: column} : column)

/**
 * Renders rows under a header, fitted to `io.columns`: the free-text columns share what the key columns leave,
 * widest first, and their cells are shortened with "…" (or wrapped). When even the key columns do not fit, each
 * row becomes a block of "Header: value" lines instead (no value is cut; a value longer than the line is left
 * to the terminal). No trailing newline.
 */
export function renderTable(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly CellValue[]>,
  io: Pick<IO, 'columns' | 'color'>,
  options: TableOptions = {},
): Rendered {
  const {Table, width} = tableLib()
  const specs = columns.map(spec)
  const head = specs.map((c) => sanitizeOneLine(c.header))
  const body = rows.map((row) => head.map((_, i) => cellText(row[i])))
  const natural = head.map((h, i) => Math.max(width(h), ...body.map((row) => width(row[i]))))
  const free = specs.map((c) => Boolean(c.free))
  const available = Math.max(1, io.columns) - (3 * head.length + 1)
  const keyWidth = natural.reduce((sum, w, i) => sum + (free[i] ? 0 : w), 0)
  const freeMinimum = natural.reduce((sum, w, i) => sum + (free[i] ? Math.min(w, MIN_COLUMN) : 0), 0)
  if (keyWidth + freeMinimum > available) return renderBlocks(head, body, free, io, options, width)
  const freeWidths = fitWidths(
    natural.filter((_, i) => free[i]),
    available - keyWidth,
  )
  let next = 0
  const fitted = natural.map((w, i) => (free[i] ? freeWidths[next++] : w))
  const layout = (text: string, i: number) =>
    width(text) <= fitted[i] ? text : options.wrap ? wrapText(text, fitted[i], width).join('\n') : shorten(text, fitted[i], width)
  const table = new Table({
    head: head.map((h, i) => (io.color ? bold(layout(h, i)) : layout(h, i))),
    colWidths: fitted.map((w) => w + 2),
    wordWrap: false,
    truncate: ELLIPSIS,
    style: {head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true},
  })
  for (const row of body) table.push(row.map((cell, i) => layout(cell, i)))
  return new Rendered(table.toString())
}

/** The layout for a terminal too narrow for the key columns side by side: one "Header: value" block per row. */
function renderBlocks(
  head: readonly string[],
  body: ReadonlyArray<readonly string[]>,
  free: readonly boolean[],
  io: Pick<IO, 'columns' | 'color'>,
  options: TableOptions,
  width: (text: string) => number,
): Rendered {
  const labels = head.map((h) => h + ':')
  const pad = Math.max(0, ...labels.map((l) => width(l)))
  const room = Math.max(MIN_COLUMN, io.columns - pad - 2)
  const blocks = body.map((row) =>
    row
      .map((cell, i) => {
        const label = labels[i] + ' '.repeat(pad - width(labels[i]))
        const value =
          !free[i] || width(cell) <= room ? cell : options.wrap ? wrapText(cell, room, width).join('\n' + ' '.repeat(pad + 2)) : shorten(cell, room, width)
        return `${io.color ? bold(label) : label}  ${value}`.trimEnd()
      })
      .join('\n'),
  )
  return new Rendered(blocks.join('\n\n'))
}

/** Text cut to at most `max` columns, the last of them "…". */
function shorten(text: string, max: number, width: (text: string) => number): string {
  let out = ''
  let used = 0
  for (const ch of text) {
    const w = width(ch)
    if (used + w > max - 1) break
    out += ch
    used += w
  }
  return out + ELLIPSIS
}

/** "Key   value" lines with the keys aligned, for show-style output. No trailing newline. */
export function renderKeyValue(pairs: ReadonlyArray<readonly [string, CellValue]>, io: Pick<IO, 'color'>): Rendered {
  const keys = pairs.map(([key]) => sanitizeOneLine(key) + ':')
  const pad = Math.max(0, ...keys.map((k) => [...k].length))
  const text = pairs
    .map(([, value], i) => {
      const key = keys[i] + ' '.repeat(pad - [...keys[i]].length)
      return `${io.color ? bold(key) : key}  ${cellText(value)}`.trimEnd()
    })
    .join('\n')
  return new Rendered(text)
}

function cellText(value: CellValue): string {
  return value === null || value === undefined ? '' : sanitizeOneLine(String(value))
}

function bold(text: string): string {
  return text
    .split('\n')
    .map((line) => `\x1b[1m${line}\x1b[22m`)
    .join('\n')
}

/**
 * Column content widths that fit `available`: the narrow columns keep their width and the wide ones share
 * the rest equally (water-filling), never below MIN_COLUMN (the table overflows rather than become unreadable).
 */
export function fitWidths(natural: readonly number[], available: number): number[] {
  const total = natural.reduce((a, b) => a + b, 0)
  if (total <= available) return [...natural]
  const sorted = [...natural].sort((a, b) => a - b)
  let cap = MIN_COLUMN
  let used = 0
  for (let k = 0; k < sorted.length; k++) {
    // With every column from k on capped at c, the table takes used + c * (n - k).
    const c = Math.floor((available - used) / (sorted.length - k))
    if (c < sorted[k]) {
      cap = Math.max(MIN_COLUMN, c)
      break
    }
    used += sorted[k]
  }
  const widths = natural.map((w) => Math.min(w, cap))
  // Hand out what integer division left over to the capped columns, left to right.
  let spare = available - widths.reduce((a, b) => a + b, 0)
  for (let i = 0; i < widths.length && spare > 0; i++) {
    if (natural[i] > widths[i]) {
      widths[i]++
      spare--
    }
  }
  return widths
}

/** Breaks text into lines of at most `max` columns: at spaces when it can, inside a word when it must. */
export function wrapText(text: string, max: number, width: (text: string) => number): string[] {
  const lines: string[] = []
  let line = ''
  let lineWidth = 0
  for (const word of text.split(/ +/)) {
    if (word === '') continue
    const w = width(word)
    if (lineWidth > 0 && lineWidth + 1 + w <= max) {
      line += ' ' + word
      lineWidth += 1 + w
      continue
    }
    if (lineWidth > 0) lines.push(line)
    line = ''
    lineWidth = 0
    if (w <= max) {
      line = word
      lineWidth = w
      continue
    }
    for (const ch of word) {
      const cw = width(ch)
      if (lineWidth + cw > max && lineWidth > 0) {
        lines.push(line)
        line = ''
        lineWidth = 0
      }
      line += ch
      lineWidth += cw
    }
  }
  if (lineWidth > 0 || lines.length === 0) lines.push(line)
  return lines
}
