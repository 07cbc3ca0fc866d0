// A small CSV reader (RFC 4180): quoted fields with "" escapes and line breaks, CRLF or LF, a BOM, blank lines skipped.
import {readFile} from 'node:fs/promises'
import {basename} from 'node:path'

import {UsageError} from '../errors/index.js'

export interface CsvRecord {
  /** 1-based line number where the record starts. */
  line: number
  fields: string[]
}

/** Parses CSV text into records; throws UsageError on an unterminated quote. */
export function parseCsv(text: string, name = 'the file'): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const records: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let inQuotes = false
  let line = 1
  let start = 1
  const endRecord = () => {
    fields.push(field)
    // A record that is one empty unquoted field is a blank line.
    if (!(fields.length === 1 && fields[0] === '' && !quoted)) records.push({line: start, fields})
    fields = []
    field = ''
    quoted = false
  }
  for (let i = 0; i < src.length; i++) {
    const c = src[i]
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"'
          i++
        } else inQuotes = false
      } else {
        if (c === '\n') line++
        field += c
      }
      continue
    }
    if (c === '"' && field === '') {
      inQuotes = true
      quoted = true
    } else if (c === ',') {
      fields.push(field)
      field = ''
    } else if (c === '\r' && src[i + 1] === '\n') {
      continue
    } else if (c === '\n') {
      endRecord()
      line++
      start = line
    } else field += c
  }
  if (inQuotes)
    throw new UsageError('CSV_UNTERMINATED_QUOTE', `${name}: line ${start}: a quoted field is not closed.`, {
      nextStep: 'Close the quote, or double a quote inside a quoted field ("").',
    })
  if (field !== '' || fields.length > 0 || quoted) endRecord()
  return records
}

export interface UpnSkuRow {
  line: number
  upn: string
  sku: string
}

/** Reads a CSV file whose header has the columns upn and sku (any order, other columns ignored). */
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
  const [header, ...records] = parseCsv(text, name)
  const columns = header?.fields.map((f) => f.trim().toLowerCase()) ?? []
  const upnAt = columns.indexOf('upn')
  const skuAt = columns.indexOf('sku')
  if (upnAt < 0 || skuAt < 0) {
    throw new UsageError('CSV_HEADER', `${name}: the first line must be a header with the columns upn and sku.`, {nextStep: 'Start the file with: upn,sku'})
  }
  return records.map((r) => {
    const upn = (r.fields[upnAt] ?? '').trim()
    const sku = (r.fields[skuAt] ?? '').trim()
    if (!upn || !sku)
      throw new UsageError('CSV_ROW', `${name}: line ${r.line}: ${upn ? 'sku' : 'upn'} is empty.`, {nextStep: 'Give every row a upn and a sku.'})
    return {line: r.line, upn, sku}
  })
}
