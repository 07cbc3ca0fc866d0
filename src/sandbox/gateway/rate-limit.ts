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
