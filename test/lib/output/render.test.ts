// Renderers sanitize every value they are given: text``, lines, the hop list; a Rendered value passes unchanged.
import {expect} from 'chai'

import {renderHopList} from '../../../src/lib/output/hops.js'
import {indent, joinRendered, lines, multiline, Rendered, text, toTerminalText} from '../../../src/lib/output/render.js'
import {renderKeyValue} from '../../../src/lib/output/table.js'

const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
const EVIL = 'eu-1\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x07\r\x9b31m\u202Eexe'

describe('output/render', () => {
  it('text`` keeps the template and sanitizes each value to one line', () => {
    const r = text`Deleted ${EVIL} (${42}) ${null}${undefined}.\nNext: ${'a\nb'}`
    expect(r).to.be.instanceOf(Rendered)
    expect(r.text).to.equal('Deleted eu-1clickexe (42) .\nNext: a b')
  })

  it('a Rendered value is interpolated and joined as it is (colour codes of a table survive)', () => {
    const kv = renderKeyValue([['K', 'v']], {color: true})
    expect(text`> ${kv}`.text).to.equal('> \x1b[1mK:\x1b[22m  v')
    expect(lines(text`a`, false, undefined, kv).text).to.equal('a\n\x1b[1mK:\x1b[22m  v')
    expect(joinRendered([text`a`, text`b`], '\n\n').text).to.equal('a\n\nb')
    expect(indent(lines(text`a`, text`b`), '  ').text).to.equal('  a\n  b')
  })

  it('multiline keeps line breaks and removes controls; a plain string is sanitized as a whole', () => {
    expect(multiline(`one\n${EVIL}`).text).to.equal('one\neu-1clickexe')
    expect(toTerminalText(`x${EVIL}`)).to.equal('xeu-1clickexe')
    expect(toTerminalText(new Rendered('\x1b[1mbold\x1b[22m'))).to.equal('\x1b[1mbold\x1b[22m')
  })

  it('the hop list sanitizes titles, summaries, causes and next steps, and aligns on the clean titles', () => {
    const out = renderHopList([
      {verdict: 'OK', ms: 3, title: `home ${EVIL} TLS`, summary: `certificate ${EVIL}`},
      {verdict: 'FAIL', ms: 12, title: 'global', summary: 'x', cause: `cause\n${EVIL}`, nextStep: `next ${EVIL}`},
    ]).text
    expect(out).not.to.match(CONTROLS)
    const rows = out.split('\n')
    expect(rows).to.have.length(4)
    expect(rows[0]).to.equal('OK       3 ms  home eu-1clickexe TLS  certificate eu-1clickexe')
    expect(rows[1]).to.equal('FAIL    12 ms  global                 x')
    expect(rows[2]).to.equal('      cause: cause eu-1clickexe')
    expect(rows[3]).to.equal('      next:  next eu-1clickexe')
  })
})
