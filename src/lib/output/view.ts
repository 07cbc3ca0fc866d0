// What a command prints, as data: a table or a record a renderer lays out per format (table at a terminal, TSV or CSV elsewhere).
import {createRequire} from 'node:module'

import type {IO} from '../io/io.js'
import {Rendered} from './render.js'
import {sanitizeForTerminal, sanitizeOneLine} from './sanitize.js'
import {renderKeyValue, renderTable, type CellValue, type Column} from './table.js'

/** Rows under columns (see Column: key columns are never cut at a terminal, free-text ones are). */
export interface TableView {
  kind: 'table'
  columns: readonly Column[]
  rows: ReadonlyArray<readonly CellValue[]>
  /** Wrap free-text cells at a terminal instead of shortening them with "…". */
  wrap?: boolean
}

/** One record, for show-style commands: "Label: value" lines at a terminal, a header and one line in TSV/CSV. */
export interface RecordView {
  kind: 'record'
  fields: ReadonlyArray<readonly [string, CellValue]>
}

/** Bare values, one a line in every format, without a header (a --query that selects scalars). */
export interface ValuesView {
  kind: 'values'
  values: readonly CellValue[]
}

export type Section = TableView | RecordView | ValuesView

/**
 * A command's output. `title` (a heading such as "Licenses of …:", a message) comes before the sections at a
 * terminal, `footer` (a count, a note) after them; in TSV and CSV both go to stderr, so stdout holds records only.
 * Several sections (`sandbox status`) are separated by a blank line in every format.
 */
export interface View {
  sections: readonly Section[]
  title?: Rendered
  footer?: Rendered
  /** Said instead of an empty table at a terminal ("No profiles yet."); on stderr after the header line in TSV and CSV. */
  empty?: Rendered
  /** A layout of the command's own for a terminal (auth status's blocks); TSV and CSV still print the sections. */
  tty?: Rendered
}

/** The formats a view is rendered in (json and yaml print the command's result instead). */
export type ViewFormat = 'table' | 'tsv' | 'csv'

export function tableView(columns: readonly Column[], rows: ReadonlyArray<readonly CellValue[]>, extra: Omit<View, 'sections'> & {wrap?: boolean} = {}): View {
  const {wrap, ...rest} = extra
  return {...rest, sections: [{kind: 'table', columns, rows, ...(wrap ? {wrap} : {})}]}
}

export function recordView(fields: ReadonlyArray<readonly [string, CellValue]>, extra: Omit<View, 'sections'> = {}): View {
  return {...extra, sections: [{kind: 'record', fields}]}
}

export interface RenderedView {
  stdout: string
  /** What goes to stderr (the footer in TSV and CSV). */
  stderr?: string
}

export interface ViewOptions {
  /** The header line of TSV and CSV (false: --no-headers). */
  headers: boolean
}

/** The view in a format; stdout text ends with a newline unless it is empty. */
export function renderView(view: View, format: ViewFormat, io: Pick<IO, 'columns' | 'color'>, options: ViewOptions): RenderedView {
  const empty = view.empty !== undefined && view.sections.every((s) => s.kind === 'table' && s.rows.length === 0)
  if (format === 'table') {
    const body = view.tty ? [view.tty.text] : empty ? [view.empty!.text] : view.sections.map((s) => renderSectionTable(s, io).text)
    const parts = [view.title?.text, ...body, view.footer?.text].filter((p) => p !== undefined && p !== '')
    return {stdout: parts.length ? parts.join('\n') + '\n' : ''}
  }
  const grids = view.sections.map(grid)
  const blocks = grids.map((g) => (format === 'tsv' ? tsv(g, options.headers) : csv(g, options.headers)))
  const stdout = blocks.filter((b) => b !== '').join('\n')
  const notes = [view.title?.text, empty ? view.empty?.text : undefined, view.footer?.text].filter((n) => n !== undefined && n !== '')
  return {stdout, ...(notes.length ? {stderr: notes.join('\n') + '\n'} : {})}
}

function renderSectionTable(section: Section, io: Pick<IO, 'columns' | 'color'>): Rendered {
  if (section.kind === 'record') return renderKeyValue(section.fields, io)
  if (section.kind === 'values') return new Rendered(section.values.map((v) => (v === null || v === undefined ? '' : sanitizeOneLine(String(v)))).join('\n'))
  return renderTable(section.columns, section.rows, io, {wrap: section.wrap})
}

interface Grid {
  /** undefined: no header line (bare values). */
  header?: string[]
  width: number
  rows: CellValue[][]
}

function grid(section: Section): Grid {
  if (section.kind === 'values') return {width: 1, rows: section.values.map((v) => [v])}
  if (section.kind === 'record')
    return {header: section.fields.map(([label]) => label), width: section.fields.length, rows: [section.fields.map(([, value]) => value)]}
  return {header: section.columns.map((c) => (typeof c === 'string' ? c : c.header)), width: section.columns.length, rows: section.rows.map((r) => [...r])}
}

/** A TSV field: controls removed, then backslash, tab, newline and carriage return escaped, so each record stays one line. */
function tsvField(value: CellValue): string {
  if (value === null || value === undefined) return ''
  return sanitizeForTerminal(String(value)).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
}

const fill = (g: Grid, row: readonly CellValue[], field: (value: CellValue) => string) => Array.from({length: g.width}, (_, i) => field(row[i]))

function tsv(g: Grid, headers: boolean): string {
  const lines = [...(headers && g.header ? [g.header.map((h) => tsvField(h))] : []), ...g.rows.map((row) => fill(g, row, tsvField))]
  return lines.map((fields) => fields.join('\t') + '\n').join('')
}

type CsvStringify = typeof import('csv-stringify/sync').stringify
let csvStringify: CsvStringify | undefined

// csv-stringify is loaded on first use, so commands that print no CSV never pay for it.
function csv(g: Grid, headers: boolean): string {
  csvStringify ??= (createRequire(import.meta.url)('csv-stringify/sync') as {stringify: CsvStringify}).stringify
  // Line breaks stay inside quoted fields (RFC 4180); every other control is removed.
  const field = (value: CellValue) => (value === null || value === undefined ? '' : sanitizeForTerminal(String(value)))
  const records = [...(headers && g.header ? [g.header.map(field)] : []), ...g.rows.map((row) => fill(g, row, field))]
  return records.length ? csvStringify(records, {eof: true, record_delimiter: '\r\n'}) : ''
}

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** A JSON value in one cell: scalars as they are, objects and arrays as compact JSON. */
function cell(value: Json | undefined): CellValue {
  if (value === undefined || value === null) return ''
  return typeof value === 'object' ? sanitizeOneLine(JSON.stringify(value)) : value
}

/**
 * A view of any JSON value (a --query result, or the result of a command that has no view of its own): an array
 * of objects is a table with a column per key; an array of anything else is one value a line; an object is one
 * record; a scalar is its value.
 */
export function genericView(value: unknown): View {
  const json = JSON.parse(JSON.stringify(value ?? null)) as Json
  if (Array.isArray(json)) {
    if (json.length > 0 && json.every(isObject)) {
      const keys = [...new Set(json.flatMap((o) => Object.keys(o)))]
      return tableView(
        keys,
        json.map((o) => keys.map((k) => cell(o[k]))),
      )
    }
    return {sections: [{kind: 'values', values: json.map(cell)}]}
  }
  if (isObject(json)) return recordView(Object.entries(json).map(([k, v]) => [k, cell(v)] as const))
  return {sections: [{kind: 'values', values: json === null ? [] : [cell(json)]}]}
}
