// `ppctl audit watch`: the live stream through the detectors; alerts to stdout, optionally to a command.
import type {Context} from '../context.js'
import {ExitCode, PpctlError} from '../errors/index.js'
import {safeJsonStringify} from '../output/json.js'
import {text} from '../output/render.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import type {AuditFilters} from './consume.js'
import {createDetectors, type DetectorSettings} from './detectors/detectors.js'
import type {Alert, WatchedEvent} from './detectors/types.js'
import {execAlert, expandPlaceholders} from './exec-alert.js'
import {streamAudit} from './stream-audit.js'
import {writeFlushed} from './write-flushed.js'

/** Exit code of `audit watch --exit-on-alert` when an alert fired (documented in the command help and README). */
export const ALERT_EXIT_CODE = ExitCode.ALERT

class AlertRaisedError extends PpctlError {
  constructor(alert: Alert) {
    super('ALERT', `Alert ${alert.detector}: ${sanitizeOneLine(alert.summary)}.`, {
      nextStep: `Look at the events: ppctl audit stream --after ${Math.min(...alert.seqs) - 1} --output table`,
    })
  }
}

export interface WatchOptions {
  follow: boolean
  filters: AuditFilters
  after?: number
  output: 'ndjson' | 'table'
  settings: DetectorSettings
  only?: string[]
  exec?: string[]
  exitOnAlert: boolean
  heartbeatMs?: number
  reconnectLimitMs: number
  stopAt?: number
  signal: AbortSignal
}

export interface WatchResult {
  events: number
  alerts: number
  lastSeq?: number
  interrupted: boolean
  /** The reader of stdout went away (`| head`): exit 141, quietly. */
  outputClosed?: boolean
}

function renderAlert(alert: Alert, output: 'ndjson' | 'table'): string {
  if (output === 'ndjson') return safeJsonStringify(alert) + '\n'
  return `${alert.time}  ${alert.detector.padEnd(24)}  ${sanitizeOneLine(alert.summary)}  (seq ${alert.seqs.join(', ')})\n`
}

export async function watchAudit(ctx: Context, options: WatchOptions): Promise<WatchResult> {
  const detectors = createDetectors(options.settings, options.only)
  let alerts = 0
  let stop: Alert | undefined
  const inner = new AbortController()
  const abort = () => inner.abort()
  options.signal.addEventListener('abort', abort)
  try {
    const result = await streamAudit(ctx, {
      follow: options.follow,
      filters: options.filters,
      after: options.after,
      output: 'ndjson',
      print: false,
      heartbeatMs: options.heartbeatMs,
      reconnectLimitMs: options.reconnectLimitMs,
      stopAt: options.stopAt,
      signal: inner.signal,
      onBatch: async (frames) => {
        for (const frame of frames) {
          if (stop) return
          const event = frame.event as unknown as WatchedEvent
          for (const d of detectors) {
            for (const alert of d.observe(event)) {
              alerts++
              await writeFlushed(ctx.io.stdout, renderAlert(alert, options.output))
              if (options.exec) {
                const command = expandPlaceholders(options.exec, alert, event)
                if ('skipped' in command) {
                  ctx.reporter.warn(text`audit watch: --exec ${options.exec[0]} not run for this alert: ${command.skipped}`)
                } else {
                  const r = await execAlert(command.argv, JSON.stringify(alert), ctx.io.stderr, ctx.env)
                  if (r.code !== 0)
                    ctx.reporter.warn(
                      text`audit watch: --exec ${options.exec[0]} ${r.error ? text`failed to start (${r.error})` : text`exited with ${r.code}`}`,
                    )
                }
              }
              if (options.exitOnAlert && !stop) {
                stop = alert
                inner.abort()
              }
            }
          }
        }
      },
    })
    if (stop) throw new AlertRaisedError(stop)
    return {
      events: result.events,
      alerts,
      lastSeq: result.deliveredSeq ?? result.lastSeq,
      interrupted: options.signal.aborted,
      ...(result.outputClosed ? {outputClosed: true} : {}),
    }
  } finally {
    options.signal.removeEventListener('abort', abort)
  }
}
