// Makes platform text inert before it reaches a terminal: no control characters, escape sequences or bidi controls survive.
//
// One pass over UTF-16 code units. Whole escape sequences are dropped (not just their ESC), so that their
// payload (an OSC 52 clipboard blob, an OSC 8 link target) does not leak into the output as noise. Whatever
// the parse decides, the output never contains C0 (except \n and \t), DEL, C1 or a bidi control.

const ESC = 0x1b
const BEL = 0x07
const CAN = 0x18
const SUB = 0x1a
const ST8 = 0x9c // 8-bit String Terminator

/** Bidi embedding, override and isolate controls, and the implicit marks (LRM, RLM, ALM). */
function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f || c === 0x061c
}

/** Index just past a CSI's parameters, intermediates and final byte; `i` is the first byte after the introducer. */
function skipCsi(text: string, i: number): number {
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c >= 0x40 && c <= 0x7e) return i + 1 // final byte
    if (c >= 0x20 && c <= 0x3f) {
      i++ // parameter (0x30–0x3f, incl. private "?" "<" "=" ">") or intermediate (0x20–0x2f)
      continue
    }
    // Anything else cancels the sequence (CAN/SUB are swallowed, as terminals do); the rest is ordinary text.
    return c === CAN || c === SUB ? i + 1 : i
  }
  return n
}

/** Index just past a control string (OSC, DCS, SOS, PM, APC) ended by ST (ESC \ or 0x9c), BEL, CAN or SUB. */
function skipString(text: string, i: number): number {
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === BEL || c === ST8 || c === CAN || c === SUB) return i + 1
    // ESC \ is ST; any other ESC ends the string and starts a sequence of its own.
    if (c === ESC) return i + 1 < n && text.charCodeAt(i + 1) === 0x5c ? i + 2 : i
    i++
  }
  // Unterminated: a terminal would swallow the rest too.
  return n
}

/** Index just past the escape sequence that starts with ESC at `i`. */
function skipEscape(text: string, i: number): number {
  const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1
  switch (next) {
    case 0x5b: // [  CSI
      return skipCsi(text, i + 2)
    case 0x5d: // ]  OSC
    case 0x50: // P  DCS
    case 0x58: // X  SOS
    case 0x5e: // ^  PM
    case 0x5f: // _  APC
      return skipString(text, i + 2)
    default:
      break
  }
  if (next >= 0x20 && next <= 0x2f) {
    // nF: intermediates then one final byte (charset designations such as ESC ( 0).
    let j = i + 1
    while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++
    const c = j < text.length ? text.charCodeAt(j) : -1
    return c >= 0x30 && c <= 0x7e ? j + 1 : j
  }
  // Fp, Fe, Fs: ESC and one byte (ESC 7, ESC M, ESC c, ESC \ ...). Anything else: a lone ESC.
  return next >= 0x30 && next <= 0x7e ? i + 2 : i + 1
}

function sanitize(text: string, oneLine: boolean): string {
  let out = ''
  let start = 0 // start of the pending run of clean text
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    // Fast path for the common case: printable ASCII and everything above C1 that is not a bidi control.
    if ((c >= 0x20 && c < 0x7f) || (c > 0x9f && !(c >= 0x061c && isBidiControl(c)))) {
      i++
      continue
    }
    if (!oneLine && (c === 0x0a || c === 0x09)) {
      i++
      continue
    }
    out += text.slice(start, i)
    let next: number
    let replacement = ''
    if (c === ESC) next = skipEscape(text, i)
    else if (c === 0x9b) next = skipCsi(text, i + 1)
    else if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) next = skipString(text, i + 1)
    else if (c === 0x0d) {
      // \r\n is a line end; a lone \r (which would let text overwrite its own line) is dropped.
      const crlf = i + 1 < n && text.charCodeAt(i + 1) === 0x0a
      next = crlf ? i + 2 : i + 1
      if (crlf) replacement = oneLine ? ' ' : '\n'
    } else {
      next = i + 1
      if (oneLine && (c === 0x0a || c === 0x09)) replacement = ' '
    }
    out += replacement
    i = next
    start = next
  }
  return start === 0 ? text : out + text.slice(start)
}

/** Text for a terminal: keeps \n and \t, strips every other control, escape sequence and bidi control. */
export function sanitizeForTerminal(text: string): string {
  return sanitize(text, false)
}

/** Like sanitizeForTerminal, and also turns line breaks and tabs into spaces: for table cells and one-line fields. */
export function sanitizeOneLine(text: string): string {
  return sanitize(text, true)
}
