// Retries with exponential backoff and full jitter for idempotent requests; Retry-After honoured; exit 9 past the cap.
import type {Clock} from '../clock.js'
import {PpctlError, ThrottledError} from '../errors/index.js'
import type {DebugLog} from '../io/debug-log.js'
import {isNetworkFailure} from './network-error.js'
import type {HttpRequestInit} from './types.js'
import {headersOf} from './web-fetch.js'

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** A Retry-After longer than this is not waited for: the command fails with exit 9 saying how long. */
  maxRetryAfterMs: number
  random: () => number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  random: Math.random,
}

const RETRY_STATUS = new Set([429, 502, 503, 504])
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

/** Safe to send twice: an idempotent method, or a POST/PATCH that carries an Idempotency-Key. */
export function isRetryable(init: HttpRequestInit): boolean {
  const method = (init.method ?? 'GET').toUpperCase()
  return IDEMPOTENT.has(method) || headersOf(init.headers).has('idempotency-key')
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  return Math.round(policy.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt))
}

const seconds = (ms: number) => Math.ceil(ms / 1000)

/**
 * One backoff for every request of a run to a host: when one request hears 429 (or a Retry-After), the others wait
 * too instead of each hammering the platform until it says so to them. Epoch ms before which no request is sent.
 */
export type ThrottleGates = Map<string, number>

export type FetchFn = (input: string | URL, init?: HttpRequestInit) => Promise<Response>

/** fetch with retries. Non-retryable requests are sent once; the last failure decides the error. */
export async function fetchWithRetry(
  fetch: FetchFn,
  clock: Clock,
  input: string | URL,
  init: HttpRequestInit = {},
  options: {policy?: Partial<RetryPolicy>; debug?: DebugLog; gates?: ThrottleGates} = {},
): Promise<Response> {
  const policy = {...DEFAULT_RETRY_POLICY, ...options.policy}
  const retryable = isRetryable(init)
  const host = new URL(String(input)).host
  const {gates} = options
  for (let attempt = 0; ; attempt++) {
    const last = attempt + 1 >= policy.maxAttempts
    for (let wait = (gates?.get(host) ?? 0) - clock.now(); wait > 0; wait = (gates?.get(host) ?? 0) - clock.now()) {
      options.debug?.log(`HTTP ⏸ ${(init.method ?? 'GET').toUpperCase()} ${host} waits ${wait} ms: the host asked this run to slow down`)
      await clock.sleep(wait, init.signal ?? undefined)
    }
    let response: Response
    try {
      response = await fetch(input, init)
    } catch (err) {
      if (!retryable || last || !(err instanceof PpctlError) || !isNetworkFailure(err)) throw err
      const wait = backoffDelay(attempt, policy)
      options.debug?.log(
        `HTTP ⟳ retry ${attempt + 1}/${policy.maxAttempts - 1} of ${(init.method ?? 'GET').toUpperCase()} ${host} after ${err.code}: waiting ${wait} ms (backoff)`,
      )
      await clock.sleep(wait, init.signal ?? undefined)
      continue
    }
    if (!RETRY_STATUS.has(response.status) || !retryable) return response
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), clock.now())
    const correlationId = response.headers.get('x-correlation-id') ?? undefined
    if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
      await response.body?.cancel()
      throw new ThrottledError('RETRY_AFTER_TOO_LONG', `${host} asked to wait ${seconds(retryAfter)} s before trying again (HTTP ${response.status}).`, {
        nextStep: `Wait ${seconds(retryAfter)} s and run the command again.`,
        correlationId,
      })
    }
    if (last) {
      await response.body?.cancel()
      const waited = retryAfter === undefined ? '' : `; it last asked to wait ${seconds(retryAfter)} s`
      throw new ThrottledError(
        response.status === 429 ? 'THROTTLED' : 'PLATFORM_UNAVAILABLE',
        `${host} answered HTTP ${response.status} to ${policy.maxAttempts} attempts${waited}.`,
        {nextStep: retryAfter === undefined ? 'Try again in a minute.' : `Wait ${seconds(retryAfter)} s and run the command again.`, correlationId},
      )
    }
    await response.body?.cancel()
    const wait = retryAfter ?? backoffDelay(attempt, policy)
    const why = retryAfter === undefined ? 'backoff' : `Retry-After ${seconds(retryAfter)} s`
    options.debug?.log(
      `HTTP ⟳ retry ${attempt + 1}/${policy.maxAttempts - 1} of ${(init.method ?? 'GET').toUpperCase()} ${host} after HTTP ${response.status}: waiting ${wait} ms (${why})`,
    )
    // Throttled: the wait is the whole run's (the gate above), not this request's alone.
    if (gates && (response.status === 429 || retryAfter !== undefined)) gates.set(host, Math.max(gates.get(host) ?? 0, clock.now() + wait))
    else await clock.sleep(wait, init.signal ?? undefined)
  }
}
