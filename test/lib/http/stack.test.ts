// The HTTP stack as one piece (real HTTPS servers, test CA): retries with an injected clock, timeouts naming the host,
// streams without a body timeout, and redirects that keep credentials with their origin.
import {expect} from 'chai'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {Clock} from '../../../src/lib/clock.js'
import {ExitCode, PpctlError} from '../../../src/lib/errors/index.js'
import {createHttp} from '../../../src/lib/http/client.js'
import type {Http, HttpOptions} from '../../../src/lib/http/types.js'
import {createDebugLog} from '../../../src/lib/io/debug-log.js'
import {createTestPki, fakeIO, startHttpsServer, type TestPki, type TestServer} from '../../helpers/http-fixtures.js'

function fakeClock(start = Date.parse('2026-11-27T10:00:00Z')): Clock & {waits: number[]} {
  let now = start
  const waits: number[] = []
  return {waits, now: () => now, sleep: async (ms) => void (waits.push(ms), (now += ms))}
}

async function rejection(promise: Promise<unknown>): Promise<PpctlError> {
  try {
    await promise
  } catch (err) {
    expect(err).to.be.instanceOf(PpctlError)
    return err as PpctlError
  }
  expect.fail('expected the request to fail')
}

describe('http stack: retries, timeouts, streams, redirects', () => {
  let pki: TestPki
  let a: TestServer
  let b: TestServer
  let script: Array<(res: import('node:http').ServerResponse) => void> = []
  const clients: Http[] = []
  const io = fakeIO()

  function client(overrides: Partial<HttpOptions> = {}): Http {
    const http = createHttp({env: {}, ca: pki.ca, userAgent: 'ppctl/test', debug: createDebugLog(io.io, true), ...overrides})
    clients.push(http)
    return http
  }

  before(async () => {
    pki = createTestPki(['a.test.localhost', 'b.test.localhost'])
    a = await startHttpsServer(pki, (_req, res) => {
      const next = script.shift()
      if (next) return next(res)
      res.setHeader('content-type', 'application/json')
      res.end('{"ok":true}')
    })
    b = await startHttpsServer(pki)
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((h) => h.close()))
    a.seen.length = 0
    b.seen.length = 0
    script = []
  })
  after(async () => {
    await a?.close()
    await b?.close()
  })

  const urlA = (path: string) => `https://a.test.localhost:${a.port}${path}`
  const urlB = (path: string) => `https://b.test.localhost:${b.port}${path}`
  const answer =
    (status: number, headers: Record<string, string> = {}) =>
    (res: import('node:http').ServerResponse) => {
      res.writeHead(status, headers)
      res.end()
    }

  it('retries a GET through 503s (flaky) and succeeds, waiting on the injected clock', async () => {
    const clock = fakeClock()
    script = [answer(503), answer(503)]
    const res = await client({clock, retry: {random: () => 1}}).fetch(urlA('/flaky'))
    expect(res.status).to.equal(200)
    expect(a.seen).to.have.length(3)
    expect(clock.waits).to.deep.equal([250, 500])
    expect(io.stderrText()).to.match(/HTTP ⟳ retry 1\/3 of GET a\.test\.localhost:\d+ after HTTP 503: waiting 250 ms \(backoff\)/)
  })

  it('waits at least Retry-After (seconds and HTTP date) on 429', async () => {
    const clock = fakeClock()
    script = [answer(429, {'retry-after': '3'}), answer(429, {'retry-after': new Date(clock.now() + 3000 + 5000).toUTCString()})]
    const res = await client({clock}).fetch(urlA('/throttled'))
    expect(res.status).to.equal(200)
    expect(clock.waits[0]).to.be.at.least(3000)
    expect(clock.waits[1]).to.be.at.least(5000)
  })

  it('gives up with exit 9 saying how long the platform asked to wait, past the cap', async () => {
    const clock = fakeClock()
    script = [answer(429, {'retry-after': '600'})]
    const err = await rejection(client({clock}).fetch(urlA('/throttled')))
    expect(err.exitCode).to.equal(ExitCode.THROTTLED)
    expect(err.message).to.contain('600 s')
    expect(clock.waits).to.deep.equal([])
  })

  it('does not retry a POST without an Idempotency-Key, and retries one with it', async () => {
    const clock = fakeClock()
    script = [answer(503)]
    expect((await client({clock}).fetch(urlA('/p'), {method: 'POST', body: '{}'})).status).to.equal(503)
    script = [answer(503)]
    expect((await client({clock}).fetch(urlA('/p'), {method: 'POST', body: '{}', headers: {'idempotency-key': 'k1'}})).status).to.equal(200)
    expect(a.seen.map((r) => r.method)).to.deep.equal(['POST', 'POST', 'POST'])
  })

  it('times out waiting for headers with an error naming the host (PPCTL_HTTP_TIMEOUT_MS)', async () => {
    script = [() => undefined, () => undefined, () => undefined, () => undefined]
    const err = await rejection(client({env: {PPCTL_HTTP_TIMEOUT_MS: '300'}, clock: fakeClock()}).fetch(urlA('/slow')))
    expect(err.code).to.equal('TIMEOUT')
    expect(err.exitCode).to.equal(ExitCode.UNREACHABLE)
    expect(err.message).to.contain(`a.test.localhost:${a.port}`)
  })

  it('opens a stream without a body timeout and without retries', async () => {
    script = [
      (res) => {
        res.writeHead(200, {'content-type': 'text/event-stream'})
        res.write(': first\n\n')
        setTimeout(() => res.end('data: late\n\n'), 500)
      },
    ]
    const http = client({env: {PPCTL_HTTP_TIMEOUT_MS: '200'}})
    const res = await http.stream(urlA('/stream'))
    expect(await res.text()).to.equal(': first\n\ndata: late\n\n')
    script = [answer(503)]
    expect((await http.stream(urlA('/stream'))).status, 'no retry for a stream').to.equal(503)
  })

  it('follows a redirect to another origin without Authorization, DPoP or cookies', async () => {
    script = [answer(302, {location: urlB('/landing')})]
    const res = await client().fetch(urlA('/start'), {headers: {authorization: 'Bearer secret-token', dpop: 'proof', cookie: 'c=1', 'x-keep': 'yes'}})
    expect(res.status).to.equal(200)
    expect(a.seen[0].headers.authorization).to.equal('Bearer secret-token')
    expect(b.seen).to.have.length(1)
    expect(b.seen[0].headers).to.not.have.any.keys('authorization', 'dpop', 'cookie')
    expect(b.seen[0].headers['x-keep']).to.equal('yes')
    expect(io.stderrText()).to.not.contain('secret-token')
  })

  it('keeps credentials on a same-origin redirect', async () => {
    script = [answer(307, {location: '/next'})]
    await client().fetch(urlA('/start'), {headers: {authorization: 'Bearer same-origin'}})
    expect(a.seen.map((r) => [r.url, r.headers.authorization])).to.deep.equal([
      ['/start', 'Bearer same-origin'],
      ['/next', 'Bearer same-origin'],
    ])
  })

  it('refuses a redirect from https to http, sending nothing there', async () => {
    let plainHits = 0
    const plain: Server = createServer((_req, res) => {
      plainHits++
      res.end()
    })
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
    try {
      script = [answer(301, {location: `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`})]
      const err = await rejection(client().fetch(urlA('/start'), {headers: {authorization: 'Bearer x'}}))
      expect(err.code).to.equal('REDIRECT_REFUSED')
      expect(err.exitCode).to.equal(ExitCode.UNREACHABLE)
      expect(plainHits).to.equal(0)
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()))
    }
  })
})
