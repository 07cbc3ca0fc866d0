// Renders audit events for stdout: NDJSON (the platform's JSON, terminal-safe) or OCSF, a JSON array, a table for
// people, or CSV for spreadsheets.
import {stringify} from 'csv-stringify/sync'

import type {IO} from '../io/io.js'
import {terminalSafeJsonText} from '../output/json.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import {actorSegments, createAuditTable, targetSegments} from './audit-table.js'
import {ocsfJsonOfText} from './ocsf.js'
import type {AuditFrame} from './sse-decoder.js'

export type AuditOutput = 'ndjson' | 'json' | 'table' | 'csv'
/** The shape of each JSON event: the platform's own, or OCSF 1.1. */
export type AuditFormat = 'ndjson' | 'ocsf'

interface Formatter {
  batch(frames: AuditFrame[]): string
  end(): string
}

const CSV_COLUMNS = [
  'time',
  'seq',
  'id',
  'action',
  'result',
  'actor',
  'actor_type',
  'actor_id',
  'target',
  'target_type',
  'target_id',
  'target_name',
  'client_ip',
  'correlation_id',
] as const

const text = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))

/**
 * One CSV cell: one line of inert text, and never a formula: a spreadsheet runs a cell that starts with = + - @ (or a
 * tab or CR), and platform text (a name typed at the sign-in page) can start so; a leading ' keeps it text.
 */
function csvCell(v: unknown): string {
  const clean = sanitizeOneLine(text(v))
  return /^[=+\-@\t\r]/.test(clean) ? `'${clean}` : clean
}

function csvRow(e: Readonly<Record<string, unknown>>): string[] {
  const actor = (e.actor ?? {}) as Record<string, unknown>
  const target = (e.target ?? {}) as Record<string, unknown>
  const view = e as Parameters<typeof actorSegments>[0]
  return [
    e.time,
    e.seq,
    e.id,
    e.action,
    e.result,
    actorSegments(view)
      .map((s) => s.text)
      .join(' '),
    actor.type,
    actor.id,
    targetSegments(view).at(-1)?.text,
    target.type,
    target.id,
    target.displayName,
    e.clientIp,
    e.correlationId,
  ].map(csvCell)
}

/** A stateful formatter: `batch` for each delivered batch, `end` once (closes the JSON array or the table). */
export function createFormatter(output: AuditOutput, options: {format?: AuditFormat; io?: Pick<IO, 'columns' | 'color'>} = {}): Formatter {
  const ocsf = options.format === 'ocsf'
  // The platform's JSON as it was sent (only made terminal-safe), or its OCSF mapping.
  const json = ocsf ? (f: AuditFrame) => ocsfJsonOfText(f.data, () => f.event) : (f: AuditFrame) => terminalSafeJsonText(f.data)
  if (output === 'table') {
    const table = createAuditTable(options.io ?? {columns: 80, color: false})
    return {batch: (frames) => table.rows(frames.map((f) => f.event)), end: () => table.end()}
  }
  let started = false
  return {
    batch(frames) {
      let out = ''
      if (output === 'ndjson') {
        for (const f of frames) out += `${json(f)}\n`
      } else if (output === 'json') {
        for (const f of frames) {
          out += `${started ? ',\n' : '[\n'}${json(f)}`
          started = true
        }
      } else {
        const rows = frames.map((f) => csvRow(f.event))
        out = stringify(rows, {header: !started, columns: [...CSV_COLUMNS], record_delimiter: 'unix'})
        started = true
      }
      return out
    },
    end() {
      if (output === 'json') return started ? '\n]\n' : '[]\n'
      return ''
    },
  }
}
