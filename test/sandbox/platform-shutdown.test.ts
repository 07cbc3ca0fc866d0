// Stopping the platform with audit followers connected: streams end at once, not after the grace period.
import {expect} from 'chai'
import {performance} from 'node:perf_hooks'

import {InFlight} from '../../src/sandbox/in-flight.js'
import {startLocalPlatform, type LocalPlatform} from '../helpers/local-platform.js'

const GRACE_MS = 20_000

describe('platform shutdown', function () {
  let local: LocalPlatform

  before(async () => {
    local = await startLocalPlatform({rateLimit: {rps: 1000, burst: 1000}})
  })
  after(() => local?.close(100))

  it('ends open SSE and NDJSON audit streams cleanly and closes well within the grace period', async () => {
    const token = await local.signIn('admin@contoso.example')
    const url = `https://eastus-1.clusters.sandbox.localhost:${local.platform.port}/v1/audit/stream`
    const follow = async (accept: string) => {
      const res = await local.client.fetch(url, {headers: {authorization: `Bearer ${token}`, accept}})
      expect(res.status).to.equal(200)
      const reader = res.body!.getReader()
      const first = await reader.read()
      expect(first.done).to.equal(false)
      return reader
    }
    const followers = [await follow('text/event-stream'), await follow('application/x-ndjson')]

    const started = performance.now()
    await local.close(GRACE_MS)
    const elapsed = performance.now() - started

    expect(elapsed, `close took ${Math.round(elapsed)} ms of a ${GRACE_MS} ms grace period`).to.be.lessThan(GRACE_MS / 10)
    // Each follower reads to a clean end of stream (no reset): what was sent arrives, then done.
    for (const reader of followers) {
      let done = false
      while (!done) done = (await reader.read()).done
    }
  })
})

describe('in-flight work', () => {
  it('settles only after every tracked promise, including ones tracked while waiting', async () => {
    const work = new InFlight()
    const order: string[] = []
    let finishFirst!: () => void
    work.track(new Promise<void>((resolve) => (finishFirst = resolve)).then(() => {
      order.push('first')
      work.track(Promise.resolve().then(() => order.push('second')))
    }))
    work.track(undefined)
    const settled = work.settled().then(() => order.push('settled'))
    finishFirst()
    await settled
    expect(order).to.deep.equal(['first', 'second', 'settled'])
  })

  it('waits for rejected work too', async () => {
    const work = new InFlight()
    const failing = Promise.reject(new Error('boom'))
    work.track(failing)
    await work.settled()
    await failing.catch((err: Error) => expect(err.message).to.equal('boom'))
  })
})
