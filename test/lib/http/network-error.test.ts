// Network failures become UnreachableError (exit 8) with a code and a message naming the host; real sockets and nock.
import {expect} from 'chai'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import nock from 'nock'

import {PpctlError, UnreachableError} from '../../../src/lib/errors/index.js'
import {createHttp} from '../../../src/lib/http/client.js'
import {toNetworkError} from '../../../src/lib/http/network-error.js'
import type {Http, HttpOptions} from '../../../src/lib/http/types.js'
import {createDebugLog} from '../../../src/lib/io/debug-log.js'
import {closedPort, fakeIO} from '../../helpers/http-fixtures.js'

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  expect.fail('expected the request to fail')
}

async function unreachable(promise: Promise<unknown>): Promise<UnreachableError> {
  const err = await rejection(promise)
  expect(err).to.be.instanceOf(UnreachableError)
  expect((err as PpctlError).exitCode).to.equal(8)
  return err as UnreachableError
}

const fetchFailed = (cause: unknown) => new TypeError('fetch failed', {cause})
const coded = (code: string, message = code) => Object.assign(new Error(message), {code})

describe('http/network-error', () => {
  const clients: Http[] = []
  function client(overrides: Partial<HttpOptions> = {}): Http {
    const http = createHttp({env: {}, userAgent: 'ppctl/test', debug: createDebugLog(fakeIO().io, false), retry: {maxAttempts: 1}, ...overrides})
    clients.push(http)
    return http
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((http) => http.close()))
    nock.cleanAll()
  })

  describe('real sockets', () => {
    it('connection refused → CONNECTION_REFUSED naming host and port', async () => {
      const port = await closedPort()
      const err = await unreachable(client().fetch(`http://127.0.0.1:${port}/v1/x`))
      expect(err.code).to.equal('CONNECTION_REFUSED')
      expect(err.message).to.equal(`Cannot reach 127.0.0.1:${port}: the connection was refused (ECONNREFUSED).`)
      expect(err.nextStep).to.be.a('string').and.have.length.greaterThan(0)
    })

    it('connection refused on a .localhost name names that name', async () => {
      const port = await closedPort()
      const err = await unreachable(client().fetch(`https://global.sandbox.localhost:${port}/`))
      expect(err.code).to.equal('CONNECTION_REFUSED')
      expect(err.message).to.contain(`global.sandbox.localhost:${port}`)
    })

    it('a server that never answers → TIMEOUT once the headers timeout passes', async () => {
      const server: Server = createServer(() => {
        /* never answers */
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const {port} = server.address() as AddressInfo
      try {
        const err = await unreachable(client({timeouts: {headers: 100}}).fetch(`http://127.0.0.1:${port}/`))
        expect(err.code).to.equal('TIMEOUT')
        expect(err.message).to.contain(`127.0.0.1:${port}`).and.to.contain('UND_ERR_HEADERS_TIMEOUT')
      } finally {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
    })
  })

  describe('through nock (it intercepts the globalThis.fetch the client uses)', () => {
    it('passes an HTTP error status through as a response, not an exception', async () => {
      const scope = nock('https://api.example.com').get('/v1/x').reply(503, {code: 'UNAVAILABLE'}, {'retry-after': '2'})
      const res = await client().fetch('https://api.example.com/v1/x', {retries: false})
      expect(res.status).to.equal(503)
      expect(res.headers.get('retry-after')).to.equal('2')
      expect(await res.json()).to.deep.equal({code: 'UNAVAILABLE'})
      scope.done()
    })

    it('sends user-agent and correlation id that nock can match on', async () => {
      const scope = nock('https://api.example.com', {reqheaders: {'user-agent': 'ppctl/test', 'x-correlation-id': 'abc'}})
        .get('/')
        .reply(204)
      expect((await client().fetch('https://api.example.com/', {correlationId: 'abc'})).status).to.equal(204)
      scope.done()
    })

    for (const [code, expected] of [
      ['ECONNRESET', 'CONNECTION_RESET'],
      ['ENOTFOUND', 'DNS_FAILED'],
      ['ETIMEDOUT', 'TIMEOUT'],
      ['EHOSTUNREACH', 'NETWORK_UNREACHABLE'],
      ['CERT_HAS_EXPIRED', 'TLS_VERIFY_FAILED'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS_VERIFY_FAILED'],
    ] as const) {
      it(`${code} → ${expected}`, async () => {
        nock('https://api.example.com').get('/v1/x').replyWithError(coded(code))
        const err = await unreachable(client().fetch('https://api.example.com/v1/x'))
        expect(err.code).to.equal(expected)
        expect(err.message).to.contain('api.example.com:443').and.to.contain(code)
      })
    }

    it('traces the failure under --debug', async () => {
      nock('https://api.example.com').get('/v1/x').replyWithError(coded('ECONNRESET'))
      const out = fakeIO()
      await unreachable(client({debug: createDebugLog(out.io, true)}).fetch('https://api.example.com/v1/x', {correlationId: 'c-1'}))
      expect(out.stderrText()).to.match(
        /HTTP ✗ GET https:\/\/api\.example\.com\/v1\/x \d+ ms \[correlation-id c-1\] CONNECTION_RESET: Cannot reach api\.example\.com:443/,
      )
    })
  })

  describe('aborts', () => {
    it('rethrows a caller abort unchanged', async () => {
      const err = await rejection(client().fetch('https://api.example.com/', {signal: AbortSignal.abort()}))
      expect(err).not.to.be.instanceOf(PpctlError)
      expect((err as Error).name).to.equal('AbortError')
    })

    it('turns an AbortSignal timeout into TIMEOUT', async () => {
      const signal = AbortSignal.abort(new DOMException('The operation timed out.', 'TimeoutError'))
      const err = await unreachable(client().fetch('https://api.example.com/', {signal}))
      expect(err.code).to.equal('TIMEOUT')
      expect(err.message).to.contain('api.example.com:443')
    })
  })

  describe('toNetworkError', () => {
    const url = new URL('https://cluster1.example.com/v1/x')

    it('says a host-name mismatch is a TLS verification failure, without suggesting a CA file', () => {
      const err = toNetworkError(fetchFailed(coded('ERR_TLS_CERT_ALTNAME_INVALID')), url)
      expect(err?.code).to.equal('TLS_VERIFY_FAILED')
      expect(err?.message).to.match(/TLS verification failed.*not valid for this host name/)
      expect(err?.nextStep).not.to.contain('ca-file')
    })

    it('suggests the CA file for an untrusted certificate', () => {
      const err = toNetworkError(fetchFailed(coded('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')), url)
      expect(err?.code).to.equal('TLS_VERIFY_FAILED')
      expect(err?.nextStep).to.contain('ppctl config set ca-file <pem>').and.to.contain('PPCTL_CA_FILE')
    })

    it('finds the code inside an AggregateError (happy eyeballs)', () => {
      const aggregate = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed')
      expect(toNetworkError(fetchFailed(aggregate), url)?.code).to.equal('CONNECTION_REFUSED')
    })

    it('names the proxy (without its credentials) when the request went through one', () => {
      const err = toNetworkError(fetchFailed(coded('ECONNREFUSED')), url, 'http://u:proxy-secret@proxy.corp:3128')
      expect(err?.message).to.contain('cluster1.example.com:443 through the proxy http://REDACTED:REDACTED@proxy.corp:3128/')
      expect(err?.message).not.to.contain('proxy-secret')
    })

    it('falls back to UNREACHABLE with the cause code for other network errors', () => {
      const err = toNetworkError(fetchFailed(coded('EWEIRD')), url)
      expect(err?.code).to.equal('UNREACHABLE')
      expect(err?.message).to.equal('Cannot reach cluster1.example.com:443: EWEIRD.')
    })

    it('leaves errors that are not network failures alone', () => {
      expect(toNetworkError(new TypeError('Request with GET/HEAD method cannot have body.'), url)).to.equal(undefined)
      expect(toNetworkError(new Error('boom'), url)).to.equal(undefined)
      expect(toNetworkError(new DOMException('aborted', 'AbortError'), url)).to.equal(undefined)
    })
  })
})
