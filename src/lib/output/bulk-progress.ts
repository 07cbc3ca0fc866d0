// A bulk run at a terminal: the progress line on stderr (rows done / total, rate, ETA), and Ctrl-C that stops new rows.
import type {Clock} from '../clock.js'
import type {IO} from '../io/io.js'
import type {BulkProgress} from '../platform/bulk-run.js'

const CLEAR_LINE = '\r\x1b[2K'

const duration = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000))
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`
}

/** The progress line: rows done of the total, the rate so far and the time left at that rate. */
function progressLine(verb: string, p: BulkProgress, now: number): string {
  const elapsed = Math.max(1, now - p.startedAt)
  const rate = (p.done * 1000) / elapsed
  const eta = rate > 0 ? duration(((p.total - p.done) / rate) * 1000) : '…'
  return `${verb}: ${p.done}/${p.total} rows · ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} rows/s · ETA ${eta}`
}

export interface BulkReporter {
  onProgress(p: BulkProgress): void
  /** Clears the line (at a terminal); prints nothing else. */
  stop(): void
}

/** Progress on stderr once a run lasts half a second, redrawn at most every 100 ms, only when stderr is a terminal; silent otherwise. */
export function bulkReporter(io: Pick<IO, 'stderr' | 'stderrIsTTY'>, clock: Pick<Clock, 'now'>, verb: string): BulkReporter {
  let shown = false
  let last = 0
  return {
    onProgress(p) {
      if (!io.stderrIsTTY) return
      const now = clock.now()
      // A run over in half a second needs no progress line (and does not flicker one).
      if (now - p.startedAt < 500 || (shown && p.done < p.total && now - last < 100)) return
      last = now
      shown = true
      io.stderr.write(`${CLEAR_LINE}${progressLine(verb, p, now)}`)
    },
    stop() {
      if (shown) io.stderr.write(CLEAR_LINE)
      shown = false
    },
  }
}

export interface BulkInterrupt {
  signal: AbortSignal
  dispose(): void
}

/**
 * Ctrl-C (SIGINT) or SIGTERM once: no new row starts, the ones in flight finish, and the command reports what was done.
 * A second one abandons the rows in flight at once (exit 130); the platform finishes or drops each, and each row is
 * safe to send again (its Idempotency-Key), so a re-run completes the rest.
 */
export function bulkInterrupt(io: Pick<IO, 'stderr'>, onAbandon: () => void = () => process.exit(130)): BulkInterrupt {
  const controller = new AbortController()
  const onSignal = () => {
    if (!controller.signal.aborted) {
      controller.abort()
      io.stderr.write(`${CLEAR_LINE}Stopping: no new rows; waiting for the ones in flight (Ctrl-C again to abandon them).\n`)
      return
    }
    io.stderr.write('Abandoned the rows in flight; run the same command again to complete the rest.\n')
    onAbandon()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
