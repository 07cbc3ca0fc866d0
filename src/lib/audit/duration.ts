// Durations and time bounds of the audit flags: "90s", "10m", "1h", "2d", "200ms", or an ISO 8601 date-time.
import {UsageError} from '../errors/index.js'

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** Milliseconds of a duration like "15s" or "200ms"; undefined when the text is not one. */
function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim())
  return m ? Number(m[1]) * UNITS[m[2]] : undefined
}

export function durationFlag(flag: string, text: string): number {
  const ms = parseDuration(text)
  if (ms === undefined || ms <= 0)
    throw new UsageError('INVALID_DURATION', `--${flag} "${text}" is not a duration.`, {
      nextStep: `Give a duration such as 200ms, 15s, 10m, 1h or 2d: --${flag} 15s`,
    })
  return ms
}

/** A time bound: a duration counts back from now ("1h" = an hour ago), otherwise an ISO 8601 date-time. */
export function parseTimeBound(flag: string, text: string, now: number): string {
  const ms = parseDuration(text)
  if (ms !== undefined) return new Date(now - ms).toISOString()
  const t = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(t))
    throw new UsageError('INVALID_TIME', `--${flag} "${text}" is neither a duration nor an ISO 8601 date-time.`, {
      nextStep: `For example: --${flag} 1h   or   --${flag} 2026-01-31T12:00:00Z`,
    })
  return new Date(t).toISOString()
}
