// The HTTP timeouts: defaults, then PPCTL_HTTP_*TIMEOUT_MS from the environment, then what the caller gives.
import type {HttpTimeouts} from './types.js'

const DEFAULT_TIMEOUTS: Required<HttpTimeouts> = {connect: 10_000, headers: 30_000, body: 30_000}

function ms(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const n = Number(value)
  return Number.isInteger(n) && n >= 0 ? n : undefined
}

/** PPCTL_HTTP_TIMEOUT_MS sets all three; PPCTL_HTTP_{CONNECT,HEADERS,BODY}_TIMEOUT_MS set one each (and win). */
function timeoutsFromEnv(env: NodeJS.ProcessEnv): HttpTimeouts {
  const all = ms(env.PPCTL_HTTP_TIMEOUT_MS)
  const out: HttpTimeouts = {}
  const connect = ms(env.PPCTL_HTTP_CONNECT_TIMEOUT_MS) ?? all
  const headers = ms(env.PPCTL_HTTP_HEADERS_TIMEOUT_MS) ?? all
  const body = ms(env.PPCTL_HTTP_BODY_TIMEOUT_MS) ?? all
  if (connect !== undefined) out.connect = connect
  if (headers !== undefined) out.headers = headers
  if (body !== undefined) out.body = body
  return out
}

export function effectiveTimeouts(env: NodeJS.ProcessEnv, given: HttpTimeouts = {}): Required<HttpTimeouts> {
  const defined = (t: HttpTimeouts) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as HttpTimeouts
  return {...DEFAULT_TIMEOUTS, ...defined(timeoutsFromEnv(env)), ...defined(given)}
}
