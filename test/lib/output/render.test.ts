// Renderers sanitize every value they are given: text``, lines, the hop list; a Rendered value passes unchanged.
import {expect} from 'chai'

import {renderHopList, renderVerdict, wordWrap} from '../../../src/lib/output/hops.js'
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

  it('the hop list sanitizes titles, summaries, causes and next steps; each title on its line, the details under it', () => {
    const out = renderHopList(
      [
        {verdict: 'OK', ms: 3, title: `home ${EVIL} TLS`, summary: `certificate ${EVIL}`},
        {verdict: 'FAIL', ms: 12, title: 'global', summary: 'x', cause: `cause\n${EVIL}`, nextStep: `next ${EVIL}`},
      ],
      {columns: 80, color: false},
    ).text
    expect(out).not.to.match(CONTROLS)
    expect(out.split('\n')).to.deep.equal([
      'OK       3 ms  home eu-1clickexe TLS',
      '               certificate eu-1clickexe',
      'FAIL    12 ms  global',
      '               x',
      '               cause: cause eu-1clickexe',
      '               next:  next eu-1clickexe',
    ])
  })

  it('the hop list wraps at spaces under the hop, a cause with a hanging indent; verdicts coloured only when asked', () => {
    const hop = {
      verdict: 'WARN',
      ms: 1533,
      title: 'secondary westus-1 health',
      summary: 'HTTP 200 in 1533 ms: ok, region westus, role passive, replication lag 0 ms',
    }
    const cause = 'slow: westus-1 answered in 1533 ms (over 1000 ms), which is more than the limit given'
    const out = renderHopList([{...hop, cause}], {columns: 60, color: false}).text.split('\n')
    expect(out).to.deep.equal([
      'WARN  1533 ms  secondary westus-1 health',
      '               HTTP 200 in 1533 ms: ok, region westus, role',
      '               passive, replication lag 0 ms',
      '               cause: slow: westus-1 answered in 1533 ms',
      '                      (over 1000 ms), which is more than the',
      '                      limit given',
    ])
    const coloured = renderHopList([hop, {...hop, verdict: 'OK'}, {...hop, verdict: 'FAIL'}], {columns: 200, color: true}).text
    expect(coloured).to.match(/^\x1b\[33mWARN\x1b\[39m {2}1533 ms/m)
    expect(coloured).to.match(/^\x1b\[32mOK\x1b\[39m {4}1533 ms/m)
    expect(coloured).to.match(/^\x1b\[31mFAIL\x1b\[39m {2}1533 ms/m)
  })

  it('a word longer than the line breaks at its own separators (/ . -) when it can, and only then inside', () => {
    expect(wordWrap('see https://eastus-1.clusters.sandbox.localhost:8443/v1/health now', 24)).to.deep.equal([
      'see',
      'https://eastus-1.',
      'clusters.sandbox.',
      'localhost:8443/v1/health',
      'now',
    ])
    expect(wordWrap('abcdefghijklmnopqrstuvwxyz', 10)).to.deep.equal(['abcdefghij', 'klmnopqrst', 'uvwxyz'])
    for (const line of wordWrap('a'.repeat(7) + ' ' + 'b/'.repeat(40), 13)) expect(line.length).to.be.at.most(13)
  })

  it('the verdict line: wrapped under its text, its verdict word coloured when asked', () => {
    const summary = 'FAIL at home eastus-1 health: eastus-1 answered HTTP 503 to GET /v1/health.'
    expect(renderVerdict(summary, {columns: 50, color: false}).text.split('\n')).to.deep.equal([
      'Verdict: FAIL at home eastus-1 health: eastus-1',
      '         answered HTTP 503 to GET /v1/health.',
    ])
    expect(renderVerdict(summary, {columns: 50, color: true}).text).to.match(/^Verdict: \x1b\[31mFAIL\x1b\[39m at home/)
  })
})
