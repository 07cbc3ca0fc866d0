// --debug output: to stderr only, every line passed through redaction first.
import type {IO} from './io.js'
import {redactText} from '../output/redact.js'

export interface DebugLog {
  readonly enabled: boolean
  log(message: string): void
}

export function createDebugLog(io: IO, enabled: boolean): DebugLog {
  return {
    enabled,
    log(message) {
      if (enabled) io.stderr.write(`[debug] ${redactText(message)}\n`)
    },
  }
}
