// The one way lib tells people something on the side (warnings): a reporter the command layer injects, so lib never writes to a stream.
import type {IO} from '../io/io.js'
import {toTerminalText, type Rendered} from './render.js'

export interface Reporter {
  /** A warning for people: on stderr (never stdout), also under --json; only renderer output, so platform text is sanitized. */
  warn(content: Rendered): void
}

/** The reporter of a context no command injected one into (the fast path, tests): the context's stderr, as BaseCommand's note() prints. */
export function stderrReporter(io: IO): Reporter {
  return {
    warn(content) {
      io.stderr.write(toTerminalText(content) + '\n')
    },
  }
}
