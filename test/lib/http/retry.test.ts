// Retries: which requests, which answers, how long between (injected clock), and exit 9 past the cap.
import {expect} from 'chai'

import type {Clock} from '../../../src/lib/clock.js'
import {ExitCode, UnreachableError} from '../../../src/lib/errors/index.js'
import {backoffDelay, DEFAULT_RETRY_POLICY, fetchWithRetry, isRetryable, parseRetryAfter} from '../../../src/lib/http/retry.js'

function fakeClock(start = Date.parse('2026-11-27T10:00:00Z')): Clock & {waits: number[]} {
  let now = start
  const waits: number[] = []
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms)
      now += ms
    },
  }
}

type Answer = Response | Error
function scripted(answers: Answer[]) {
  const calls: string[] = []
  const fetch = async (input: string | URL, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${String(input)}`)
    const next = answers.shift()
    if (!next) throw new Error('no more answers')
    if (next instanceof Error) throw next
    return next
  }
  return {fetch, calls}
}

const answer = (status: number, headers: Record<string, string> = {}) => new Response(status === 204 ? null : 'x', {status, headers})
const refused = () => new UnreachableError('CONNECTION_REFUSED', 'Cannot reach api.example:443: connection refused.')
const URL_ = 'https://api.example/v1/things'
const policy = {random: () => 1}

describe('http/retry', () => {
  it('knows which requests may be sent twice', () => {
    expect(isRetryable({})).to.equal(true)
    expect(isRetryable({method: 'delete'})).to.equal(true)
    expect(isRetryable({method: 'POST'})).to.equal(false)
    expect(isRetryable({method: 'POST', headers: {'Idempotency-Key': 'k1'}})).to.equal(true)
  })

  it('reads Retry-After as seconds and as an HTTP date', () => {
    const now = Date.parse('2026-11-27T10:00:00Z')
    expect(parseRetryAfter('7', now)).to.equal(7000)
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:30 GMT', now)).to.equal(30_000)
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:00 GMT', now)).to.equal(0)
    expect(parseRetryAfter('soon', now)).to.equal(undefined)
    expect(parseRetryAfter(null, now)).to.equal(undefined)
  })

  it('backs off exponentially with full jitter, capped', () => {
    const p = {...DEFAULT_RETRY_POLICY, random: () => 1}
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, p))).to.deep.equal([250, 500, 1000, 2000, 4000, 8000, 8000])
    expect(backoffDelay(3, {...p, random: () => 0})).to.equal(0)
  })

  it('retries 503 and 502 then succeeds, waiting the backoff', async () => {
    const clock = fakeClock()
    const {fetch, calls} = scripted([answer(503), answer(502), answer(200)])
    const res = await fetchWithRetry(fetch, clock, URL_, {}, {policy})
    expect(res.status).to.equal(200)
    expect(calls).to.have.length(3)
    expect(clock.waits).to.deep.equal([250, 500])
  })

  it('waits at least Retry-After on 429, in seconds and as a date', async () => {
    const clock = fakeClock()
    const date = new Date(clock.now() + 12_000).toUTCString()
    const {fetch} = scripted([answer(429, {'retry-after': '3'}), answer(429, {'retry-after': date}), answer(200)])
    await fetchWithRetry(fetch, clock, URL_, {}, {policy})
    // The date is 12 s after the start; 3 s have passed by the second answer.
    expect(clock.waits).to.deep.equal([3000, 9000])
  })

  it('retries connection errors for idempotent requests only', async () => {
    const clock = fakeClock()
    const ok = scripted([refused(), answer(200)])
    expect((await fetchWithRetry(ok.fetch, clock, URL_, {}, {policy})).status).to.equal(200)
    const post = scripted([refused(), answer(200)])
    try {
      await fetchWithRetry(post.fetch, clock, URL_, {method: 'POST'}, {policy})
      expect.fail('a POST without Idempotency-Key was retried')
    } catch (err) {
      expect((err as UnreachableError).exitCode).to.equal(ExitCode.UNREACHABLE)
      expect(post.calls).to.have.length(1)
    }
  })

  it('retries a POST that carries an Idempotency-Key', async () => {
    const {fetch, calls} = scripted([answer(503), answer(201)])
    const res = await fetchWithRetry(fetch, fakeClock(), URL_, {method: 'POST', headers: {'idempotency-key': 'a'}}, {policy})
    expect(res.status).to.equal(201)
    expect(calls).to.have.length(2)
  })

  it('returns a 503 to a non-retryable POST at once', async () => {
    const {fetch, calls} = scripted([answer(503)])
    expect((await fetchWithRetry(fetch, fakeClock(), URL_, {method: 'POST'}, {policy})).status).to.equal(503)
    expect(calls).to.have.length(1)
  })

  it('does not retry other statuses', async () => {
    for (const status of [400, 401, 404, 409, 500]) {
      const {fetch, calls} = scripted([answer(status)])
      expect((await fetchWithRetry(fetch, fakeClock(), URL_, {}, {policy})).status).to.equal(status)
      expect(calls).to.have.length(1)
    }
  })

  it('fails with exit 9 after the last attempt, saying how long the platform asked to wait', async () => {
    const clock = fakeClock()
    const {fetch, calls} = scripted([429, 429, 429, 429].map((s) => answer(s, {'retry-after': '2', 'x-correlation-id': 'c-1'})))
    try {
      await fetchWithRetry(fetch, clock, URL_, {}, {policy})
      expect.fail('no error')
    } catch (err) {
      const e = err as {exitCode: number; code: string; message: string; correlationId: string}
      expect(e.exitCode).to.equal(ExitCode.THROTTLED)
      expect(e.code).to.equal('THROTTLED')
      expect(e.message).to.contain('api.example').and.contain('2 s')
      expect(e.correlationId).to.equal('c-1')
    }
    expect(calls).to.have.length(4)
    expect(clock.waits).to.deep.equal([2000, 2000, 2000])
  })

  it('does not wait for a Retry-After past the cap: exit 9 at once', async () => {
    const clock = fakeClock()
    const {fetch, calls} = scripted([answer(503, {'retry-after': '3600'})])
    try {
      await fetchWithRetry(fetch, clock, URL_, {}, {policy})
      expect.fail('no error')
    } catch (err) {
      expect((err as {exitCode: number}).exitCode).to.equal(ExitCode.THROTTLED)
      expect((err as Error).message).to.contain('3600 s')
    }
    expect(calls).to.have.length(1)
    expect(clock.waits).to.deep.equal([])
  })
})
