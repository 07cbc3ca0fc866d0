// JSON for stdout that is also safe at a terminal: characters a terminal would act on are written as \uXXXX escapes.
//
// JSON.stringify already escapes C0 controls (ESC included); it leaves C1 controls (0x9b is an 8-bit CSI), DEL,
// the line and paragraph separators and the bidi controls raw. Written as \uXXXX they are the same JSON value —
// JSON.parse gives back the exact string — so --json stays exact. Such characters can only stand inside JSON
// strings (anywhere else the text would not be JSON), so the escape never changes the document's structure.
import {createRequire} from 'node:module'

/** C0 except tab, LF and CR (JSON whitespace), DEL, C1, ALM, LRM/RLM, LS/PS, LRE…RLO, LRI…PDI. */
const UNSAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g')

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/**
 * JSON text (ours or the platform's, e.g. an audit event) made inert at a terminal without changing its value.
 * A test first: the common case — nothing to escape — returns the same string without copying it.
 */
export function terminalSafeJsonText(json: string): string {
  return UNSAFE.test(json) ? json.replace(UNSAFE_ALL, escape) : json
}

/** JSON.stringify, then terminalSafeJsonText: for every --json output and NDJSON line. */
export function safeJsonStringify(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space) as string | undefined
  return json === undefined ? 'null' : terminalSafeJsonText(json)
}

type YamlLib = typeof import('yaml')
let yamlLib: YamlLib | undefined

/**
 * YAML (the `yaml` package) of the same value --json prints, terminal-safe the same way: a string holding a
 * character a terminal would act on is written double-quoted, where that character becomes a \uXXXX escape.
 */
export function safeYamlStringify(value: unknown): string {
  yamlLib ??= createRequire(import.meta.url)('yaml') as YamlLib
  const {Document, Scalar, visit} = yamlLib
  const doc = new Document(JSON.parse(JSON.stringify(value ?? null)) as unknown)
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && UNSAFE.test(node.value)) node.type = Scalar.QUOTE_DOUBLE
    },
  })
  return terminalSafeJsonText(doc.toString({lineWidth: 0}))
}
