// A fast reader for the plain YAML that `dlp export` writes (block mappings and sequences of simple scalars): the yaml package takes seconds on 50 policies × 1,000 connectors.
// Anything outside that subset — flow collections, anchors, tags, multi-line or escaped scalars, comments after a value, duplicate keys — returns undefined, and the caller parses with the yaml package, which is always right.

type Value = unknown

interface Line {
  indent: number
  text: string
}

// Plain scalars that start with a letter and hold no comment, flow or quote-at-start indicator, no ': ' and no ' #'.
const PLAIN = /^[A-Za-z_$][A-Za-z0-9_.\-/@$"*: ()]*$/
const KEY = /^([A-Za-z_$][A-Za-z0-9_.\-$]*|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'):(?: (.*))?$/
const KEYWORDS: Record<string, Value> = {null: null, Null: null, NULL: null, true: true, True: true, TRUE: true, false: false, False: false, FALSE: false}

class Unsupported extends Error {}
const unsupported = (): never => {
  throw new Unsupported()
}

function scalar(raw: string): Value {
  if (raw === '~') return null
  if (raw === '[]') return []
  if (raw === '{}') return {}
  if (raw.startsWith('"')) {
    // YAML's double-quoted escapes include every JSON escape, with the same meaning.
    if (!raw.endsWith('"') || raw.length < 2) unsupported()
    try {
      return JSON.parse(raw) as string
    } catch {
      return unsupported()
    }
  }
  if (raw.startsWith("'")) {
    const body = raw.slice(1, -1)
    if (raw.length < 2 || !raw.endsWith("'") || /(^|[^'])'(?!')/.test(body.replace(/''/g, ''))) unsupported()
    return body.replace(/''/g, "'")
  }
  if (/^-?(0|[1-9][0-9]{0,14})$/.test(raw)) return Number(raw)
  if (!PLAIN.test(raw) || raw.endsWith(':') || raw.endsWith(' ') || raw.includes(': ') || raw.includes(' #') || raw.includes('  ')) unsupported()
  return Object.hasOwn(KEYWORDS, raw) ? KEYWORDS[raw] : raw
}

const keyText = (raw: string) => (raw.startsWith('"') || raw.startsWith("'") ? (scalar(raw) as string) : raw)

class Reader {
  i = 0
  constructor(readonly lines: Line[]) {}

  node(indent: number): Value {
    const line = this.lines[this.i]
    if (!line || line.indent < indent) return null
    return line.text === '-' || line.text.startsWith('- ') ? this.sequence(line.indent) : this.mapping(line.indent)
  }

  sequence(indent: number): Value[] {
    const items: Value[] = []
    for (let line = this.lines[this.i]; line && line.indent === indent && (line.text === '-' || line.text.startsWith('- ')); line = this.lines[this.i]) {
      const rest = line.text.slice(2)
      if (rest === '') {
        this.i++
        items.push(this.node(indent + 1))
      } else if (KEY.test(rest)) {
        // "- key: value": a mapping whose first line shares the dash's; the rest is indented to the key.
        this.lines[this.i] = {indent: indent + 2, text: rest}
        items.push(this.mapping(indent + 2))
      } else {
        this.i++
        items.push(scalar(rest))
      }
    }
    const next = this.lines[this.i]
    if (next && next.indent > indent) unsupported()
    return items
  }

  mapping(indent: number): Record<string, Value> {
    const out: Record<string, Value> = {}
    for (let line = this.lines[this.i]; line && line.indent === indent; line = this.lines[this.i]) {
      const m = KEY.exec(line.text)
      if (!m) return unsupported()
      const key = keyText(m[1])
      if (Object.hasOwn(out, key) || key === '__proto__') unsupported()
      this.i++
      if (m[2] !== undefined && m[2] !== '') out[key] = scalar(m[2])
      else {
        const next = this.lines[this.i]
        // A sequence may sit at its key's indent ("key:\n- a"); anything else nested is indented further.
        if (next && (next.indent > indent || (next.indent === indent && (next.text === '-' || next.text.startsWith('- '))))) out[key] = this.node(next.indent)
        else out[key] = null
      }
    }
    const next = this.lines[this.i]
    if (next && next.indent > indent) unsupported()
    return out
  }
}

/** The document's value, or undefined when it is not in the subset (then parse it with the yaml package). */
export function fastParse(source: string): Value | undefined {
  const lines: Line[] = []
  for (const raw of source.split(/\r?\n/)) {
    if (/^\s*(#.*)?$/.test(raw)) continue
    const indent = raw.length - raw.trimStart().length
    if (raw.slice(0, indent).includes('\t') || /\s$/.test(raw)) return undefined
    const text = raw.slice(indent)
    if (text.startsWith('---') || text.startsWith('...') || text.startsWith('%')) return undefined
    lines.push({indent, text})
  }
  if (lines.length === 0 || lines[0].indent !== 0) return undefined
  try {
    const reader = new Reader(lines)
    const value = reader.node(0)
    return reader.i === lines.length ? value : undefined
  } catch (err) {
    if (err instanceof Unsupported) return undefined
    throw err
  }
}
