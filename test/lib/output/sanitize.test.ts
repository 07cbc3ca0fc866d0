// The terminal sanitizer: every control, escape sequence and bidi control is removed; ordinary text is kept as it is.
import {expect} from 'chai'

import {sanitizeForTerminal, sanitizeOneLine} from '../../../src/lib/output/sanitize.js'

const ESC = '\x1b'
const BEL = '\x07'
const ST = `${ESC}\\`

/** Nothing a terminal would act on: C0 but \n and \t, DEL, C1, and the bidi controls. */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

describe('sanitizeForTerminal', () => {
  const cases: Array<[string, string, string]> = [
    ['CSI clear screen ESC[2J', `a${ESC}[2Jb`, 'ab'],
    ['CSI cursor home ESC[H', `${ESC}[Hx`, 'x'],
    ['CSI SGR colour', `${ESC}[31;1mred${ESC}[0m`, 'red'],
    ['CSI private mode: hide cursor ESC[?25l', `a${ESC}[?25lb`, 'ab'],
    ['CSI private mode: alternate screen ESC[?1049h', `${ESC}[?1049hx`, 'x'],
    ['CSI with intermediate byte (DECSCUSR ESC[2 q)', `${ESC}[2 qx`, 'x'],
    ['CSI with > parameter (ESC[>0c)', `${ESC}[>0cx`, 'x'],
    ['OSC 0 title with BEL', `${ESC}]0;pwned${BEL}ok`, 'ok'],
    ['OSC 0 title with ST', `${ESC}]0;pwned${ST}ok`, 'ok'],
    ['OSC 8 hyperlink with BEL', `${ESC}]8;;https://evil.example${BEL}click${ESC}]8;;${BEL}`, 'click'],
    ['OSC 8 hyperlink with ST', `${ESC}]8;;https://evil.example${ST}click${ESC}]8;;${ST}`, 'click'],
    ['OSC 52 clipboard write with BEL', `x${ESC}]52;c;cm0gLXJmIH4K${BEL}y`, 'xy'],
    ['OSC 52 clipboard write with ST', `x${ESC}]52;c;cm0gLXJmIH4K${ST}y`, 'xy'],
    ['OSC ended by 8-bit ST', `x${ESC}]0;t\x9cy`, 'xy'],
    ['OSC cut short by another sequence', `${ESC}]0;t${ESC}[31mred`, 'red'],
    ['unterminated OSC swallows the rest', `ok${ESC}]52;c;AAAA`, 'ok'],
    ['DCS string', `a${ESC}Pq#0;2;0;0;0${ST}b`, 'ab'],
    ['SOS string', `a${ESC}Xhidden${ST}b`, 'ab'],
    ['PM string', `a${ESC}^hidden${ST}b`, 'ab'],
    ['APC string', `a${ESC}_hidden${ST}b`, 'ab'],
    ['8-bit CSI \\x9b', `a\x9b2Jb`, 'ab'],
    ['8-bit OSC \\x9d with BEL', `a\x9d0;title${BEL}b`, 'ab'],
    ['8-bit OSC \\x9d with 8-bit ST', `a\x9d8;;https://x\x9cb`, 'ab'],
    ['8-bit DCS \\x90', `a\x90data\x9cb`, 'ab'],
    ['other C1 (NEL \\x85, RI \\x8d)', `a\x85b\x8dc`, 'abc'],
    ['lone ESC at the end', `abc${ESC}`, 'abc'],
    ['lone ESC before a control', `a${ESC}\x01b`, 'ab'],
    ['two-byte escapes: save/restore cursor, reverse index, reset', `a${ESC}7b${ESC}8c${ESC}Md${ESC}ce`, 'abcde'],
    ['charset designation ESC ( 0', `${ESC}(0lqqk${ESC}(B`, 'lqqk'],
    ['CSI cancelled by CAN', `${ESC}[31\x18x`, 'x'],
    ['carriage return cannot overwrite the line', 'safe\rEVIL', 'safeEVIL'],
    ['CRLF becomes LF', 'one\r\ntwo', 'one\ntwo'],
    ['backspace, bell, form feed, vertical tab, NUL', 'a\bb\x07c\fd\ve\x00f', 'abcdef'],
    ['DEL', 'a\x7fb', 'ab'],
    ['bidi overrides RLO/LRO/PDF', 'file\u202Etxt.exe\u202C\u202D', 'filetxt.exe'],
    ['bidi embeddings LRE/RLE', '\u202Aa\u202Bb', 'ab'],
    ['bidi isolates LRI/RLI/FSI/PDI', '\u2066a\u2067b\u2068c\u2069', 'abc'],
    ['bidi marks LRM/RLM/ALM', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
  ]
  for (const [name, input, expected] of cases) {
    it(`strips ${name}`, () => {
      const out = sanitizeForTerminal(input)
      expect(out).to.equal(expected)
      expect(out).not.to.match(UNSAFE)
    })
  }

  it('keeps newlines and tabs', () => {
    expect(sanitizeForTerminal('a\tb\nc')).to.equal('a\tb\nc')
  })

  it('keeps plain unicode: accents, CJK, emoji (with ZWJ and skin tone), RTL letters', () => {
    const text = 'café 東京 한국어 👩‍💻 👍🏽 שלום مرحبا ∑ — “quotes”'
    expect(sanitizeForTerminal(text)).to.equal(text)
  })

  it('returns the very same string when there is nothing to strip', () => {
    const text = 'x'.repeat(1000)
    expect(sanitizeForTerminal(text)).to.equal(text)
  })

  it('leaves nothing unsafe in any mix of controls and text (exhaustive over pairs)', () => {
    const pieces = ['a', 'é', '東', ESC, '[', ']', 'P', '\\', '\x07', '\x9b', '\x9c', '\x9d', '\r', '\n', '\u202e', '0', ';', '?', 'm', '\x18']
    for (const p of pieces) {
      for (const q of pieces) {
        for (const r of pieces) {
          const out = sanitizeForTerminal(p + q + r + 'z')
          expect(out, JSON.stringify(p + q + r)).not.to.match(UNSAFE)
        }
      }
    }
  })

  it('handles long runs of cut-short sequences (one pass, nothing left over)', () => {
    // ESC[ ESC[ ... ESC] ESC] ... end: each ESC cuts the previous sequence; the last OSC is unterminated.
    const hostile = `${ESC}[`.repeat(50_000) + `${ESC}]`.repeat(50_000) + 'end'
    expect(sanitizeForTerminal(hostile)).to.equal('')
    expect(sanitizeForTerminal(`${ESC}[`.repeat(50_000) + '東京')).to.equal('東京')
  })
})

describe('sanitizeOneLine', () => {
  it('turns newlines, CRLF and tabs into spaces', () => {
    expect(sanitizeOneLine('a\nb\r\nc\td')).to.equal('a b c d')
  })

  it('strips what sanitizeForTerminal strips', () => {
    expect(sanitizeOneLine(`x${ESC}]8;;https://e${ST}y${ESC}[2J\u202Ez\rw`)).to.equal('xyzw')
  })

  it('keeps CJK and emoji', () => {
    expect(sanitizeOneLine('東京 👍')).to.equal('東京 👍')
  })
})
