// NODE_TLS_REJECT_UNAUTHORIZED=0 in the process does not weaken ppctl's HTTP stack: direct and proxied connections still verify.
import {expect} from 'chai'

import {PpctlError} from '../../../src/lib/errors/index.js'
import {createHttp} from '../../../src/lib/http/client.js'
import {ignoredTlsEnvWarning, takeIgnoredTlsEnv} from '../../../src/lib/http/tls-env.js'
import type {Http} from '../../../src/lib/http/types.js'
import {createDebugLog} from '../../../src/lib/io/debug-log.js'
import {createTestPki, fakeIO, startConnectProxy, startHttpsServer, type TestProxy, type TestServer} from '../../helpers/http-fixtures.js'

describe('http: certificate verification whatever NODE_TLS_REJECT_UNAUTHORIZED says', () => {
  let mitm: TestServer
  let proxy: TestProxy
  let saved: string | undefined
  const clients: Http[] = []

  before(async () => {
    // A server whose CA the client is not given: a man in the middle.
    mitm = await startHttpsServer(createTestPki(['api.test.localhost']))
    proxy = await startConnectProxy()
  })
  beforeEach(() => {
    saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
  })
  afterEach(async () => {
    if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved
    await Promise.all(clients.splice(0).map((c) => c.close()))
  })
  after(async () => {
    await mitm?.close()
    await proxy?.close()
  })

  async function refused(env: NodeJS.ProcessEnv): Promise<PpctlError> {
    const http = createHttp({env, userAgent: 'ppctl/test', debug: createDebugLog(fakeIO().io, false)})
    clients.push(http)
    try {
      await http.fetch(`https://api.test.localhost:${mitm.port}/v1/me/home`, {headers: {authorization: 'Bearer secret-token'}, retries: false})
    } catch (err) {
      expect(err).to.be.instanceOf(PpctlError)
      return err as PpctlError
    }
    return expect.fail('the untrusted server was accepted')
  }

  it('refuses an untrusted certificate on a direct connection; the server receives no request', async () => {
    const err = await refused({})
    expect(err.code).to.equal('TLS_VERIFY_FAILED')
    expect(err.exitCode).to.equal(8)
    expect(mitm.seen).to.deep.equal([])
  })

  it('refuses an untrusted certificate inside a CONNECT tunnel; the server receives no request', async () => {
    const before = proxy.connects.length
    const err = await refused({HTTPS_PROXY: proxy.url})
    expect(proxy.connects.length, 'the tunnel was opened').to.be.greaterThan(before)
    expect(err.code).to.equal('TLS_VERIFY_FAILED')
    expect(mitm.seen).to.deep.equal([])
  })
})

describe('http/tls-env', () => {
  it('warns only for "0", says the variable is ignored and how to trust a private CA', () => {
    expect(ignoredTlsEnvWarning({})).to.equal(undefined)
    expect(ignoredTlsEnvWarning({NODE_TLS_REJECT_UNAUTHORIZED: '1'})).to.equal(undefined)
    const warning = ignoredTlsEnvWarning({NODE_TLS_REJECT_UNAUTHORIZED: '0'})!
    expect(warning).to.contain('ignores NODE_TLS_REJECT_UNAUTHORIZED=0').and.contain('ppctl config set ca-file').and.contain('PPCTL_CA_FILE')
    expect(warning).not.to.match(/verification (is )?(off|disabled)|insecure/i)
  })

  it('takes the variable out of the environment, so the warning comes once', () => {
    const env: NodeJS.ProcessEnv = {NODE_TLS_REJECT_UNAUTHORIZED: '0', OTHER: 'x'}
    expect(takeIgnoredTlsEnv(env)).to.be.a('string')
    expect(env).to.deep.equal({OTHER: 'x'})
    expect(takeIgnoredTlsEnv(env)).to.equal(undefined)
  })
})
