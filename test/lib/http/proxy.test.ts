// Proxies from the given environment: a real CONNECT proxy on 127.0.0.1 in front of the local HTTPS server.
import {expect} from 'chai'

import {PpctlError} from '../../../src/lib/errors/index.js'
import {createHttp} from '../../../src/lib/http/client.js'
import {proxyFor, proxySettingsFromEnv} from '../../../src/lib/http/proxy-env.js'
import type {Http} from '../../../src/lib/http/types.js'
import {createDebugLog} from '../../../src/lib/io/debug-log.js'
import {createTestPki, fakeIO, startConnectProxy, startHttpsServer, type TestPki, type TestProxy, type TestServer} from '../../helpers/http-fixtures.js'

describe('http/proxy-env', () => {
  it('reads nothing when no proxy variable is set', () => {
    expect(proxySettingsFromEnv({NO_PROXY: 'example.com'})).to.equal(undefined)
    expect(proxySettingsFromEnv({HTTPS_PROXY: '  '})).to.equal(undefined)
  })

  it('prefers lower-case variables and falls back from https to http', () => {
    expect(proxySettingsFromEnv({https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2', no_proxy: 'x', NO_PROXY: 'y'})).to.deep.equal({
      httpProxy: '',
      httpsProxy: 'http://a:1',
      noProxy: 'x',
    })
    expect(proxySettingsFromEnv({HTTP_PROXY: 'http://p:3'})).to.deep.equal({httpProxy: 'http://p:3', httpsProxy: 'http://p:3', noProxy: ''})
  })

  it('matches NO_PROXY like undici: host, subdomain, leading dot or *., port, *', () => {
    const settings = (noProxy: string) => ({httpProxy: '', httpsProxy: 'http://proxy:8080', noProxy})
    const url = new URL('https://api.test.localhost:8443/x')
    expect(proxyFor(url, settings(''))).to.equal('http://proxy:8080')
    expect(proxyFor(url, settings('api.test.localhost'))).to.equal(undefined)
    expect(proxyFor(url, settings('example.com, .localhost'))).to.equal(undefined)
    expect(proxyFor(url, settings('*.test.localhost'))).to.equal(undefined)
    expect(proxyFor(url, settings('API.TEST.LOCALHOST:8443'))).to.equal(undefined)
    expect(proxyFor(url, settings('api.test.localhost:443'))).to.equal('http://proxy:8080')
    expect(proxyFor(url, settings('est.localhost'))).to.equal('http://proxy:8080')
    expect(proxyFor(url, settings('*'))).to.equal(undefined)
    expect(proxyFor(new URL('http://api.test.localhost/'), settings(''))).to.equal(undefined)
    expect(proxyFor(url, undefined)).to.equal(undefined)
  })
})

describe('http/client through a CONNECT proxy', () => {
  let pki: TestPki
  let server: TestServer
  let proxy: TestProxy
  let target: string
  const clients: Http[] = []

  /** A client trusting the test CA unless `ca` is null. */
  function client(env: NodeJS.ProcessEnv, ca: string | null = pki.ca, debug = createDebugLog(fakeIO().io, false)): Http {
    const http = createHttp({env, ca: ca ?? undefined, userAgent: 'ppctl/test', debug})
    clients.push(http)
    return http
  }

  async function get(http: Http, path = '/'): Promise<number> {
    const res = await http.fetch(`${target}${path}`)
    await res.text()
    return res.status
  }

  before(async () => {
    pki = createTestPki(['api.test.localhost'])
    server = await startHttpsServer(pki)
    proxy = await startConnectProxy()
    target = `https://api.test.localhost:${server.port}`
  })

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((http) => http.close()))
    proxy.connects.length = 0
    server.seen.length = 0
  })

  after(async () => {
    await proxy?.close()
    await server?.close()
  })

  it('goes through HTTPS_PROXY, giving the proxy the host name, with the CA applied to the tunnelled TLS', async () => {
    expect(await get(client({HTTPS_PROXY: proxy.url}))).to.equal(200)
    expect(proxy.connects).to.deep.equal([`api.test.localhost:${server.port}`])
    expect(server.seen).to.have.length(1)
  })

  it('honours lower-case https_proxy, and HTTP_PROXY for https when HTTPS_PROXY is unset', async () => {
    expect(await get(client({https_proxy: proxy.url}))).to.equal(200)
    expect(await get(client({HTTP_PROXY: proxy.url}))).to.equal(200)
    expect(proxy.connects).to.have.length(2)
  })

  it('fails TLS verification through the proxy without the CA', async () => {
    let caught: unknown
    try {
      await get(client({HTTPS_PROXY: proxy.url}, null))
    } catch (err) {
      caught = err
    }
    expect(caught).to.be.instanceOf(PpctlError)
    expect((caught as PpctlError).code).to.equal('TLS_VERIFY_FAILED')
    expect((caught as PpctlError).message)
      .to.contain(`api.test.localhost:${server.port}`)
      .and.to.contain(proxy.url)
    expect(proxy.connects).to.have.length(1)
  })

  for (const noProxy of ['api.test.localhost', '.localhost', '*.test.localhost', 'example.com,test.localhost']) {
    it(`connects directly (the .localhost lookup applies) when NO_PROXY=${noProxy}`, async () => {
      expect(await get(client({HTTPS_PROXY: proxy.url, NO_PROXY: noProxy}))).to.equal(200)
      expect(proxy.connects).to.have.length(0)
      expect(server.seen).to.have.length(1)
    })
  }

  it('connects directly when NO_PROXY names the host and its port, and not for another port', async () => {
    expect(await get(client({HTTPS_PROXY: proxy.url, no_proxy: `api.test.localhost:${server.port}`}))).to.equal(200)
    expect(proxy.connects).to.have.length(0)
    expect(await get(client({HTTPS_PROXY: proxy.url, no_proxy: `api.test.localhost:1`}))).to.equal(200)
    expect(proxy.connects).to.have.length(1)
  })

  it('reads the environment it is given, not process.env', async () => {
    const saved = process.env.HTTPS_PROXY
    process.env.HTTPS_PROXY = proxy.url
    try {
      expect(await get(client({}))).to.equal(200)
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY
      else process.env.HTTPS_PROXY = saved
    }
    expect(proxy.connects).to.have.length(0)
    // And a NO_PROXY in process.env does not stop a proxy the given environment asks for.
    const savedNo = process.env.NO_PROXY
    process.env.NO_PROXY = '*'
    try {
      expect(await get(client({HTTPS_PROXY: proxy.url}))).to.equal(200)
    } finally {
      if (savedNo === undefined) delete process.env.NO_PROXY
      else process.env.NO_PROXY = savedNo
    }
    expect(proxy.connects).to.have.length(1)
  })

  it('says in the --debug trace which proxy a request goes through', async () => {
    const out = fakeIO()
    await get(client({HTTPS_PROXY: `http://user:proxy-pass-secret@127.0.0.1:${new URL(proxy.url).port}`}, pki.ca, createDebugLog(out.io, true)))
    const trace = out.stderrText()
    expect(trace).to.match(/HTTP → GET https:\/\/api\.test\.localhost:\d+\/ via proxy http:\/\/REDACTED:REDACTED@127\.0\.0\.1:\d+\//)
    expect(trace).not.to.contain('proxy-pass-secret')
    expect(proxy.connects).to.have.length(1)
  })

  it('reports a proxy that refuses the tunnel as PROXY_FAILED', async () => {
    const refusing = await startConnectProxy({refuseWith: 407})
    try {
      let caught: unknown
      try {
        await get(client({HTTPS_PROXY: refusing.url}))
      } catch (err) {
        caught = err
      }
      expect(caught).to.be.instanceOf(PpctlError)
      expect((caught as PpctlError).code).to.equal('PROXY_FAILED')
      expect((caught as PpctlError).exitCode).to.equal(8)
      expect((caught as PpctlError).message)
        .to.contain('407')
        .and.to.contain(`api.test.localhost:${server.port}`)
      expect(refusing.connects).to.have.length(1)
    } finally {
      await refusing.close()
    }
  })
})
