// openid-client 6 uses the HTTP client through customFetch: discovery over TLS with the test CA on a .localhost name.
import {expect} from 'chai'
import * as oidc from 'openid-client'

import {createHttp} from '../../../src/lib/http/client.js'
import {customFetchFor, ppctlErrorFrom} from '../../../src/lib/http/custom-fetch.js'
import type {Http} from '../../../src/lib/http/types.js'
import {createDebugLog} from '../../../src/lib/io/debug-log.js'
import {createTestPki, fakeIO, startHttpsServer, type TestPki, type TestServer} from '../../helpers/http-fixtures.js'

describe('http/custom-fetch (openid-client)', () => {
  let pki: TestPki
  let server: TestServer
  let issuer: string
  let http: Http | undefined

  before(async () => {
    pki = createTestPki(['login.test.localhost'])
    server = await startHttpsServer(pki, (req, res) => {
      res.setHeader('content-type', 'application/json')
      if (req.url === '/.well-known/openid-configuration') {
        res.end(
          JSON.stringify({
            issuer,
            token_endpoint: `${issuer}/token`,
            device_authorization_endpoint: `${issuer}/device`,
            jwks_uri: `${issuer}/jwks`,
          }),
        )
      } else if (req.url === '/token') {
        res.end(JSON.stringify({access_token: 'at-secret-value', token_type: 'Bearer', expires_in: 60}))
      } else {
        res.statusCode = 404
        res.end('{}')
      }
    })
    issuer = `https://login.test.localhost:${server.port}`
  })

  afterEach(async () => {
    await http?.close()
    http = undefined
    server.seen.length = 0
  })

  after(async () => {
    await server?.close()
  })

  it('discovers the issuer and runs a token request through our dispatcher, CA, headers and traces', async () => {
    const out = fakeIO()
    http = createHttp({env: {}, ca: pki.ca, userAgent: 'ppctl/oidc-test', debug: createDebugLog(out.io, true)})
    const config = await oidc.discovery(new URL(issuer), 'ppctl-cli', undefined, oidc.ClientSecretPost('client-secret-value'), {
      [oidc.customFetch]: customFetchFor(http),
    })
    config[oidc.customFetch] = customFetchFor(http)
    expect(config.serverMetadata().token_endpoint).to.equal(`${issuer}/token`)
    const tokens = await oidc.clientCredentialsGrant(config, {scope: 'api'})
    expect(tokens.access_token).to.equal('at-secret-value')

    expect(server.seen.map((r) => r.url)).to.deep.equal(['/.well-known/openid-configuration', '/token'])
    for (const req of server.seen) {
      expect(req.headers['user-agent']).to.equal('ppctl/oidc-test')
      expect(req.headers['x-correlation-id']).to.be.a('string').and.have.length.greaterThan(0)
    }
    expect(server.seen[1].body).to.contain('client_secret=client-secret-value')
    const trace = out.stderrText()
    expect(trace).to.match(/HTTP → POST https:\/\/login\.test\.localhost:\d+\/token .*body .*grant_type=client_credentials/)
    expect(trace).not.to.contain('client-secret-value')
    expect(trace).not.to.contain('at-secret-value')
  })

  it('keeps a user-agent the caller chose, replacing only the library default', async () => {
    http = createHttp({env: {}, ca: pki.ca, userAgent: 'ppctl/oidc-test', debug: createDebugLog(fakeIO().io, false)})
    const fetch = customFetchFor(http)
    await (await fetch(`${issuer}/x`, {method: 'GET', headers: {'User-Agent': 'openid-client/v6.9.0'}, body: undefined, redirect: 'manual'})).text()
    await (await fetch(`${issuer}/x`, {method: 'GET', headers: {'user-agent': 'mine/1'}, body: undefined, redirect: 'manual'})).text()
    expect(server.seen.map((r) => r.headers['user-agent'])).to.deep.equal(['ppctl/oidc-test', 'mine/1'])
  })

  it('fails discovery with TLS_VERIFY_FAILED when the CA is not trusted', async () => {
    http = createHttp({env: {}, userAgent: 'ppctl/oidc-test', debug: createDebugLog(fakeIO().io, false)})
    let caught: unknown
    try {
      await oidc.discovery(new URL(issuer), 'ppctl-cli', undefined, undefined, {[oidc.customFetch]: customFetchFor(http)})
    } catch (err) {
      caught = err
    }
    expect(caught).to.be.instanceOf(Error)
    const typed = ppctlErrorFrom(caught)
    expect(typed?.code).to.equal('TLS_VERIFY_FAILED')
    expect(typed?.exitCode).to.equal(8)
    expect(typed?.message).to.contain('login.test.localhost')
    expect(ppctlErrorFrom(new Error('unrelated', {cause: new Error('deeper')}))).to.equal(undefined)
  })
})
