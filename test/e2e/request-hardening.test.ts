// What the real platform refuses at the door: oversized and mistyped bodies, bad paths and targets, wrong methods, slow clients — and it keeps serving.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {connect} from 'node:tls'

import {expect} from 'chai'

import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {deviceSignIn} from '../helpers/tokens.js'

const FORM = 'application/x-www-form-urlencoded'
/** Small listener bounds so the slow-client tests need no long waits; the audit heartbeat keeps a stream talking meanwhile. */
const BOUNDS = {PPCTL_SANDBOX_HEADERS_TIMEOUT_MS: '1000', PPCTL_SANDBOX_REQUEST_TIMEOUT_MS: '2000', PPCTL_SANDBOX_HEARTBEAT_MS: '200'}
const BIG = 'x'.repeat(200 * 1024)

describe('request hardening (real platform)', function () {
  let platform: TestPlatform
  let client: TestClient
  let appUser: string
  let admin: string

  before(async () => {
    platform = await startTestPlatform(BOUNDS)
    client = testClient(platform.caPem)
    appUser = (await deviceSignIn(client, platform, 'user@contoso.example')).access_token
    admin = (await deviceSignIn(client, platform, 'admin@contoso.example')).access_token
  })

  after(async () => {
    await client?.close()
    await platform?.stop()
  })

  const cluster = (path: string) => `https://eastus-1.clusters.sandbox.localhost:${platform.port}${path}`
  const authority = (path: string) => `${platform.urls.authority}${path}`

  async function expectHealthy() {
    const res = await client.fetch(`https://sandbox.localhost:${platform.port}/healthz`)
    expect(res.status).to.equal(200)
    expect(((await res.json()) as {status: string}).status).to.equal('ok')
  }

  /** A raw TLS connection: what it receives, and whether the server closed it. */
  function rawSocket(servername: string) {
    const socket = connect({host: '127.0.0.1', port: platform.port, servername, ca: platform.caPem})
    let received = ''
    socket.on('data', (d: Buffer) => (received += d.toString('utf8')))
    const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)))
    socket.on('error', () => {})
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve)
      socket.once('error', reject)
    })
    return {socket, connected, closed}
  }

  async function exchange(servername: string, bytes: string): Promise<{status: number; headers: string; body: string}> {
    const raw = rawSocket(servername)
    await raw.connected
    raw.socket.write(bytes)
    const text = await raw.closed
    const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)]
    return {status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body}
  }

  /** The device page's form, then the sign-in page it leads to: the interaction's login action and the cookies it needs. */
  async function openSignInPage(): Promise<{action: string; cookie: string; csrf: string}> {
    const cookies = new Map<string, string>()
    const keep = (res: {headers: Headers}) => {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';')
        const eq = pair.indexOf('=')
        cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
      }
    }
    const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const auth = await client.fetch(authority('/device/auth'), {
      method: 'POST',
      headers: {'content-type': FORM},
      body: new URLSearchParams({client_id: 'ppctl', scope: 'openid api', resource: 'https://api.sandbox.localhost'}).toString(),
    })
    const {user_code: userCode} = (await auth.json()) as {user_code: string}
    const page = await client.fetch(authority('/device'))
    keep(page)
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
    const post = (fields: Record<string, string>) =>
      client.fetch(authority('/device'), {
        method: 'POST',
        headers: {'content-type': FORM, cookie: cookie()},
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      })
    // The code, then the confirmation page ("Continue"), then the redirects to the sign-in page.
    const confirmation = await post({xsrf, user_code: userCode})
    keep(confirmation)
    const confirmXsrf = /name="xsrf" value="([^"]+)"/.exec(await confirmation.text())?.[1] ?? ''
    let res = await post({xsrf: confirmXsrf, user_code: userCode, confirm: 'yes'})
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      keep(res)
      await res.arrayBuffer()
      res = await client.fetch(new URL(res.headers.get('location')!, authority('/')).href, {headers: {cookie: cookie()}, redirect: 'manual'})
    }
    keep(res)
    const html = await res.text()
    const action = /<form[^>]*action="([^"]*\/login)"/.exec(html)?.[1]
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1]
    if (!action || !csrf) throw new Error(`no sign-in form (HTTP ${res.status})`)
    return {action: new URL(action.replace(/&amp;/g, '&'), authority('/')).href, cookie: cookie(), csrf}
  }

  describe('request bodies', () => {
    it('refuses an oversized body from the lowest role with 413 problem+json, and keeps serving', async () => {
      const res = await client.fetch(cluster('/v1/access-checks'), {
        method: 'POST',
        headers: {authorization: `Bearer ${appUser}`, 'content-type': 'application/json'},
        body: JSON.stringify({userId: 'user@contoso.example', connectorId: 'x', role: 'app-user', pad: BIG}),
      })
      expect(res.status).to.equal(413)
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/)
      const body = (await res.json()) as {code: string; correlationId: string}
      expect(body.code).to.equal('PAYLOAD_TOO_LARGE')
      expect(body.correlationId).to.be.a('string')
      await expectHealthy()
    })

    it('refuses a body of the wrong content type with 415', async () => {
      const res = await client.fetch(cluster('/v1/access-checks'), {
        method: 'POST',
        headers: {authorization: `Bearer ${appUser}`, 'content-type': 'text/plain'},
        body: JSON.stringify({userId: 'user@contoso.example', connectorId: 'shared_sql', role: 'app-user'}),
      })
      expect(res.status).to.equal(415)
      expect(((await res.json()) as {code: string}).code).to.equal('UNSUPPORTED_MEDIA_TYPE')
      await expectHealthy()
    })

    it('refuses an oversized sign-in form (no credentials) with a 413 page, and keeps serving', async () => {
      const page = await openSignInPage()
      const res = await client.fetch(page.action, {
        method: 'POST',
        headers: {'content-type': FORM, cookie: page.cookie},
        body: new URLSearchParams({csrf: page.csrf, upn: 'user@contoso.example', password: BIG}).toString(),
      })
      expect(res.status).to.equal(413)
      expect(res.headers.get('content-type')).to.match(/^text\/html/)
      expect(await res.text()).to.contain('form_too_large')
      await expectHealthy()
    })

    it('refuses an oversized device page form with a 413 page, not a 500', async () => {
      const res = await client.fetch(authority('/device'), {
        method: 'POST',
        headers: {'content-type': FORM},
        body: new URLSearchParams({user_code: BIG}).toString(),
      })
      expect(res.status).to.equal(413)
      expect(res.headers.get('content-type')).to.match(/^text\/html/)
      await res.arrayBuffer()
      await expectHealthy()
    })

    it('answers an oversized token request in the OAuth error format, and keeps serving', async () => {
      const res = await client.fetch(authority('/token'), {
        method: 'POST',
        headers: {'content-type': FORM},
        body: new URLSearchParams({grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: 'ppctl', device_code: BIG}).toString(),
      })
      expect(res.status).to.equal(400)
      const body = (await res.json()) as {error: string; error_description: string}
      expect(body.error).to.equal('invalid_request')
      expect(JSON.stringify(body)).to.not.match(/\bat \S+:\d+/)
      await expectHealthy()
    })
  })
  describe('bad input', () => {
    it('answers every malformed license lookup with 400 INVALID_BODY naming the field, and a role below Admin with 403', async () => {
      const lookup = (token: string, body: unknown) =>
        client.fetch(cluster('/v1/licenses/lookup'), {
          method: 'POST',
          headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
          body: JSON.stringify(body),
        })
      const cases: Array<[unknown, RegExp]> = [
        [{}, /users must be a list of 1 to 1000/],
        [{users: 'admin@contoso.example'}, /users must be a list/],
        [{users: []}, /users must be a list/],
        [{users: Array.from({length: 1001}, (_, i) => `u${i}@contoso.example`)}, /users must be a list/],
        [{users: ['user@contoso.example', 7]}, /users\[1\] is not a user id or UPN/],
        [{users: ['']}, /users\[0\] is not/],
        [{users: ['x'.repeat(321)]}, /users\[0\] is not/],
      ]
      for (const [body, title] of cases) {
        const res = await lookup(admin, body)
        const problem = (await res.json()) as {code: string; title: string}
        expect(res.status, JSON.stringify(body).slice(0, 80)).to.equal(400)
        expect(problem.code).to.equal('INVALID_BODY')
        expect(problem.title).to.match(title)
      }
      const refused = await lookup(appUser, {users: ['admin@contoso.example']})
      expect(refused.status).to.equal(403)
      expect(((await refused.json()) as {code: string}).code).to.equal('ROLE_FORBIDDEN')
      await expectHealthy()
    })

    it('answers a malformed percent-encoding in a cluster path with 400, not 500', async () => {
      const res = await client.fetch(cluster('/v1/users/%zz'), {headers: {authorization: `Bearer ${appUser}`}})
      expect(res.status).to.equal(400)
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/)
      expect(((await res.json()) as {code: string}).code).to.equal('INVALID_PATH')
    })

    it('answers a malformed percent-encoding in a global path with 400, not 500', async () => {
      const res = await client.fetch(`${platform.urls.global}/v1/tenants/%zz/home`, {headers: {authorization: `Bearer ${appUser}`}})
      expect(res.status).to.equal(400)
      expect(((await res.json()) as {code: string}).code).to.equal('INVALID_PATH')
    })

    it('answers a malformed percent-encoding on the identity provider with a 400 page, not 500', async () => {
      const res = await client.fetch(authority('/device/%zz'))
      expect(res.status).to.equal(400)
      expect(res.headers.get('content-type')).to.match(/^text\/html/)
      expect(await res.text()).to.not.match(/\bat \S+:\d+/)
    })

    it('answers an invalid request target with 400 problem+json, not 500', async () => {
      const res = await exchange(
        'eastus-1.clusters.sandbox.localhost',
        `GET //[ HTTP/1.1\r\nHost: eastus-1.clusters.sandbox.localhost\r\nAuthorization: Bearer ${appUser}\r\nConnection: close\r\n\r\n`,
      )
      expect(res.status).to.equal(400)
      expect(res.headers).to.contain('application/problem+json')
      expect((JSON.parse(res.body) as {code: string}).code).to.equal('INVALID_REQUEST_TARGET')
      await expectHealthy()
    })

    it('answers a request Node cannot parse with a 400 problem+json', async () => {
      const res = await exchange('login.sandbox.localhost', 'NOT A REQUEST\r\n\r\n')
      expect(res.status).to.equal(400)
      expect(res.headers).to.contain('application/problem+json')
      expect((JSON.parse(res.body) as {code: string}).code).to.equal('BAD_REQUEST')
      await expectHealthy()
    })
  })

  describe('methods', () => {
    it('answers a known cluster path with a method it does not take with 405 and Allow', async () => {
      const users = await client.fetch(cluster('/v1/users/user@contoso.example'), {method: 'PUT', headers: {authorization: `Bearer ${appUser}`}})
      expect(users.status).to.equal(405)
      expect(users.headers.get('allow')).to.equal('GET')
      expect(((await users.json()) as {code: string}).code).to.equal('METHOD_NOT_ALLOWED')
      const connectors = await client.fetch(cluster('/v1/connectors'), {method: 'DELETE', headers: {authorization: `Bearer ${appUser}`}})
      expect(connectors.status).to.equal(405)
      expect(connectors.headers.get('allow')).to.equal('GET, POST')
      await connectors.arrayBuffer()
      const health = await client.fetch(cluster('/v1/health'), {method: 'POST', headers: {authorization: `Bearer ${appUser}`}})
      expect(health.status).to.equal(405)
      expect(health.headers.get('allow')).to.equal('GET')
      await health.arrayBuffer()
    })

    it('keeps 404 for an unknown path whatever the method, on a cluster and on global', async () => {
      const res = await client.fetch(cluster('/v1/nothing-here'), {method: 'PUT', headers: {authorization: `Bearer ${appUser}`}})
      expect(res.status).to.equal(404)
      await res.arrayBuffer()
      const global = await client.fetch(`${platform.urls.global}/v1/nothing-here`, {method: 'POST', headers: {authorization: `Bearer ${appUser}`}})
      expect(global.status).to.equal(404)
      await global.arrayBuffer()
    })

    it('answers a known global path with another method with 405 and Allow', async () => {
      const res = await client.fetch(`${platform.urls.global}/v1/me/home`, {method: 'DELETE', headers: {authorization: `Bearer ${appUser}`}})
      expect(res.status).to.equal(405)
      expect(res.headers.get('allow')).to.equal('GET, HEAD')
      await res.arrayBuffer()
    })

    it("answers the gateway's /healthz with another method with 405 and Allow, as openapi.yaml documents only GET", async () => {
      const res = await client.fetch(`${platform.urls.gateway}/healthz`, {method: 'POST'})
      expect(res.status).to.equal(405)
      expect(res.headers.get('allow')).to.equal('GET, HEAD')
      expect(((await res.json()) as {code: string}).code).to.equal('METHOD_NOT_ALLOWED')
      const head = await client.fetch(`${platform.urls.gateway}/healthz`, {method: 'HEAD'})
      expect(head.status).to.equal(200)
    })
  })

  describe('slow clients', () => {
    it('cuts a client that sends its headers too slowly, and still serves a normal request', async () => {
      const raw = rawSocket('sandbox.localhost')
      await raw.connected
      raw.socket.write('GET /healthz HTTP/1.1\r\nHost: sandbox.localhost\r\nX-Slow: ')
      // Waits for the server to close the connection: the headers never complete.
      const received = await raw.closed
      expect(raw.socket.destroyed).to.equal(true)
      expect(received).to.match(/^HTTP\/1\.1 408 /)
      expect(readFileSync(join(platform.dataDir, 'platform.log'), 'utf8')).to.match(/gateway: cut a slow client \(ERR_HTTP_REQUEST_TIMEOUT\)/)
      await expectHealthy()
    })

    it('cuts a client that dribbles its body past the request bound', async () => {
      const raw = rawSocket('eastus-1.clusters.sandbox.localhost')
      await raw.connected
      raw.socket.write(
        `POST /v1/access-checks HTTP/1.1\r\nHost: eastus-1.clusters.sandbox.localhost\r\nAuthorization: Bearer ${appUser}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
      )
      const received = await raw.closed
      expect(raw.socket.destroyed).to.equal(true)
      expect(received).to.not.match(/^HTTP\/1\.1 200 /)
      await expectHealthy()
    })

    it('does not cut an audit stream that lasts longer than the request bound', async () => {
      const res = await client.fetch(cluster('/v1/audit/stream'), {headers: {authorization: `Bearer ${admin}`, accept: 'text/event-stream'}})
      expect(res.status).to.equal(200)
      const reader = res.body!.getReader()
      const opened = Date.now()
      let heartbeats = 0
      // Reads heartbeats until the stream has outlived the 2 s request bound twice over; a cut stream ends the loop early.
      while (Date.now() - opened < 4000) {
        const {done, value} = await reader.read()
        if (done) break
        heartbeats += (Buffer.from(value).toString('utf8').match(/^:/gm) ?? []).length
      }
      expect(Date.now() - opened).to.be.at.least(4000)
      expect(heartbeats).to.be.greaterThan(0)
      await reader.cancel()
    })
  })
})
