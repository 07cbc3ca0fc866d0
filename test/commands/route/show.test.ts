// `ppctl route show` in-process: the cached route and a fresh one, --tenant and --refresh, the global service's errors, the allow-list.
import {Ajv2020} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import RouteShow from '../../../src/commands/route/show.js'
import type {RouteShowResult} from '../../../src/lib/routing/show.js'
import {REFRESH_AHEAD_MS} from '../../../src/lib/auth/token-lifecycle.js'
import {ROOT} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'
import {tsvRecords} from '../../helpers/tsv.js'
import {fakePlatform, problem, ROUTE, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectSchema} from '../../helpers/route-schemas.js'
import {expectNoSecrets, identityProvider} from '../../helpers/fake-idp.js'

const ajv = new Ajv2020({allErrors: true, strict: true})
const errorSchema = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'error.json'), 'utf8')))
/** A --json failure is the committed error document. */
function expectErrorSchema(value: unknown): void {
  expect(errorSchema(value), `error: ${ajv.errorsText(errorSchema.errors)}\n${JSON.stringify(value)}`).to.equal(true)
}
const FABRIKAM = {
  ...ROUTE,
  tenantId: '7d1e0a44-3f7b-4c55-8f0e-2b6a9c1d0e11',
  tenantName: 'fabrikam',
  home: {clusterId: 'westus-1', region: 'westus', uri: 'https://westus-1.clusters.example.com'},
  secondary: {clusterId: 'eastus-1', region: 'eastus', uri: 'https://eastus-1.clusters.example.com', mode: 'passive'},
  epoch: 4,
  ttlSeconds: 300,
}

describe('route show (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  /** What is cached for `key` now (undefined when nothing is). */
  const cached = async (t: FakePlatform, key: string) => (await (await t.ctx.router().cache('work')).get(key))?.route

  it('answers from the cache without a request (pipe: TSV, a header and one line)', async () => {
    p = await fakePlatform()
    await p.clock.sleep(60_000)
    const res = await runCommand(RouteShow, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(tsvRecords(res.stdout)).to.deep.equal([
      {
        Tenant: `contoso (${TENANT})`,
        Home: 'eastus-1 (eastus)  https://eastus-1.clusters.example.com',
        Secondary: 'westus-1 (westus, passive)  https://westus-1.clusters.example.com',
        Epoch: '1',
        TTL: '3600 s',
        Answer: 'from the cache, 60 s old, valid 3540 s more',
      },
    ])
    expect(res.stderr).to.equal('')
  })

  {
    const tty = true
    it(`answers from the cache without a request (${tty ? 'terminal' : 'pipe'})`, async () => {
      p = await fakePlatform({tty, columns: 120})
      await p.clock.sleep(60_000)
      const res = await runCommand(RouteShow, [], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.match(new RegExp(`Tenant: +contoso \\(${TENANT}\\)`))
      expect(res.stdout).to.match(/Home: +eastus-1 \(eastus\) {2}https:\/\/eastus-1\.clusters\.example\.com/)
      expect(res.stdout).to.match(/Secondary: +westus-1 \(westus, passive\) {2}https:\/\/westus-1\.clusters\.example\.com/)
      expect(res.stdout).to.match(/Epoch: +1\n/)
      expect(res.stdout).to.match(/TTL: +3600 s/)
      expect(res.stdout).to.match(/Answer: +from the cache, 60 s old, valid 3540 s more/)
      expect(res.stderr).to.equal('')
    })
  }

  it('--json from the cache matches the schema', async () => {
    p = await fakePlatform()
    const res = await runCommand(RouteShow, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    const out = res.json<RouteShowResult>()
    expectSchema('route-show', out)
    expect(out).to.deep.equal({...ROUTE, fromCache: true, ageSeconds: 0, expiresInSeconds: 3600})
  })

  it('--refresh asks the global service with the bearer token, caches the answer; no secret printed with --debug', async () => {
    p = await fakePlatform({debug: true})
    const moved = {...ROUTE, epoch: 2, ttlSeconds: 120, home: {clusterId: 'westus-1', region: 'westus', uri: 'https://westus-1.clusters.example.com'}}
    p.global.get('/v1/me/home').matchHeader('authorization', 'Bearer test-access-token').reply(200, moved, {'x-correlation-id': 'corr-home'})
    const res = await runCommand(RouteShow, ['--refresh', '--json', '--debug'], p)
    expect(res.code, res.stderr).to.equal(0)
    const out = res.json<RouteShowResult>()
    expectSchema('route-show', out)
    expect(out).to.deep.include({epoch: 2, fromCache: false, ageSeconds: 0, expiresInSeconds: 120})
    expect(out.home.clusterId).to.equal('westus-1')
    expect((await cached(p, 'me'))?.epoch).to.equal(2)
    expect((await cached(p, 'contoso'))?.epoch).to.equal(2)
    expect(res.stderr).to.contain('[debug]').and.to.contain('/v1/me/home')
    expectNoSecrets(res)
  })

  it('--refresh, human form: "from the global service, just now"', async () => {
    p = await fakePlatform({tty: true})
    p.global.get('/v1/me/home').reply(200, ROUTE)
    const res = await runCommand(RouteShow, ['--refresh'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/Answer: +from the global service, just now/)
  })

  it('an expired cache entry is asked for again', async () => {
    p = await fakePlatform()
    await p.clock.sleep(3600_000)
    p.credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: p.clock.now() + 3600_000, refreshToken: 'test-refresh-token'})
    p.global.get('/v1/me/home').reply(200, ROUTE)
    const res = await runCommand(RouteShow, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<RouteShowResult>().fromCache).to.equal(false)
  })

  it("--tenant: another tenant's route from /v1/tenants/{tenant}/home, cached under its name and id", async () => {
    p = await fakePlatform()
    p.global.get('/v1/tenants/fabrikam/home').matchHeader('authorization', 'Bearer test-access-token').reply(200, FABRIKAM)
    const res = await runCommand(RouteShow, ['--tenant', 'fabrikam', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expectSchema('route-show', res.json())
    expect(res.json<RouteShowResult>()).to.deep.include({tenantId: FABRIKAM.tenantId, tenantName: 'fabrikam', fromCache: false, epoch: 4})
    expect((await cached(p, FABRIKAM.tenantId))?.tenantName).to.equal('fabrikam')
    // The signed-in tenant's entry is untouched.
    expect((await cached(p, 'me'))?.tenantId).to.equal(TENANT)
  })

  it('platform text with escape sequences is inert in a terminal, exact (escaped) in --json', async () => {
    p = await fakePlatform({tty: true})
    const hostile = {...FABRIKAM, tenantName: 'fab\u001b]52;c;aGk=\u0007rikam', home: {...FABRIKAM.home, region: 'west\u001b[2Jus'}}
    p.global.get('/v1/tenants/fabrikam/home').twice().reply(200, hostile)
    const res = await runCommand(RouteShow, ['--tenant', 'fabrikam'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).not.to.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    expect(res.stdout).to.contain('westus-1')
    // The test context's streams keep everything written so far: the second run's output follows the first's.
    const json = (await runCommand(RouteShow, ['--tenant', 'fabrikam', '--refresh', '--json'], p)).stdout.slice(res.stdout.length)
    expect(json).not.to.match(/\u001b/)
    expect((JSON.parse(json) as RouteShowResult).tenantName).to.equal(hostile.tenantName)
  })

  it('--tenant with characters that need escaping reaches the path encoded', async () => {
    p = await fakePlatform()
    p.global.get('/v1/tenants/a%2Fb%3Fc/home').reply(...problem(404, 'TENANT_NOT_FOUND', 'No such tenant.'))
    const res = await runCommand(RouteShow, ['--tenant', 'a/b?c'], p)
    expect(res.code).to.equal(6)
  })

  const errors: Array<{status: number; code: string; exit: number; argv: string[]; path: string}> = [
    {status: 401, code: 'UNAUTHENTICATED', exit: 4, argv: ['--refresh'], path: '/v1/me/home'},
    {status: 403, code: 'FORBIDDEN', exit: 5, argv: ['--tenant', 'fabrikam'], path: '/v1/tenants/fabrikam/home'},
    {status: 404, code: 'TENANT_NOT_FOUND', exit: 6, argv: ['--tenant', 'nosuch'], path: '/v1/tenants/nosuch/home'},
  ]
  for (const e of errors) {
    it(`${e.status} from the global service (${e.argv.join(' ')}): exit ${e.exit} with its code and correlation id, nothing cached`, async () => {
      p = await fakePlatform()
      p.global.get(e.path).reply(...problem(e.status, e.code, `detail of ${e.status}`, `corr-${e.status}`))
      const res = await runCommand(RouteShow, [...e.argv, '--json'], p)
      expect(res.code).to.equal(e.exit)
      const out = res.json<{error: Record<string, unknown>}>()
      expectErrorSchema(out)
      expect(out.error).to.include({code: e.code, exitCode: e.exit, correlationId: `corr-${e.status}`})
      expect(await cached(p, 'fabrikam')).to.equal(undefined)
      expectNoSecrets(res)
    })
  }

  it('403 without a problem body, human form: one line with the next step, no stack', async () => {
    p = await fakePlatform({tty: true})
    p.global.get('/v1/tenants/fabrikam/home').reply(403, 'nope')
    const res = await runCommand(RouteShow, ['--tenant', 'fabrikam'], p)
    expect(res.code).to.equal(5)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.match(/^Error: Not allowed to read the route of fabrikam: HTTP 403\n/)
    expect(res.stderr).to.contain("Next: Your own tenant's route: ppctl route show (without --tenant)")
    expect(res.stderr).not.to.match(/\n\s+at /)
  })

  it('--tenant fabrikam as an Admin of contoso (403 TENANT_ACCESS_DENIED): the Next line says what to do, not the error again', async () => {
    p = await fakePlatform()
    p.global
      .get('/v1/tenants/fabrikam/home')
      .reply(...problem(403, 'TENANT_ACCESS_DENIED', 'Only the Support role reads the routes of other tenants.', 'corr-403'))
    const res = await runCommand(RouteShow, ['--tenant', 'fabrikam'], p)
    expect(res.code).to.equal(5)
    const [error, next] = res.stderr.split('\n')
    expect(error).to.equal('Error: Not allowed to read the route of fabrikam: Only the Support role reads the routes of other tenants.')
    expect(next).to.match(/^ {2}Next: /)
    expect(next).to.contain('ppctl route show (without --tenant)').and.contain('ppctl auth login --profile support')
    expect(next.toLowerCase()).not.to.contain('only the support role reads')
  })

  it('503 from the global service: retried on the clock, then exit 9 PLATFORM_UNAVAILABLE with its correlation id', async () => {
    p = await fakePlatform()
    p.global
      .get('/v1/me/home')
      .times(4)
      .reply(...problem(503, 'SERVICE_UNAVAILABLE', 'maintenance', 'corr-503'))
    const res = await runCommand(RouteShow, ['--refresh', '--json'], p)
    expect(res.code).to.equal(9)
    expectErrorSchema(res.json())
    expect(res.json<{error: Record<string, unknown>}>().error).to.include({code: 'PLATFORM_UNAVAILABLE', correlationId: 'corr-503', exitCode: 9})
    expect(p.clock.sleeps).to.have.length(3)
    expect((await cached(p, 'me'))?.epoch).to.equal(1)
  })

  it('500 from the global service (not retried), --tenant: exit 8 with the platform code and its detail', async () => {
    p = await fakePlatform({tty: true})
    p.global.get('/v1/tenants/fabrikam/home').reply(...problem(500, 'INTERNAL', 'routing table unavailable', 'corr-500'))
    const res = await runCommand(RouteShow, ['--tenant', 'fabrikam'], p)
    expect(res.code).to.equal(8)
    // At a terminal the error is wrapped at spaces to its width: read it with the wrapped lines joined.
    expect(res.stderr.replace(/\n {7}/g, ' '))
      .to.match(/^Error: The global service answered HTTP 500 for fabrikam: routing table unavailable/)
      .and.to.contain('corr-500')
    expect(p.clock.sleeps).to.deep.equal([])
  })

  it('a home outside the allow-list: refused (exit 8), nothing sent to it, not cached', async () => {
    p = await fakePlatform()
    const evil = {...ROUTE, epoch: 9, home: {clusterId: 'x', region: 'x', uri: 'https://clusters.evil.example.net'}}
    p.global.get('/v1/me/home').reply(200, evil)
    const res = await runCommand(RouteShow, ['--refresh'], p)
    expect(res.code).to.equal(8)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.contain('Refused the cluster URI "https://clusters.evil.example.net"').and.to.contain('matches none of *.clusters.example.com')
    expect(res.stderr).to.contain('Nothing was sent to it.')
    expect((await cached(p, 'me'))?.epoch).to.equal(1)
  })

  it('a plain-http home is refused too, with --json', async () => {
    p = await fakePlatform()
    p.global.get('/v1/tenants/fabrikam/home').reply(200, {...FABRIKAM, home: {...FABRIKAM.home, uri: 'http://westus-1.clusters.example.com'}})
    const res = await runCommand(RouteShow, ['--tenant', 'fabrikam', '--json'], p)
    expect(res.code).to.equal(8)
    expectErrorSchema(res.json())
    expect(res.json<{error: Record<string, unknown>}>().error).to.include({code: 'CLUSTER_URI_REFUSED', exitCode: 8})
    expect(await cached(p, 'fabrikam')).to.equal(undefined)
  })

  it('an answer that is not a route: a one-line error, not cached', async () => {
    p = await fakePlatform()
    p.global.get('/v1/me/home').reply(200, {tenantId: TENANT, home: 'eastus-1'})
    const res = await runCommand(RouteShow, ['--refresh', '--json'], p)
    expect(res.code).not.to.equal(0)
    expect(res.json<{error: Record<string, unknown>}>().error).to.include({code: 'ROUTE_MALFORMED'})
  })

  it('the token near expiry is refreshed under the lock first; the global service gets the new one', async () => {
    p = await fakePlatform()
    p.credentials.entries.set('work', {
      accessToken: 'test-access-token',
      accessTokenExpiresAt: p.clock.now() + REFRESH_AHEAD_MS - 1,
      refreshToken: 'test-refresh-token',
    })
    identityProvider()
      .post('/token')
      .reply(200, {access_token: 'new-access-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rotated-refresh-token'})
    p.global.get('/v1/me/home').matchHeader('authorization', 'Bearer new-access-token').reply(200, ROUTE)
    const res = await runCommand(RouteShow, ['--refresh'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(p.credentials.locks).to.equal(1)
    expect(p.credentials.entries.get('work')?.refreshToken).to.equal('rotated-refresh-token')
    expectNoSecrets(res)
  })

  it('refresh refused (invalid_grant): exit 4, secrets and the routing cache forgotten, no request to the global service', async () => {
    p = await fakePlatform()
    p.credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: p.clock.now() - 1, refreshToken: 'test-refresh-token'})
    identityProvider().post('/token').reply(400, {error: 'invalid_grant'}, {'content-type': 'application/json'})
    const res = await runCommand(RouteShow, ['--refresh'], p)
    expect(res.code).to.equal(4)
    expect(res.stderr).to.contain('has expired or was revoked')
    expect(p.credentials.entries.has('work')).to.equal(false)
    expect(await cached(p, 'me')).to.equal(undefined)
    expectNoSecrets(res)
  })

  it('not signed in, cache cold: exit 4 before any request', async () => {
    p = await fakePlatform()
    await p.ctx.config().update((c) => void delete c.profiles.work.authMethod)
    const res = await runCommand(RouteShow, ['--refresh'], p)
    expect(res.code).to.equal(4)
    expect(res.stderr).to.contain('Profile "work" is not signed in.')
  })

  it('no global service URL: exit 2 saying how to set it', async () => {
    p = await fakePlatform()
    await p.ctx.config().update((c) => void delete c.profiles.work.globalUrl)
    const res = await runCommand(RouteShow, [], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.contain('has no global service URL').and.to.contain('ppctl config set global-url')
  })
})
