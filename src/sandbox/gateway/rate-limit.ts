// A token bucket per caller: the gateway answers 429 with Retry-After past the limit.
export interface RateLimit {
  /** Requests per second refilled. */
  rps: number
  /** Bucket size. */
  burst: number
}

export interface RateDecision {
  allowed: boolean
  retryAfterSeconds: number
}

export const RATE_LIMIT_ENV = 'PPCTL_SANDBOX_RATE_LIMIT'

/** A setting the platform cannot start with; its message is the whole story (no stack trace needed). */
export class InvalidSetting extends Error {
  readonly code = 'INVALID_SETTING'
}

/**
 * `rps:burst` (e.g. `50:100`, `0.001:5`) from PPCTL_SANDBOX_RATE_LIMIT; undefined when unset. rps must be above 0
 * (Retry-After is 1/rps at most) and burst a whole number of at least 1.
 */
export function parseRateLimit(value: string | undefined): RateLimit | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+):(\d+)\s*$/.exec(value)
  const rps = match ? Number(match[1]) : Number.NaN
  const burst = match ? Number(match[2]) : Number.NaN
  if (!match || !(rps > 0) || !Number.isSafeInteger(burst) || burst < 1) {
    throw new InvalidSetting(
      `${RATE_LIMIT_ENV} must be "rps:burst" with rps above 0 and burst a whole number of at least 1 (e.g. 50:100), not "${value.slice(0, 40)}"`,
    )
  }
  return {rps, burst}
}

export function createRateLimiter(limit: RateLimit, now: () => number = Date.now): (key: string) => RateDecision {
  const buckets = new Map<string, {tokens: number; at: number}>()
  return (key) => {
    const t = now()
    const bucket = buckets.get(key) ?? {tokens: limit.burst, at: t}
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((t - bucket.at) / 1000) * limit.rps)
    bucket.at = t
    buckets.set(key, bucket)
    if (buckets.size > 10_000) buckets.delete(buckets.keys().next().value as string)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return {allowed: true, retryAfterSeconds: 0}
    }
    return {allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.rps))}
  }
}
