// Human output is made by renderers only: they sanitize every value they are given, and mark what they return as Rendered.
import {sanitizeForTerminal, sanitizeOneLine} from './sanitize.js'

/**
 * Text a renderer built from sanitized values. A class, not a string, so the base command can tell it at run time
 * from a plain string (which it sanitizes as a whole) — and so a Rendered value cannot be spliced into a string
 * by accident without losing the mark.
 */
export class Rendered {
  /** Only the renderers in src/lib/output construct it (a test checks that commands never do). */
  constructor(readonly text: string) {}

  toString(): string {
    return this.text
  }
}

/** A value a renderer accepts: printed in one line, every control, escape sequence and bidi control removed. */
export type Plain = string | number | boolean | null | undefined

const plain = (value: Plain) => (value === null || value === undefined ? '' : sanitizeOneLine(String(value)))

/**
 * A line (or lines) for people: the template's own text is the program's and kept; every interpolated value is
 * sanitized to one line, so platform text can neither inject a control nor start a line of its own.
 * Rendered values are interpolated as they are (they are sanitized already).
 *   text`Deleted ${c.displayName} (${c.id}).`
 */
export function text(strings: TemplateStringsArray, ...values: Array<Plain | Rendered>): Rendered {
  let out = strings[0]
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    out += (value instanceof Rendered ? value.text : plain(value)) + strings[i + 1]
  }
  return new Rendered(out)
}

/** Several rendered parts, one per line; false, null, undefined and '' are left out (for optional lines). */
export function lines(...parts: Array<Rendered | false | null | undefined | ''>): Rendered {
  return new Rendered(
    parts
      .filter((p): p is Rendered => p instanceof Rendered)
      .map((p) => p.text)
      .join('\n'),
  )
}

/** Rendered parts joined with a separator of the program's own (a blank line, a space). */
export function joinRendered(parts: readonly Rendered[], separator: '\n' | '\n\n' | ' ' | '' = '\n'): Rendered {
  return new Rendered(parts.map((p) => p.text).join(separator))
}

/** Every line of a rendered block indented by the program's own prefix. */
export function indent(block: Rendered, prefix: '  ' | '    '): Rendered {
  return new Rendered(
    block.text
      .split('\n')
      .map((line) => prefix + line)
      .join('\n'),
  )
}

/** Platform text of several lines (a description): line breaks kept, everything else a terminal acts on removed. */
export function multiline(value: Plain): Rendered {
  return new Rendered(value === null || value === undefined ? '' : sanitizeForTerminal(String(value)))
}

/** What the base command prints: Rendered as it is; anything else sanitized as a whole first. */
export function toTerminalText(content: Rendered | string): string {
  return content instanceof Rendered ? content.text : sanitizeForTerminal(content)
}
