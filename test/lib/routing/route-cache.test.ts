// The routing cache's two homes: a file per profile, or, in CI mode, memory that lasts one command run.
import {expect} from 'chai'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {createContext} from '../../../src/lib/context.js'
import {MemoryRouteCache, RouteCache, type CachedRoute} from '../../../src/lib/routing/route-cache.js'
import {fakeIO} from '../../helpers/fake-io.js'

const entry = (tenantId: string, epoch = 1): CachedRoute => ({
  route: {
    tenantId,
    home: {clusterId: 'eastus-1', region: 'eastus', uri: 'https://eastus-1.clusters.example.com'},
    secondary: {clusterId: 'westus-1', region: 'westus', uri: 'https://westus-1.clusters.example.com', mode: 'passive'},
    epoch,
    ttlSeconds: 300,
  },
  fetchedAt: 0,
  expiresAt: 300_000,
})

const CI = {PPCTL_CLIENT_ID: 'sp-1', PPCTL_TENANT_ID: 'contoso', PPCTL_CERTIFICATE_PATH: '/secrets/ci.pem'}

describe('routing/route cache', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-route-cache-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  const context = (env: NodeJS.ProcessEnv) =>
    createContext({version: '0.0.0', env, io: fakeIO().io, paths: {config: join(dir, 'config'), cache: join(dir, 'cache'), data: join(dir, 'data')}})

  it('in CI mode keeps routes in memory, one cache per command run, and writes no file', async () => {
    const ctx = context(CI)
    const cache = await ctx.router().cache('default')
    expect(cache).to.be.instanceOf(MemoryRouteCache)
    await cache.put(['me', 'T1', 'contoso'], entry('T1'))
    expect(await (await ctx.router().cache('default')).get('CONTOSO')).to.deep.equal(entry('T1'))
    expect(await (await context(CI).router().cache('default')).get('me')).to.equal(undefined)
    expect(await (await ctx.router().cache('other')).get('me')).to.equal(undefined)
    expect(existsSync(join(dir, 'cache'))).to.equal(false)
  })

  it('forgets every key of the tenant, as the file cache does', async () => {
    for (const cache of [new MemoryRouteCache(), RouteCache.forProfile(join(dir, 'cache'), 'p')]) {
      await cache.put(['me', 'T1', 'contoso'], entry('T1'))
      await cache.put(['T2', 'fabrikam'], entry('T2'))
      await cache.forget('contoso')
      expect(await cache.get('me')).to.equal(undefined)
      expect(await cache.get('T1')).to.equal(undefined)
      expect(await cache.get('fabrikam')).to.deep.equal(entry('T2'))
      await cache.clear()
      expect(await cache.get('T2')).to.equal(undefined)
    }
  })

  it("outside CI mode is the profile's file under the cache folder", async () => {
    const cache = await context({}).router().cache('work')
    expect(cache).to.be.instanceOf(RouteCache)
    await cache.put(['me'], entry('T1'))
    expect(existsSync(join(dir, 'cache', 'work', 'routes.json'))).to.equal(true)
  })

  it('a run reads the file once, however many requests ask; a change reads it afresh and keeps what another run wrote', async () => {
    const ctx = context({})
    const cache = await ctx.router().cache('work')
    expect(await ctx.router().cache('work')).to.equal(cache)
    await cache.put(['me'], entry('T1'))
    const file = join(dir, 'cache', 'work', 'routes.json')
    // Another run writes T2 meanwhile: this run keeps answering from what it read…
    const other = RouteCache.forProfile(join(dir, 'cache'), 'work')
    await other.put(['t2'], entry('T2'))
    rmSync(file)
    expect((await cache.get('me'))?.route.tenantId).to.equal('T1')
    expect(await cache.get('t2')).to.equal(undefined)
    // …and its next change reads the file afresh (here gone), so it never writes back a stale copy over another run's.
    await other.put(['t2'], entry('T2'))
    await cache.put(['t3'], entry('T3'))
    const fresh = RouteCache.forProfile(join(dir, 'cache'), 'work')
    expect((await fresh.get('t2'))?.route.tenantId).to.equal('T2')
    expect((await fresh.get('t3'))?.route.tenantId).to.equal('T3')
    expect(await fresh.get('me')).to.equal(undefined)
  })
})
