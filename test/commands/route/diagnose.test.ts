// `ppctl route diagnose` in-process: real TLS clusters on 127.0.0.1 behind a nock'd global service and provider; verdicts and exit codes.
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import forge from 'node-forge'
import nock from 'nock'

import RouteDiagnose from '../../../src/commands/route/diagnose.js'
import type {RouteDiagnosis} from '../../../src/lib/routing/diagnose.js'
import {issueCertificate, rsaKeyPair} from '../../../src/sandbox/tls.js'
import {runCommand} from '../../helpers/command.js'
import {AUTHORITY, fakePlatform, problem, ROUTE, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectSchema} from '../../helpers/route-schemas.js'
import {expectNoSecrets, jwt, METADATA} from '../../helpers/fake-idp.js'

/** Timing never decides a verdict here: the machine may be loaded. */
const RELAXED = ['--slow', '120s']

interface HealthAnswer {
  status: number
  body: Record<string, unknown>
}

/** Two clusters (eastus-1, westus-1) on one real TLS listener: *.clusters.localhost, a private CA, /v1/health per host. */
class Clusters {
  server!: Server
  port = 0
  caFile = ''
  readonly seen: Array<{host: string; path: string; authorization?: string}> = []
  health: Record<string, HealthAnswer> = {}
  /** The home cluster's answer to GET /v1/firewall/self (the firewall hop). */
  firewall: HealthAnswer = {
    status: 200,
    body: {enabled: false, auditOnly: false, rangeCount: 0, outcome: 'allowed', clientIp: '127.0.0.1', via: 'socket', reason: 'the firewall is off'},
  }
  private dir = ''

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'ppctl-diagnose-'))
    const caKey = rsaKeyPair()
    const ca = issueCertificate({subjectCN: 'test CA', publicPem: caKey.publicPem, signerKeyPem: caKey.privatePem, days: 30, ca: true})
    const key = rsaKeyPair()
    const cert = issueCertificate({
      subjectCN: 'clusters.localhost',
      publicPem: key.publicPem,
      signerKeyPem: caKey.privatePem,
      issuer: ca,
      days: 30,
      dnsNames: ['*.clusters.localhost'],
    })
    this.caFile = join(this.dir, 'ca.pem')
    writeFileSync(this.caFile, forge.pki.certificateToPem(ca))
    this.server = createServer({key: key.privatePem, cert: forge.pki.certificateToPem(cert)}, (req, res) => {
      const host = (req.headers.host ?? '').split('.')[0]
      this.seen.push({host, path: req.url ?? '', authorization: req.headers.authorization})
      const answer = req.url === '/v1/health' ? this.health[host] : req.url === '/v1/firewall/self' ? this.firewall : undefined
      res.writeHead(answer?.status ?? 404, {'content-type': 'application/json', 'x-correlation-id': `corr-${host}`})
      res.end(JSON.stringify(answer?.body ?? {code: 'NOT_FOUND'}))
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
    rmSync(this.dir, {recursive: true, force: true})
  }

  uri = (clusterId: string) => `https://${clusterId}.clusters.localhost:${this.port}`

  /** The route the global service gives: both clusters on this listener. */
  route(over: Record<string, unknown> = {}) {
    return {
      ...ROUTE,
      home: {...ROUTE.home, uri: this.uri('eastus-1')},
      secondary: {...ROUTE.secondary, uri: this.uri('westus-1')},
      ...over,
    }
  }

  /** Healthy clusters: eastus-1 active for the tenant, westus-1 passive. */
  healthy(): void {
    const body = (clusterId: string, region: string, role: string) => ({
      clusterId,
      region,
      status: 'healthy',
      tenants: [{tenantId: TENANT, role, epoch: 1, replicationLagMs: 12}],
    })
    this.health = {
      'eastus-1': {status: 200, body: body('eastus-1', 'eastus', 'active')},
      'westus-1': {status: 200, body: body('westus-1', 'westus', 'passive')},
    }
  }
}

describe('route diagnose (in-process)', function () {
  this.timeout(60_000)
  const clusters = new Clusters()
  let p: FakePlatform
  before(() => clusters.start())
  after(() => clusters.stop())
  beforeEach(() => {
    clusters.seen.length = 0
    clusters.healthy()
  })
  afterEach(() => p.done())

  /** A signed-in platform whose profile trusts the clusters' CA and allows *.clusters.localhost; the provider's discovery document once. */
  async function platform(options: {tty?: boolean; color?: boolean; columns?: number; debug?: boolean; date?: string} = {}): Promise<FakePlatform> {
    const t = await fakePlatform({columns: 200, ...options})
    await t.ctx.config().update((c) => {
      c.profiles.work.caFile = clusters.caFile
      c.profiles.work.clusterAllowList = ['*.clusters.example.com', '*.clusters.localhost']
    })
    t.credentials.entries.set('work', {
      accessToken: jwt({
        iss: AUTHORITY,
        tid: TENANT,
        aud: 'https://api.example.com',
        sub: 'admin',
        exp: Math.round(t.clock.now() / 1000) + 3600,
        marker: 'test-access-token',
      }),
      accessTokenExpiresAt: t.clock.now() + 3600_000,
      refreshToken: 'test-refresh-token',
    })
    return t
  }
  /** The provider's discovery document, with the Date header given (the server's clock, for the skew check). */
  const discovery = (date: string | undefined, metadata: Record<string, unknown> = METADATA) =>
    nock(AUTHORITY)
      .get('/.well-known/openid-configuration')
      .reply(200, metadata, date ? {date} : {})
  const hop = (d: RouteDiagnosis, id: string) => {
    const found = d.hops.find((h) => h.id === id)
    expect(found, `hop ${id} in ${d.hops.map((h) => h.id).join(', ')}`).not.to.equal(undefined)
    return found!
  }
  const bearerOf = (t: FakePlatform) => t.credentials.entries.get('work')!.accessToken!

  it('every hop OK: exit 0, the --json report matches the schema, health asked with the bearer over verified TLS', async () => {
    p = await platform()
    discovery(new Date(p.clock.now()).toUTCString())
    p.global
      .get('/v1/me/home')
      .matchHeader('authorization', `Bearer ${bearerOf(p)}`)
      .reply(200, clusters.route())
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code, res.stdout).to.equal(0)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(d.verdict).to.equal('OK')
    expect(d.summary).to.equal(`OK: contoso (${TENANT}) is served by eastus-1 (eastus), epoch 1`)
    expect(d.hops.map((h) => `${h.id}=${h.verdict}`)).to.deep.equal([
      'profile=OK',
      'discovery=OK',
      'token=OK',
      'proxy=OK',
      'global=OK',
      'home.dns=OK',
      'home.tcp=OK',
      'home.tls=OK',
      'home.health=OK',
      'secondary.dns=OK',
      'secondary.tcp=OK',
      'secondary.tls=OK',
      'secondary.health=OK',
      'firewall=OK',
    ])
    expect(hop(d, 'firewall').summary).to.equal('off; your address 127.0.0.1')
    expect(hop(d, 'home.dns').details).to.include({source: 'localhost-rule'})
    expect(hop(d, 'home.tls').details).to.include({nameMatches: true})
    expect(hop(d, 'token').details).to.include({tenantId: TENANT, clockSkewSeconds: 0, source: 'cache'})
    expect(hop(d, 'global').details).to.deep.include({cache: {state: 'fresh', ageSeconds: 0, epoch: 1, home: 'eastus-1'}})
    expect(clusters.seen.map((s) => [s.host, s.path, s.authorization])).to.deep.equal([
      ['eastus-1', '/v1/health', `Bearer ${bearerOf(p)}`],
      ['westus-1', '/v1/health', `Bearer ${bearerOf(p)}`],
      ['eastus-1', '/v1/firewall/self', `Bearer ${bearerOf(p)}`],
    ])
    expect(res.stdout).not.to.contain(bearerOf(p))
    expectNoSecrets(res)
  })

  for (const tty of [false, true]) {
    it(`human form (${tty ? 'terminal' : 'pipe'}): each hop's title, its summary under it; the tenant named; no secret even with --debug`, async () => {
      p = await platform({tty, debug: true})
      discovery(undefined)
      p.global.get('/v1/me/home').reply(200, clusters.route())
      const res = await runCommand(RouteDiagnose, [...RELAXED, '--debug'], p)
      expect(res.code, res.stdout + res.stderr).to.equal(0)
      const out = res.stdout.trimEnd().split('\n')
      expect(out[0]).to.match(new RegExp(`^Route diagnosis for contoso \\(${TENANT}\\), profile work, \\d+ ms$`))
      expect(out[1]).to.match(/^OK +\d+ ms {2}profile work$/)
      expect(out[2]).to.equal(' '.repeat(15) + 'authority https://login.example.com, global service https://global.example.com')
      expect(res.stdout).to.match(/^OK +\d+ ms {2}home eastus-1 TLS\n {15}TLSv1\.[23] in \d+ ms; certificate .*name matches$/m)
      expect(out.at(-1)).to.equal(`Verdict: OK: contoso (${TENANT}) is served by eastus-1 (eastus), epoch 1`)
      expect(res.stdout).not.to.match(/\u001b/)
      expect(res.stderr).to.contain('[debug]')
      expect(res.stdout + res.stderr).not.to.contain(bearerOf(p))
      expectNoSecrets(res)
    })
  }

  for (const columns of [80, 200]) {
    it(`at ${columns} columns: no line longer, every hop title whole on its line, details wrapped at spaces under their hop`, async () => {
      p = await platform({tty: true, columns})
      discovery(undefined)
      clusters.health['eastus-1'] = {status: 503, body: {code: 'UNAVAILABLE'}}
      p.global.get('/v1/me/home').reply(200, clusters.route())
      const res = await runCommand(RouteDiagnose, RELAXED, p)
      expect(res.code).to.equal(8)
      // What run() returned: the diagnosis the lines were made from
      const d = res.result as RouteDiagnosis
      const out = res.stdout.trimEnd().split('\n')
      for (const line of out) expect([...line].length, line).to.be.at.most(columns)
      for (const h of d.hops)
        expect(
          out.some((l) => new RegExp(`^${h.verdict} +\\d+ ms  ${h.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`).test(l)),
          h.title,
        ).to.equal(true)
      // Every line between two hop lines is indented: a detail, under its hop.
      const body = out.slice(
        out.findIndex((l) => /^(OK|WARN|FAIL|SKIP) /.test(l)),
        out.findIndex((l) => l.startsWith('Verdict: ')),
      )
      for (const line of body) expect(line, line).to.match(/^(OK|WARN|FAIL|SKIP) +\d+ ms {2}\S| {15}\S/)
      // Words are whole: the summaries, causes and next steps come back word for word when the lines are joined.
      const joined = body.map((l) => l.trim()).join(' ')
      for (const h of d.hops) expect(joined).to.contain(h.summary)
      const health = d.hops.find((h) => h.id === 'home.health')!
      expect(joined).to.contain(`cause: ${health.cause!}`)
      if (columns === 80) expect(out.length).to.be.greaterThan(d.hops.length * 2)
    })
  }

  it('at a terminal that allows colour the verdicts are coloured, and only they; without colour none', async () => {
    p = await platform({tty: true, color: true, columns: 80})
    discovery(undefined)
    clusters.health['eastus-1'] = {status: 503, body: {code: 'UNAVAILABLE'}}
    p.global.get('/v1/me/home').reply(200, clusters.route())
    const res = await runCommand(RouteDiagnose, RELAXED, p)
    expect(res.code).to.equal(8)
    expect(res.stdout).to.match(/^\u001b\[32mOK\u001b\[39m +\d+ ms {2}profile work$/m)
    expect(res.stdout).to.match(/^\u001b\[31mFAIL\u001b\[39m +\d+ ms {2}home eastus-1 health$/m)
    expect(res.stdout).to.match(/^Verdict: \u001b\[31mFAIL\u001b\[39m at home eastus-1 health/m)

    const plain = res.stdout.replace(/\u001b\[\d+m/g, '')
    for (const line of plain.trimEnd().split('\n')) expect([...line].length, line).to.be.at.most(80)

    expect(res.stdout.match(/\u001b\[\d+m/g)!.length).to.equal(2 * (1 + plain.match(/^(OK|WARN|FAIL|SKIP) /gm)!.length))
  })

  it('WARN only (secondary lagging, clock skew): exit 0, the summary names the warnings', async () => {
    p = await platform()
    discovery(new Date(p.clock.now() - 300_000).toUTCString())
    clusters.health['westus-1'].body.tenants = [{tenantId: TENANT, role: 'passive', epoch: 1, replicationLagMs: 9000}]
    p.global.get('/v1/me/home').reply(200, clusters.route())
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(0)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(d.verdict).to.equal('WARN')
    expect(hop(d, 'token')).to.include({verdict: 'WARN', cause: "This machine's clock is 300 s ahead of the server's."})
    expect(hop(d, 'secondary.health')).to.include({verdict: 'WARN', cause: 'replication lag 9000 ms'})
    expect(d.summary).to.equal('WARN: the route works, with 2 warnings (access token; secondary westus-1 health)')
  })

  it('a stale cached route (lower epoch) is WARN and the cache is refreshed', async () => {
    p = await platform()
    discovery(undefined)
    p.global.get('/v1/me/home').reply(200, clusters.route({epoch: 3}))
    for (const body of Object.values(clusters.health)) (body.body.tenants as Array<{epoch: number}>)[0].epoch = 3
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(0)
    const d = res.json<RouteDiagnosis>()
    expect(hop(d, 'global').verdict).to.equal('WARN')
    expect(hop(d, 'global').cause).to.contain('a failover happened')
    expect((await (await p.ctx.router().cache('work')).get('me'))?.route.epoch).to.equal(3)
  })

  it('the home says it is passive: FAIL, exit 8, the JSON still printed, the verdict names the hop', async () => {
    p = await platform()
    discovery(undefined)
    clusters.health['eastus-1'].body.tenants = [{tenantId: TENANT, role: 'passive', epoch: 2}]
    p.global.get('/v1/me/home').reply(200, clusters.route())
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(d.verdict).to.equal('FAIL')
    expect(d.summary).to.equal('FAIL at home eastus-1 health: eastus-1 says it is passive for the tenant, but the route names it home.')
    expect(res.stderr).to.equal('')
  })

  it('the home answers 503 to /v1/health: FAIL with its status; a failing secondary is only WARN', async () => {
    p = await platform({tty: true})
    discovery(undefined)
    clusters.health['eastus-1'] = {status: 503, body: {code: 'UNAVAILABLE'}}
    clusters.health['westus-1'] = {status: 500, body: {code: 'BROKEN'}}
    p.global.get('/v1/me/home').reply(200, clusters.route())
    const res = await runCommand(RouteDiagnose, RELAXED, p)
    expect(res.code).to.equal(8)
    expect(res.stdout).to.match(/^FAIL +\d+ ms {2}home eastus-1 health\n {15}HTTP 503$/m)
    expect(res.stdout).to.match(/^WARN +\d+ ms {2}secondary westus-1 health\n {15}HTTP 500$/m)
    expect(res.stdout).to.contain(' '.repeat(15) + 'cause: eastus-1 answered HTTP 503 to GET /v1/health.')
    expect(res.stdout.trimEnd().split('\n').at(-1)).to.equal('Verdict: FAIL at home eastus-1 health: eastus-1 answered HTTP 503 to GET /v1/health.')
  })

  it("a cluster certificate the profile's CA does not vouch for: TLS FAIL, verification never bypassed, health never asked", async () => {
    p = await platform()
    await p.ctx.config().update((c) => void delete c.profiles.work.caFile)
    discovery(undefined)
    p.global.get('/v1/me/home').reply(200, clusters.route())
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(hop(d, 'home.tls').verdict).to.equal('FAIL')
    expect(hop(d, 'home.tls').cause).to.match(
      /TLS verification failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    )
    expect(d.hops.map((h) => h.id)).not.to.include('home.health')
    expect(clusters.seen).to.deep.equal([])
  })

  it('a secondary outside the allow-list: FAIL at its allow-list hop, nothing sent to it', async () => {
    p = await platform()
    discovery(undefined)
    p.global
      .get('/v1/me/home')
      .reply(200, clusters.route({secondary: {clusterId: 'westus-1', region: 'westus', uri: 'https://westus-1.clusters.elsewhere.localhost', mode: 'passive'}}))
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(hop(d, 'secondary.allow-list')).to.include({verdict: 'FAIL', summary: 'refused: nothing sent', code: 'CLUSTER_URI_REFUSED'})
    // The home's health, then the firewall hop (on the home too); nothing to the refused secondary.
    expect(clusters.seen.map((s) => s.host)).to.deep.equal(['eastus-1', 'eastus-1'])
  })

  it('a home outside the allow-list: the global hop FAILs (refused), no cluster probed', async () => {
    p = await platform()
    discovery(undefined)
    p.global.get('/v1/me/home').reply(200, clusters.route({home: {clusterId: 'x', region: 'x', uri: 'https://clusters.evil.example.net'}}))
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(hop(d, 'global').verdict).to.equal('FAIL')
    expect(hop(d, 'global').cause).to.contain('Refused the cluster URI "https://clusters.evil.example.net"')
    expect(clusters.seen).to.deep.equal([])
  })

  it('--tenant without the Support role: the global service says 403, FAIL at the global hop, exit 8', async () => {
    p = await platform()
    discovery(undefined)
    p.global.get('/v1/tenants/fabrikam/home').reply(...problem(403, 'FORBIDDEN', 'Support role required.', 'corr-403'))
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--tenant', 'fabrikam', '--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(d.tenant).to.equal('fabrikam')
    // The platform's stable code is in the hop (and the schema), for the support ticket.
    expect(hop(d, 'global')).to.include({verdict: 'FAIL', summary: 'no route', code: 'FORBIDDEN'})
    expect(hop(d, 'global').cause).to.contain('Not allowed to read the route of fabrikam')
  })

  it('the discovery document names another issuer: FAIL at discovery, the route still checked', async () => {
    p = await platform()
    discovery(undefined, {...METADATA, issuer: 'https://login.other.example.com'})
    p.global.get('/v1/me/home').reply(200, clusters.route())
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expect(hop(d, 'discovery')).to.include({verdict: 'FAIL', cause: "The issuer (https://login.other.example.com) is not the profile's authority."})
    expect(hop(d, 'home.health').verdict).to.equal('OK')
    expect(d.summary).to.match(/^FAIL at authority's discovery document/)
  })

  it('not signed in: FAIL at the token hop (exit 8, not 4), the global service never asked', async () => {
    p = await platform()
    await p.ctx.config().update((c) => void delete c.profiles.work.authMethod)
    discovery(undefined)
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(d.hops.map((h) => h.id)).to.deep.equal(['profile', 'discovery', 'token'])
    expect(hop(d, 'token')).to.include({verdict: 'FAIL', cause: 'Profile "work" is not signed in.', code: 'NOT_SIGNED_IN'})
  })

  it('refresh refused (invalid_grant) at the token hop: FAIL, and the sign-in is forgotten', async () => {
    p = await platform()
    p.credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: p.clock.now() - 1, refreshToken: 'test-refresh-token'})
    nock(AUTHORITY)
      .get('/.well-known/openid-configuration')
      .times(2)
      .reply(200, METADATA)
      .post('/token')
      .reply(400, {error: 'invalid_grant'}, {'content-type': 'application/json'})
    const res = await runCommand(RouteDiagnose, [...RELAXED, '--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expect(hop(d, 'token').verdict).to.equal('FAIL')
    expect(hop(d, 'token').cause).to.contain('has expired or was revoked')
    expect(p.credentials.entries.has('work')).to.equal(false)
    expectNoSecrets(res)
  })

  it('a profile without a global service URL: FAIL at the profile hop, nothing else tried', async () => {
    p = await platform()
    await p.ctx.config().update((c) => void delete c.profiles.work.globalUrl)
    const res = await runCommand(RouteDiagnose, ['--json'], p)
    expect(res.code).to.equal(8)
    const d = res.json<RouteDiagnosis>()
    expectSchema('route-diagnose', d)
    expect(d.hops).to.have.length(1)
    expect(hop(d, 'profile')).to.include({verdict: 'FAIL', summary: 'missing globalUrl'})
  })

  it('--slow that is not a duration: exit 2 before any request', async () => {
    p = await platform()
    const res = await runCommand(RouteDiagnose, ['--slow', 'soon'], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.match(/--slow/)
  })
})
