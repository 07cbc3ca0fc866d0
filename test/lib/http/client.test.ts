// The HTTP client against a real local HTTPS server whose certificate comes from a throwaway CA.
import {expect} from 'chai'

import {PpctlError} from '../../../src/lib/errors/index.js'
import {createHttp} from '../../../src/lib/http/client.js'
import type {Http, HttpOptions} from '../../../src/lib/http/types.js'
import {createDebugLog} from '../../../src/lib/io/debug-log.js'
import {createTestPki, fakeIO, startHttpsServer, type TestPki, type TestServer} from '../../helpers/http-fixtures.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

async function rejection(promise: Promise<unknown>): Promise<PpctlError> {
  try {
    await promise
  } catch (err) {
    expect(err).to.be.instanceOf(PpctlError)
    return err as PpctlError
  }
  expect.fail('expected the request to fail')
}

describe('http/client (real HTTPS server, test CA)', () => {
  let pki: TestPki
  let server: TestServer
  let base: string
  const clients: Http[] = []

  function client(overrides: Partial<HttpOptions> = {}): Http {
    const http = createHttp({env: {}, userAgent: 'ppctl/9.9.9-test', debug: createDebugLog(fakeIO().io, false), ...overrides})
    clients.push(http)
    return http
  }

  before(async () => {
    pki = createTestPki(['api.test.localhost'])
    server = await startHttpsServer(pki, (req, res) => {
      res.setHeader('content-type', 'application/json')
      res.setHeader('set-cookie', 'session=server-cookie-secret; HttpOnly')
      res.setHeader('x-correlation-id', String(req.headers['x-correlation-id'] ?? ''))
      res.end(JSON.stringify({path: req.url}))
    })
    base = `https://api.test.localhost:${server.port}`
  })

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((http) => http.close()))
    server.seen.length = 0
  })

  after(async () => {
    await server?.close()
  })

  it('reaches https://api.test.localhost:<port>/ when given the CA', async () => {
    const res = await client({ca: pki.ca}).fetch(`${base}/hello`)
    expect(res.status).to.equal(200)
    expect(await res.json()).to.deep.equal({path: '/hello'})
    expect(server.seen).to.have.length(1)
  })

  it('still trusts the system CAs when given an extra one (it adds, never replaces)', async () => {
    const {trustedCAs} = await import('../../../src/lib/http/dispatcher.js')
    const {rootCertificates} = await import('node:tls')
    const cas = trustedCAs(pki.ca)
    expect(cas).to.include(pki.ca)
    expect(cas).to.include.members([...rootCertificates])
    expect(trustedCAs()).to.have.length(rootCertificates.length)
  })

  it("one TLS context per dispatcher: Node's default roots plus the extra CA, another CA refused", async () => {
    const {trustedContext} = await import('../../../src/lib/http/dispatcher.js')
    const {connect} = await import('node:tls')
    const handshake = (secureContext: import('node:tls').SecureContext) =>
      new Promise<string>((resolve) => {
        const socket = connect({host: '127.0.0.1', port: server.port, servername: 'api.test.localhost', secureContext, rejectUnauthorized: true})
        socket.once('secureConnect', () => {
          socket.end()
          resolve('trusted')
        })
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'))
      })
    expect(await handshake(trustedContext(pki.ca))).to.equal('trusted')
    // The other CA has the same name, so OpenSSL finds it and its signature fails.
    expect(await handshake(trustedContext(createTestPki(['other.test.localhost']).ca))).to.equal('CERT_SIGNATURE_FAILURE')
    // The extra CAs went into each context's own copy of Node's store, not into the store every context starts from.
    expect(await handshake(trustedContext(undefined))).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
  })

  it('fails without the CA: TLS_VERIFY_FAILED, exit 8, naming the host, suggesting ca-file', async () => {
    const err = await rejection(client().fetch(`${base}/hello`))
    expect(err.code).to.equal('TLS_VERIFY_FAILED')
    expect(err.exitCode).to.equal(8)
    expect(err.name).to.equal('UnreachableError')
    expect(err.message).to.contain(`api.test.localhost:${server.port}`)
    expect(err.message).to.match(/TLS verification failed/)
    expect(err.nextStep).to.contain('ppctl config set ca-file').and.to.contain('PPCTL_CA_FILE')
    expect(`${err.message} ${err.nextStep}`).not.to.match(/reject|insecure|NODE_TLS|verify=false|--no-verify/i)
    expect(server.seen).to.have.length(0)
  })

  it('fails with a CA that did not sign the certificate', async () => {
    const other = createTestPki(['api.test.localhost'])
    const err = await rejection(client({ca: other.ca}).fetch(`${base}/`))
    expect(err.code).to.equal('TLS_VERIFY_FAILED')
  })

  it('sends user-agent and a fresh UUID x-correlation-id on every request', async () => {
    const http = client({ca: pki.ca})
    await (await http.fetch(`${base}/a`)).text()
    await (await http.fetch(`${base}/b`)).text()
    const [a, b] = server.seen
    expect(a.headers['user-agent']).to.equal('ppctl/9.9.9-test')
    expect(a.headers['x-correlation-id']).to.match(UUID)
    expect(b.headers['x-correlation-id']).to.match(UUID)
    expect(a.headers['x-correlation-id']).not.to.equal(b.headers['x-correlation-id'])
  })

  it('keeps a given correlation id, and headers the caller already set', async () => {
    const http = client({ca: pki.ca})
    const res = await http.fetch(`${base}/c`, {correlationId: 'given-id-123'})
    expect(res.headers.get('x-correlation-id')).to.equal('given-id-123')
    await res.text()
    await (await http.fetch(`${base}/d`, {headers: {'User-Agent': 'custom/1', 'X-Correlation-Id': 'header-id'}, correlationId: 'ignored'})).text()
    expect(server.seen[0].headers['x-correlation-id']).to.equal('given-id-123')
    expect(server.seen[1].headers['user-agent']).to.equal('custom/1')
    expect(server.seen[1].headers['x-correlation-id']).to.equal('header-id')
  })

  it('passes method, headers and body through', async () => {
    const http = client({ca: pki.ca})
    const res = await http.fetch(`${base}/e`, {method: 'POST', headers: {'content-type': 'application/json', 'if-match': '"v1"'}, body: '{"a":1}'})
    expect(res.status).to.equal(200)
    await res.text()
    expect(server.seen[0]).to.include({method: 'POST', body: '{"a":1}'})
    expect(server.seen[0].headers['if-match']).to.equal('"v1"')
  })

  describe('--debug traces', () => {
    const secrets = [
      'header-bearer-secret',
      'cookie-secret-value',
      'url-access-token-secret',
      'url-code-secret',
      'form-client-secret',
      'form-refresh-token-secret',
      'form-device-code-secret',
      'json-body-secret',
      'server-cookie-secret',
      'dpop-proof-secret',
      'user:pass-secret',
    ]

    it('traces each request and response with method, URL, status, time and correlation id, and no secret', async () => {
      const out = fakeIO()
      const http = client({ca: pki.ca, debug: createDebugLog(out.io, true)})
      const url = `${base}/token?access_token=url-access-token-secret&code=url-code-secret&tenant=contoso`
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'ppctl-cli',
        client_secret: 'form-client-secret',
        refresh_token: 'form-refresh-token-secret',
        device_code: 'form-device-code-secret',
      })
      const res = await http.fetch(url, {
        method: 'POST',
        headers: {Authorization: 'Bearer header-bearer-secret', Cookie: 'sid=cookie-secret-value', DPoP: 'dpop-proof-secret'},
        body: form,
        correlationId: 'trace-corr-1',
      })
      await res.text()
      await (await http.fetch(`${base}/json`, {method: 'PUT', headers: {'content-type': 'application/json'}, body: '{"password":"json-body-secret"}'})).text()
      // The server did receive the secrets: the redaction is in the trace only.
      expect(server.seen[0].headers.authorization).to.equal('Bearer header-bearer-secret')
      expect(server.seen[0].body).to.contain('form-client-secret')

      const trace = out.stderrText()
      const lines = trace.trim().split('\n')
      expect(lines).to.have.length(4)
      expect(lines[0]).to.match(/^\[debug\] HTTP → POST https:\/\/api\.test\.localhost:\d+\/token\?/)
      expect(lines[0]).to.contain('[correlation-id trace-corr-1]').and.to.contain('tenant=contoso')
      expect(lines[0]).to.contain('grant_type=refresh_token').and.to.contain('client_id=ppctl-cli')
      expect(lines[0]).to.contain('user-agent: ppctl/9.9.9-test')
      expect(lines[1]).to.match(/^\[debug\] HTTP ← 200 POST https:\/\/api\.test\.localhost:\d+\/token\?\S+ \d+ ms \[correlation-id trace-corr-1\]/)
      expect(lines[1]).to.contain('content-type: application/json')
      expect(lines[2]).to.match(/HTTP → PUT .*\/json .*body \(31 bytes of application\/json, not shown\)/)
      expect(lines[3]).to.match(/HTTP ← 200 PUT /)
      expect(trace).to.contain('[REDACTED]')
      for (const secret of secrets) expect(trace, secret).not.to.contain(secret)
    })

    it('traces failures, with tokens in the URL redacted', async () => {
      const out = fakeIO()
      const http = client({debug: createDebugLog(out.io, true)})
      await rejection(http.fetch(`${base}/x?token=url-access-token-secret`, {correlationId: 'corr-fail'}))
      const trace = out.stderrText()
      expect(trace).to.match(/HTTP ✗ GET https:\/\/api\.test\.localhost:\d+\/x\?token=%5BREDACTED%5D \d+ ms \[correlation-id corr-fail\] TLS_VERIFY_FAILED/)
      expect(trace).not.to.contain('url-access-token-secret')
    })

    it('refuses URLs with user-info without putting the password in the error', async () => {
      const out = fakeIO()
      const http = client({ca: pki.ca, debug: createDebugLog(out.io, true)})
      const url = new URL(`${base}/x`)
      url.username = 'user'
      url.password = 'pass-secret'
      const err = await rejection(http.fetch(url))
      expect(err.code).to.equal('URL_HAS_CREDENTIALS')
      expect(err.message).to.contain('REDACTED').and.not.to.contain('pass-secret')
      expect(out.stderrText()).not.to.contain('pass-secret')
      expect(server.seen).to.have.length(0)
    })

    it('writes nothing without --debug', async () => {
      const out = fakeIO()
      const http = client({ca: pki.ca, debug: createDebugLog(out.io, false)})
      await (await http.fetch(`${base}/quiet`)).text()
      expect(out.stderrText()).to.equal('')
    })
  })

  it('close() closes the dispatcher, and can be called twice', async () => {
    const http = client({ca: pki.ca})
    await (await http.fetch(`${base}/z`)).text()
    await http.close()
    await http.close()
    expect((http.dispatcher as unknown as {closed: boolean}).closed).to.equal(true)
  })
})
