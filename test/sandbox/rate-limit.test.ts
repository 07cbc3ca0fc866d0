// The gateway's token bucket with an injected clock: the exact burst, Retry-After and refill; the rate-limit setting.
import {expect} from 'chai'

import {createRateLimiter, InvalidSetting, parseRateLimit} from '../../src/sandbox/gateway/rate-limit.js'
import {drillOptions} from '../../src/sandbox/daemon.js'

describe('gateway rate limiter (injected clock)', () => {
  let clock: number
  const now = () => clock
  beforeEach(() => {
    clock = 1_000_000
  })

  it('allows exactly the burst, then refuses with Retry-After for one token at the refill rate', () => {
    const allow = createRateLimiter({rps: 0.5, burst: 3}, now)
    expect([allow('a'), allow('a'), allow('a')].map((d) => d.allowed)).to.deep.equal([true, true, true])
    expect(allow('a')).to.deep.equal({allowed: false, retryAfterSeconds: 2})
    // A refusal takes nothing from the bucket: the next one says the same.
    expect(allow('a')).to.deep.equal({allowed: false, retryAfterSeconds: 2})
  })

  it('refills as time passes, never above the burst', () => {
    const allow = createRateLimiter({rps: 0.5, burst: 3}, now)
    for (let i = 0; i < 3; i++) allow('a')
    clock += 1000 // half a token
    expect(allow('a')).to.deep.equal({allowed: false, retryAfterSeconds: 1})
    clock += 1000 // one token
    expect(allow('a')).to.deep.equal({allowed: true, retryAfterSeconds: 0})
    expect(allow('a').allowed).to.equal(false)
    clock += 3_600_000 // an hour: the bucket is full again, with the burst and no more
    const after = Array.from({length: 4}, () => allow('a').allowed)
    expect(after).to.deep.equal([true, true, true, false])
  })

  it('keeps one bucket per key', () => {
    const allow = createRateLimiter({rps: 1, burst: 1}, now)
    expect(allow('a').allowed).to.equal(true)
    expect(allow('a')).to.deep.equal({allowed: false, retryAfterSeconds: 1})
    expect(allow('b').allowed).to.equal(true)
  })

  it('with a tiny refill rate, Retry-After is 1/rps', () => {
    const allow = createRateLimiter({rps: 0.001, burst: 2}, now)
    allow('a')
    allow('a')
    expect(allow('a')).to.deep.equal({allowed: false, retryAfterSeconds: 1000})
  })
})

describe('PPCTL_SANDBOX_RATE_LIMIT', () => {
  it('reads rps:burst', () => {
    expect(parseRateLimit('50:100')).to.deep.equal({rps: 50, burst: 100})
    expect(parseRateLimit('0.001:5')).to.deep.equal({rps: 0.001, burst: 5})
    expect(parseRateLimit(undefined)).to.equal(undefined)
    expect(parseRateLimit('')).to.equal(undefined)
    expect(drillOptions({PPCTL_SANDBOX_RATE_LIMIT: '2:7'}).rateLimit).to.deep.equal({rps: 2, burst: 7})
    expect(drillOptions({}).rateLimit).to.equal(undefined)
  })

  it('refuses a value it cannot use, naming the variable and the form', () => {
    for (const bad of ['50', '0:5', '5:0', '-1:5', '1:2.5', 'fast:10', '1:5:7']) {
      expect(() => parseRateLimit(bad), bad).to.throw(InvalidSetting, /PPCTL_SANDBOX_RATE_LIMIT must be "rps:burst"/)
    }
  })
})
