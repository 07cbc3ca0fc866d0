// One "network failure": the HTTP retries, the home cluster's re-resolution and the audit stream's reconnects agree on it.
import {expect} from 'chai'

import {isReconnectable} from '../../../src/lib/audit/consume.js'
import type {Clock} from '../../../src/lib/clock.js'
import {PpctlError} from '../../../src/lib/errors/index.js'
import {isNetworkFailure, toNetworkError} from '../../../src/lib/http/network-error.js'
import {fetchWithRetry} from '../../../src/lib/http/retry.js'
import {homeMayHaveMoved} from '../../../src/lib/platform/client.js'

const URL_ = new URL('https://api.example/v1/things')
const socket = (code: string) => new TypeError('fetch failed', {cause: Object.assign(new Error(`socket: ${code}`), {code})})

const NETWORK = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]
const NOT_NETWORK = ['CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER']

const clock: Clock = {now: () => 0, sleep: async () => {}}

/** Does fetchWithRetry send a GET again after this failure? */
async function retried(err: PpctlError): Promise<boolean> {
  let calls = 0
  const fetch = async () => {
    if (calls++ === 0) throw err
    return new Response('ok')
  }
  try {
    await fetchWithRetry(fetch, clock, URL_, {}, {policy: {random: () => 0}})
  } catch {
    return false
  }
  return calls === 2
}

describe('http/network-failure', () => {
  for (const [code, expected] of [...NETWORK.map((c) => [c, true] as const), ...NOT_NETWORK.map((c) => [c, false] as const)]) {
    it(`${code}: ${expected ? 'a network failure for all three' : 'not a network failure for any'}`, async () => {
      const typed = toNetworkError(socket(code), URL_)
      expect(typed, code).to.be.instanceOf(PpctlError)
      expect(isNetworkFailure(socket(code)), `raw ${code}`).to.equal(expected)
      expect(isNetworkFailure(typed), `${code} → ${typed!.code}`).to.equal(expected)
      expect(await retried(typed!), `retried ${typed!.code}`).to.equal(expected)
      expect(homeMayHaveMoved(typed), `re-resolved ${typed!.code}`).to.equal(expected)
      expect(isReconnectable(typed), `reconnected ${typed!.code}`).to.equal(expected)
    })
  }

  it("a timeout of the caller's AbortSignal.timeout is a network failure; an abort by the caller is not", () => {
    expect(isNetworkFailure(Object.assign(new Error('timed out'), {name: 'TimeoutError'}))).to.equal(true)
    expect(isNetworkFailure(Object.assign(new Error('aborted'), {name: 'AbortError'}))).to.equal(false)
  })
})
