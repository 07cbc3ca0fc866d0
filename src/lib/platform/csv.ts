// The upn,sku CSV of the bulk license commands, read with csv-parse: a wrong header fails the file, a bad row is a row.
import {readFile} from 'node:fs/promises'
import {basename} from 'node:path'

import {parse, type Options} from 'csv-parse/sync'

import {UsageError} from '../errors/index.js'

export interface UpnSkuRow {
  /** 1-based line where the row starts in the file. */
  line: number
  upn: string
  sku: string
  /** Why the row cannot run (a missing or bad field, a broken quote): the row is reported failed, the others run. */
  problem?: string
}

/** A parsed record or one csv-parse had to skip, with its raw text (to count the lines it spans). */
type Event = {fields: string[]; raw: string} | {error: string; raw: string}

const UPN = /^[^\s@,]+@[^\s@,]+$/u

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed (the rest of the file is part of it)',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and double the quote: "")',
}

// csv-parse's own line count takes a CRLF inside quotes for two lines; the raw text of each record does not lie.
const lineBreaks = (raw: string) => raw.match(/\r\n|\r|\n/g)?.length ?? 0

/** Every record of the text with the line it starts on; records csv-parse cannot read come back as errors. */
function records(text: string): Array<{line: number; fields?: string[]; error?: string}> {
  const events: Event[] = []
  const options: Options = {
    bom: true,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    // With raw, a record comes as {record, raw}; none is kept in the parser's own result.
    on_record: (record) => {
      const {record: fields, raw} = record as unknown as {record: string[]; raw: string}
      events.push({fields, raw})
      return null
    },
    on_skip: (err, raw) => {
      if (err) events.push({error: REASONS[err.code] ?? `the row cannot be read (${err.code})`, raw: raw ?? ''})
    },
  }
  parse(text, options)
  let line = 1
  return events.map((e) => {
    const start = line
    line += lineBreaks(e.raw)
    return 'fields' in e ? {line: start, fields: e.fields} : {line: start, error: e.error}
  })
}

const blank = (fields: string[] | undefined) => fields !== undefined && fields.every((f) => f.trim() === '')

/**
 * Reads a CSV file whose header has the columns upn and sku (any order, other columns ignored). A BOM, CRLF, quoted
 * fields and blank lines are fine. Throws (exit 2) only when the file cannot be read or its header is wrong.
 */
export async function readUpnSkuCsv(file: string): Promise<UpnSkuRow[]> {
  const name = basename(file)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError('FILE_UNREADABLE', `${name}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
      nextStep: 'Check the path given to --file.',
    })
  }
  const all = records(text).filter((r) => r.error !== undefined || !blank(r.fields))
  const [header, ...rows] = all
  const columns = header?.fields?.map((f) => f.trim().toLowerCase()) ?? []
  const upnAt = columns.indexOf('upn')
  const skuAt = columns.indexOf('sku')
  if (upnAt < 0 || skuAt < 0) {
    throw new UsageError('CSV_HEADER', `${name}: the first line must be a header with the columns upn and sku.`, {nextStep: 'Start the file with: upn,sku'})
  }
  return rows.map(({line, fields, error}) => {
    const upn = (fields?.[upnAt] ?? '').trim()
    const sku = (fields?.[skuAt] ?? '').trim()
    const problem =
      error ?? (!upn ? 'upn is empty' : !sku ? 'sku is empty' : !UPN.test(upn) ? `upn "${upn.slice(0, 80)}" is not a user name (name@domain)` : undefined)
    return {line, upn, sku, ...(problem ? {problem} : {})}
  })
}

/** The usage error of a row that cannot run: its line, the file and the reason. */
export function badRowError(file: string, row: {line?: number; problem?: string}): UsageError {
  return new UsageError('CSV_ROW', `${basename(file)}: line ${row.line}: ${row.problem}.`, {
    nextStep: 'Fix the row (every row needs a upn and a sku) and run the file again.',
  })
}
