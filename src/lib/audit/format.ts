// Renders audit events for stdout: NDJSON (the platform's JSON, terminal-safe), a JSON array, or table rows for people.
import {terminalSafeJsonText} from '../output/json.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import type {AuditFrame} from './sse-decoder.js'

export type AuditOutput = 'ndjson' | 'json' | 'table'

interface EventView {
  seq: number
  time?: string
  action?: string
  result?: string
  actor?: {type?: string; id?: string; upn?: string; appId?: string}
  target?: {type?: string; id?: string}
  clientIp?: string
}

const COLUMNS = [
  ['TIME', 24],
  ['SEQ', 8],
  ['ACTION', 22],
  ['RESULT', 9],
  ['ACTOR', 30],
  ['TARGET', 28],
  ['CLIENT IP', 15],
] as const

const cell = (text: string, width: number) => {
  const clean = sanitizeOneLine(text)
  return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean.padEnd(width)
}

function row(values: string[]): string {
  return (
    values
      .map((v, i) => cell(v, COLUMNS[i][1]))
      .join('  ')
      .trimEnd() + '\n'
  )
}

function tableHeader(): string {
  return row(COLUMNS.map(([name]) => name))
}

function tableRow(e: EventView): string {
  const actor = e.actor?.upn ?? e.actor?.appId ?? e.actor?.id ?? e.actor?.type ?? ''
  const target = e.target ? `${e.target.type ?? ''}:${e.target.id ?? ''}` : ''
  return row([e.time ?? '', String(e.seq), e.action ?? '', e.result ?? '', actor, target, e.clientIp ?? ''])
}

/** A stateful formatter: `batch` for each delivered batch, `end` once (closes the JSON array). */
export function createFormatter(output: AuditOutput): {batch(frames: AuditFrame[]): string; end(): string} {
  let started = false
  return {
    batch(frames) {
      let out = ''
      if (output === 'ndjson') {
        // The platform's JSON, with what a terminal would act on written as \uXXXX: the same values, parsed back.
        for (const f of frames) out += `${terminalSafeJsonText(f.data)}\n`
      } else if (output === 'json') {
        for (const f of frames) {
          out += `${started ? ',\n' : '[\n'}${terminalSafeJsonText(f.data)}`
          started = true
        }
      } else {
        if (!started) out += tableHeader()
        started = true
        for (const f of frames) out += tableRow(f.event as unknown as EventView)
      }
      return out
    },
    end() {
      if (output === 'json') return started ? '\n]\n' : '[]\n'
      return ''
    },
  }
}
