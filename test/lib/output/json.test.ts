// The terminal-safe JSON: every character a terminal acts on is a \uXXXX escape, and JSON.parse gives back the exact value.
import {expect} from 'chai'

import {createFormatter} from '../../../src/lib/audit/format.js'
import {safeJsonStringify, terminalSafeJsonText} from '../../../src/lib/output/json.js'

/** Raw characters that must never reach a terminal from JSON output (C0 but tab/LF/CR, DEL, C1, LS/PS, bidi controls). */
const RAW_UNSAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/

describe('output/json', () => {
  const hostile =
    'eu\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x07\r\x9b31m\x85\u2028\u2029\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee\u2066f\u2067g\u2068h\u2069i\u200Ej\u200Fk\u061Cl\x7f'

  it('escapes C1, DEL, U+2028/U+2029 and the bidi controls as \\uXXXX, and parses back to the exact string', () => {
    const json = safeJsonStringify({clusterId: hostile, [`key\u202E`]: 1}, 2)
    expect(json).not.to.match(RAW_UNSAFE)
    for (const escaped of [
      '\\u001b',
      '\\u0007',
      '\\r',
      '\\u009b',
      '\\u0085',
      '\\u2028',
      '\\u2029',
      '\\u202a',
      '\\u202e',
      '\\u2066',
      '\\u2069',
      '\\u200e',
      '\\u200f',
      '\\u061c',
      '\\u007f',
    ]) {
      expect(json).to.contain(escaped)
    }
    expect(JSON.parse(json)).to.deep.equal({clusterId: hostile, [`key\u202E`]: 1})
  })

  it('returns JSON.stringify itself when there is nothing to escape (the same string, pretty-printing kept)', () => {
    const value = {a: 'plain ascii', b: ['東京都', 'é', 42, null], c: {d: true}}
    expect(safeJsonStringify(value, 2)).to.equal(JSON.stringify(value, null, 2))
    expect(safeJsonStringify(value)).to.equal(JSON.stringify(value))
    expect(safeJsonStringify(undefined)).to.equal('null')
  })

  it("makes the platform's JSON text (an audit event) inert without changing its values or its whitespace", () => {
    const event = `{"seq":1,\n "actor":{"upn":"${'a\\u001b'}x\x9b2J\u202Eexe"},\t"ok":true}`
    const safe = terminalSafeJsonText(event)
    expect(safe).not.to.match(RAW_UNSAFE)
    expect(safe).to.contain('\n').and.contain('\t')
    expect(JSON.parse(safe)).to.deep.equal(JSON.parse(event))
    const clean = '{"seq":2,"action":"signin"}'
    expect(terminalSafeJsonText(clean)).to.equal(clean)
  })

  it('audit stream: NDJSON lines and the JSON array are terminal-safe and parse back to the events the platform sent', () => {
    const events = [
      {seq: 1, actor: {upn: 'evil\x9b2J\u202Egnp.exe@contoso.example'}, details: {note: 'a\u2028b\x85'}},
      {seq: 2, action: 'signin'},
    ]
    const frames = events.map((e) => ({seq: e.seq, data: JSON.stringify(e), event: e}))
    const ndjson = createFormatter('ndjson').batch(frames)
    expect(ndjson).not.to.match(RAW_UNSAFE)
    expect(ndjson).to.contain('\\u009b2J\\u202egnp.exe').and.contain('a\\u2028b\\u0085')
    expect(
      ndjson
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).to.deep.equal(events)
    const array = createFormatter('json')
    const json = array.batch(frames) + array.end()
    expect(json).not.to.match(RAW_UNSAFE)
    expect(JSON.parse(json)).to.deep.equal(events)
  })
})
