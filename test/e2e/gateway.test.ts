// The gateway and the global service against a real platform: token validation, tenant isolation, routes.
import {expect} from 'chai'
import {generateKeyPairSync} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {SignJWT, decodeJwt, decodeProtectedHeader, importJWK, type JWK} from 'jose'

import {followAudit, type FollowedEvent} from '../helpers/audit-follow.js'
import {makeCliEnv, runCli} from '../helpers/cli.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {API_AUDIENCE, deviceSignIn} from '../helpers/tokens.js'

const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const FABRIKAM = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'

describe('gateway and global service (real platform)', function () {
  let platform: TestPlatform
  let client: TestClient
  let contosoAdmin: string
  let fabrikamAdmin: string
  let support: string

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
    contosoAdmin = (await deviceSignIn(client, platform, 'admin@contoso.example')).access_token
    fabrikamAdmin = (await deviceSignIn(client, platform, 'admin@fabrikam.example')).access_token
    support = (await deviceSignIn(client, platform, 'support@operator.example')).access_token
  })

  after(async () => {
    await client?.close()
    await platform?.stop()
  })

  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    client.fetch(`${platform.urls.global}${path}`, {headers: {...(token ? {authorization: `Bearer ${token}`} : {}), ...headers}})

  /** A token with the real signing key but the given changes (the test reads the key from the data folder). */
  async function reissue(token: string, change: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    const jwks = JSON.parse(readFileSync(join(platform.dataDir, 'identity', 'jwks.json'), 'utf8')) as {keys: JWK[]}
    const protectedHeader = decodeProtectedHeader(token)
    const jwk = jwks.keys.find((k) => k.kid === protectedHeader.kid) ?? jwks.keys[0]
    const key = await importJWK(jwk, protectedHeader.alg)
    return new SignJWT({...decodeJwt(token), ...change}).setProtectedHeader({...protectedHeader, ...header} as never).sign(key)
  }

  it("gives contoso's admin contoso's route, with its TTL as Cache-Control", async () => {
    const res = await get('/v1/me/home', contosoAdmin)
    expect(res.status).to.equal(200)
    expect(res.headers.get('cache-control')).to.match(/max-age=300/)
    const body = (await res.json()) as {tenantId: string; home: object; secondary: object; epoch: number; ttlSeconds: number}
    expect(body.tenantId).to.equal(CONTOSO)
    expect(body.home).to.deep.equal({clusterId: 'eastus-1', region: 'eastus', uri: `https://eastus-1.clusters.sandbox.localhost:${platform.port}`})
    expect(body.secondary).to.include({clusterId: 'westus-1', mode: 'passive'})
    expect(body.epoch).to.equal(1)
    expect(body.ttlSeconds).to.equal(300)
    const byName = await get('/v1/tenants/contoso/home', contosoAdmin)
    expect(byName.status).to.equal(200)
  })

  it("refuses fabrikam's route to contoso's admin, and contoso's to fabrikam's admin", async () => {
    for (const [token, tenant] of [
      [contosoAdmin, FABRIKAM],
      [fabrikamAdmin, CONTOSO],
    ] as const) {
      const res = await get(`/v1/tenants/${tenant}/home`, token)
      expect(res.status).to.equal(403)
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/)
      const problem = (await res.json()) as Record<string, string>
      expect(problem.code).to.equal('TENANT_ACCESS_DENIED')
      expect(problem.correlationId).to.equal(res.headers.get('x-correlation-id'))
      expect(problem.traceId).to.match(/^[0-9a-f]{32}$/)
    }
  })

  it('gives the Support role both routes, and 404 for an unknown tenant', async () => {
    const a = (await (await get(`/v1/tenants/${CONTOSO}/home`, support)).json()) as {home: {clusterId: string}}
    const b = (await (await get(`/v1/tenants/${FABRIKAM}/home`, support)).json()) as {home: {clusterId: string}; secondary: {clusterId: string}}
    expect(a.home.clusterId).to.equal('eastus-1')
    expect(b.home.clusterId).to.equal('westeurope-1')
    expect(b.secondary.clusterId).to.equal('northeurope-1')
    const unknown = await get('/v1/tenants/nope/home', support)
    expect(unknown.status).to.equal(404)
    expect(((await unknown.json()) as {code: string}).code).to.equal('TENANT_NOT_FOUND')
  })

  it('answers 401 with WWW-Authenticate and problem+json without a token', async () => {
    const res = await get('/v1/me/home')
    expect(res.status).to.equal(401)
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm="sandbox.localhost"$/)
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/)
    expect(((await res.json()) as {code: string}).code).to.equal('UNAUTHENTICATED')
  })

  const refused = async (token: string, why: RegExp) => {
    const res = await get('/v1/me/home', token)
    expect(res.status).to.equal(401)
    const challenge = res.headers.get('www-authenticate') ?? ''
    expect(challenge).to.contain('error="invalid_token"')
    expect(challenge).to.match(why)
  }

  it('refuses a forged signature', async () => {
    const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    const header = decodeProtectedHeader(contosoAdmin)
    const forged = await new SignJWT(decodeJwt(contosoAdmin)).setProtectedHeader(header as never).sign(privateKey)
    await refused(forged, /signature/)
  })

  it('refuses alg "none"', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const unsigned = `${enc({alg: 'none', typ: 'at+jwt'})}.${enc(decodeJwt(contosoAdmin))}.`
    await refused(unsigned, /algorithm|malformed/)
  })

  it('refuses a wrong issuer, a wrong audience, an expired token and an ID token', async () => {
    await refused(await reissue(contosoAdmin, {iss: 'https://login.attacker.localhost'}), /iss/)
    await refused(await reissue(contosoAdmin, {aud: 'https://other-api.example'}), /aud/)
    const now = Math.floor(Date.now() / 1000)
    await refused(await reissue(contosoAdmin, {iat: now - 3600, exp: now - 120}), /expired/)
    await refused(await reissue(contosoAdmin, {aud: API_AUDIENCE}, {typ: 'JWT'}), /typ/)
  })

  it('accepts a token within the 60 s clock skew', async () => {
    const now = Math.floor(Date.now() / 1000)
    const res = await get('/v1/me/home', await reissue(contosoAdmin, {exp: now - 30}))
    expect(res.status).to.equal(200)
  })

  it('echoes a valid x-correlation-id and generates one when absent or malformed', async () => {
    const echoed = await get('/v1/me/home', contosoAdmin, {'x-correlation-id': 'ticket-4711'})
    expect(echoed.headers.get('x-correlation-id')).to.equal('ticket-4711')
    const generated = await get('/v1/me/home', contosoAdmin)
    expect(generated.headers.get('x-correlation-id')).to.match(/^[0-9a-f-]{36}$/)
    const bad = await get('/v1/me/home', contosoAdmin, {'x-correlation-id': 'bad id!'})
    expect(bad.headers.get('x-correlation-id')).to.match(/^[0-9a-f-]{36}$/)
  })

  it('logs requests without tokens', async () => {
    const log = readFileSync(join(platform.dataDir, 'requests.jsonl'), 'utf8')
    expect(log).to.contain('"host":"global.sandbox.localhost"')
    for (const token of [contosoAdmin, fabrikamAdmin, support]) {
      expect(log).not.to.contain(token.split('.')[2])
    }
  })
})

// A bucket of BURST with a refill of one token per 1000 s: the 429 comes after exactly BURST requests however slow
// the machine is, so nothing here depends on timing.
describe('gateway rate limit (real platform, PPCTL_SANDBOX_RATE_LIMIT=0.001:5)', function () {
  const BURST = 5
  let platform: TestPlatform
  let client: TestClient

  before(async () => {
    platform = await startTestPlatform({PPCTL_SANDBOX_RATE_LIMIT: `0.001:${BURST}`})
    client = testClient(platform.caPem)
  })

  after(async () => {
    await client?.close()
    await platform?.stop()
  })

  const home = async (token: string) => {
    const res = await client.fetch(`${platform.urls.global}/v1/me/home`, {headers: {authorization: `Bearer ${token}`}})
    const body = (await res.json()) as {code?: string; detail?: string}
    return {status: res.status, retryAfter: res.headers.get('retry-after'), body}
  }

  it('allows exactly the burst per token, then answers 429 with Retry-After; another token has its own bucket', async () => {
    const token = (await deviceSignIn(client, platform, 'admin@fabrikam.example')).access_token
    const answers = await Promise.all(Array.from({length: BURST + 3}, () => home(token)))
    expect(answers.filter((a) => a.status === 200)).to.have.length(BURST)
    const limited = answers.filter((a) => a.status === 429)
    expect(limited).to.have.length(3)
    for (const a of limited) {
      expect(a.body.code).to.equal('RATE_LIMITED')
      // At most 1/rps = 1000 s (one token's refill), and a whole number of seconds.
      expect(a.retryAfter).to.match(/^\d+$/)
      expect(Number(a.retryAfter)).to.be.within(1, 1000)
      expect(a.body.detail).to.equal(`Retry after ${a.retryAfter} s.`)
    }
    const other = (await deviceSignIn(client, platform, 'admin@fabrikam.example')).access_token
    expect((await home(other)).status).to.equal(200)
  })

  it("records the 429s in the caller's tenant log, coalesced, naming the caller, with counts that add up", async () => {
    const limitedToken = (await deviceSignIn(client, platform, 'user@contoso.example')).access_token
    const answers = await Promise.all(Array.from({length: BURST + 4}, () => home(limitedToken)))
    expect(answers.filter((a) => a.status === 429)).to.have.length(4)
    // The reader has its own bucket: the global service and the stream are two of its five requests.
    const reader = (await deviceSignIn(client, platform, 'admin@contoso.example')).access_token
    const mine = (events: FollowedEvent[]) => events.filter((e) => e.details?.code === 'RATE_LIMITED' && e.actor.upn === 'user@contoso.example')
    const count = (events: FollowedEvent[]) => events.reduce((n, e) => n + (e.details?.count as number), 0)
    const events = mine(await followAudit(platform, client, reader, 'request.refused', (seen) => count(mine(seen)) >= 4))
    expect(count(events)).to.equal(4)
    for (const e of events) {
      expect(e).to.deep.include({tenantId: CONTOSO, result: 'failed', clientIp: '127.0.0.1'})
      expect(e.actor).to.include({type: 'user', upn: 'user@contoso.example'})
      expect(e.details).to.include({status: 429, reason: 'rate limit', host: 'global.sandbox.localhost'})
    }
  })

  it('refuses to start with a rate limit it cannot use, in one line without a stack trace', async () => {
    const cli = makeCliEnv({PPCTL_SANDBOX_RATE_LIMIT: '100'})
    const dataDir = join(cli.home, 'platform')
    try {
      const res = await runCli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir], cli.env)
      expect(res.code).to.equal(1)
      expect(res.stderr).to.contain('PPCTL_SANDBOX_RATE_LIMIT must be "rps:burst"')
      expect(res.stderr).not.to.match(/\n\s+at /)
    } finally {
      // Should it have started after all, it must not outlive the test.
      await runCli(['sandbox', 'stop', '--data-dir', dataDir], cli.env)
      cli.cleanup()
    }
  })
})
