// Tables for people: sanitized cells, fitted to the terminal width, colour only when allowed.
import {expect} from 'chai'

import {fitWidths, renderKeyValue, renderTable, wrapText} from '../../../src/lib/output/table.js'

/** Display width with the East Asian wide characters these tests use counted as two columns. */
const displayWidth = (line: string) => [...line].reduce((w, ch) => w + (/[\u3000-\u9fff\uac00-\ud7af]/.test(ch) ? 2 : 1), 0)
const plain = {columns: 80, color: false}

describe('renderTable', () => {
  it('renders the header and every row, without a trailing newline', () => {
    const out = renderTable(
      ['Name', 'Tier'],
      [
        ['Outlook', 'standard'],
        ['SQL', 'premium'],
      ],
      plain,
    ).text
    const lines = out.split('\n')
    expect(lines[1]).to.match(/│ Name +│ Tier +│/)
    expect(out).to.contain('Outlook').and.contain('premium')
    expect(out.endsWith('\n')).to.equal(false)
    expect(new Set(lines.map(displayWidth)).size, 'all lines equally wide').to.equal(1)
  })

  it('sanitizes every cell and header: escape sequences, newlines and bidi controls never reach the terminal', () => {
    const out = renderTable(['H\x1b[31mead'], [['a\x1b]8;;https://evil\x07link\x1b]8;;\x07'], ['two\nlines\r'], ['x\u202Eyz']], plain).text
    expect(out).not.to.match(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/)
    expect(out).to.contain('Head').and.contain('alink').and.contain('two lines').and.contain('xyz')
  })

  it('prints numbers, booleans and empty cells', () => {
    const out = renderTable(['n', 'b', 'e'], [[42, true, null]], plain).text
    expect(out).to.match(/│ 42 │ true │ +│/)
  })

  it('fits io.columns by shortening the free-text columns with "…"; key columns keep every character', () => {
    const id = 'shared_azureeventgrid'
    const words = 'the quick brown fox jumps over the lazy dog '.repeat(3).trim()
    const out = renderTable(['Id', {header: 'Name', free: true}, 'Tier'], [[id, words, 'premium']], {columns: 60, color: false}).text
    const lines = out.split('\n')
    for (const line of lines) expect(displayWidth(line), line).to.be.at.most(60)
    expect(lines).to.have.length(5)
    expect(lines[3]).to.contain(`│ ${id} │`).and.contain('│ premium │').and.contain('…')
  })

  it('wraps the free-text columns instead when asked to, keeping every character', () => {
    const words = 'the quick brown fox jumps over the lazy dog '.repeat(3).trim()
    const out = renderTable(['Id', {header: 'Text', free: true}], [['1', words]], {columns: 40, color: false}, {wrap: true}).text
    for (const line of out.split('\n')) expect(displayWidth(line)).to.be.at.most(40)
    expect(out).not.to.contain('…')
    expect(out.replace(/[│\s]+/g, ' ')).to.contain(words)
  })

  it('key columns that do not fit side by side: a block of "Header: value" lines per row, no value cut or wrapped', () => {
    const long = 'Z'.repeat(150)
    const out = renderTable(
      ['Id', 'Secret', {header: 'Text', free: true}],
      [
        ['1', long, 'y'.repeat(200)],
        ['2', 'short', 'x'],
      ],
      {columns: 60, color: false},
    ).text
    const lines = out.split('\n')
    expect(lines).to.deep.equal(['Id:      1', `Secret:  ${long}`, `Text:    ${'y'.repeat(50)}…`, '', 'Id:      2', 'Secret:  short', 'Text:    x'])
  })

  it('keeps the columns aligned with wide (CJK) characters', () => {
    const out = renderTable(
      ['Tenant', 'City'],
      [
        ['contoso', '東京都'],
        ['fabrikam', 'Paris'],
      ],
      plain,
    ).text
    expect(new Set(out.split('\n').map(displayWidth)).size).to.equal(1)
    expect(out).to.contain('東京都')
  })

  it('uses no colour (no ESC at all) when io.color is false, and a bold header when it is true', () => {
    expect(renderTable(['A'], [['b']], plain).text).not.to.contain('\x1b')
    const coloured = renderTable(['A'], [['b']], {columns: 80, color: true}).text
    expect(coloured).to.contain('\x1b[1mA\x1b[22m')
    expect(coloured.split('\n').filter((l) => l.includes('\x1b'))).to.have.length(1)
  })
})

describe('fitWidths', () => {
  it('keeps natural widths that fit', () => {
    expect(fitWidths([5, 10, 20], 40)).to.deep.equal([5, 10, 20])
  })

  it('shrinks the widest columns first and uses all the room', () => {
    const widths = fitWidths([5, 50, 40], 60)
    expect(widths[0]).to.equal(5)
    expect(widths.reduce((a, b) => a + b, 0)).to.equal(60)
    expect(Math.abs(widths[1] - widths[2])).to.be.at.most(1)
  })

  it('never goes below a readable minimum, even if the table then overflows', () => {
    expect(fitWidths([30, 30, 30], 6)).to.deep.equal([6, 6, 6])
  })
})

describe('wrapText', () => {
  const width = (s: string) => displayWidth(s)
  it('breaks at spaces', () => {
    expect(wrapText('aaa bbb ccc', 7, width)).to.deep.equal(['aaa bbb', 'ccc'])
  })
  it('breaks inside a word only when it must', () => {
    expect(wrapText('abcdefghij k', 4, width)).to.deep.equal(['abcd', 'efgh', 'ij k'])
  })
  it('counts wide characters as two columns', () => {
    expect(wrapText('東京都庁', 4, width)).to.deep.equal(['東京', '都庁'])
  })
})

describe('renderKeyValue', () => {
  it('aligns the keys and sanitizes the values', () => {
    const out = renderKeyValue(
      [
        ['Gateway', 'https://sandbox.localhost'],
        ['PID', 42],
        ['Evil', 'a\x1b[2Jb\nc'],
      ],
      plain,
    ).text
    expect(out.split('\n')).to.deep.equal(['Gateway:  https://sandbox.localhost', 'PID:      42', 'Evil:     ab c'])
  })

  it('makes the keys bold only with colour', () => {
    expect(renderKeyValue([['K', 'v']], {color: true}).text).to.equal('\x1b[1mK:\x1b[22m  v')
    expect(renderKeyValue([['K', 'v']], {color: false}).text).to.equal('K:  v')
  })
})
