// Stopping the platform with audit followers connected: streams end at once, not after the grace period.
import {expect} from 'chai'

import {InFlight} from '../../src/sandbox/in-flight.js'
import {startLocalPlatform, type LocalPlatform} from '../helpers/local-platform.js'

// Longer than any test may run (and the largest delay a timer takes): close() can only settle because the
// streams ended on their own, never because the grace period ran out and connections were cut.
const GRACE_MS = 2 ** 31 - 1

describe('platform shutdown', function () {
  let local: LocalPlatform
  let followers: Array<ReadableStreamDefaultReader<Uint8Array>> = []

  before(async () => {
    local = await startLocalPlatform({rateLimit: {rps: 1000, burst: 1000}})
  })
  after(async () => {
    // Should a stream never end, the test times out, and hanging up here lets close() settle.
    await Promise.all(followers.map((reader) => reader.cancel()))
    await local?.close(100)
  })

  it('ends open SSE and NDJSON audit streams cleanly and closes without waiting for the grace period', async () => {
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
    followers = [await follow('text/event-stream'), await follow('application/x-ndjson')]

    const closed = local.close(GRACE_MS)
    // Each follower reads to a clean end of stream (no reset): what was sent arrives, then done.
    for (const reader of followers) {
      let done = false
      while (!done) done = (await reader.read()).done
    }
    await closed
  })
})

describe('in-flight work', () => {
  it('settles only after every tracked promise, including ones tracked while waiting', async () => {
    const work = new InFlight()
    const order: string[] = []
    let finishFirst!: () => void
    work.track(
      new Promise<void>((resolve) => (finishFirst = resolve)).then(() => {
        order.push('first')
        work.track(Promise.resolve().then(() => order.push('second')))
      }),
    )
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
