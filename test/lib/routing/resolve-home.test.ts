// resolveHome: cache for the TTL, re-resolve on demand, refuse answers that fail the allow-list, typed errors.
import {expect} from 'chai'
import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Clock} from '../../../src/lib/clock.js'
import {ExitCode} from '../../../src/lib/errors/index.js'
import {resolveHome, type ResolveDeps} from '../../../src/lib/routing/resolve-home.js'
import {RouteCache} from '../../../src/lib/routing/route-cache.js'

const route = (epoch: number, home = 'eastus-1') => ({
  tenantId: '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1',
  tenantName: 'contoso',
  home: {clusterId: home, region: 'eastus', uri: `https://${home}.clusters.sandbox.localhost:8443`},
  secondary: {clusterId: 'westus-1', region: 'westus', uri: 'https://westus-1.clusters.sandbox.localhost:8443', mode: 'passive'},
  epoch,
  ttlSeconds: 300,
})

describe('routing/resolveHome', () => {
  let dir: string
  let now: number
  let calls: string[]
  let answers: Array<{status: number; body: unknown}>
  let deps: ResolveDeps

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-route-'))
    now = Date.parse('2026-11-27T10:00:00Z')
    calls = []
    answers = []
    const clock: Clock = {now: () => now, sleep: async () => {}}
    deps = {
      clock,
      cache: RouteCache.forProfile(join(dir, 'cache'), 'sandbox'),
      globalUrl: 'https://global.sandbox.localhost:8443',
      accessToken: async () => ({token: 'token-1'}),
      allowList: {patterns: ['*.clusters.sandbox.localhost']},
      fetch: async (url, init) => {
        calls.push(`${url} Bearer ${init?.auth?.token}`)
        const next = answers.shift()!
        return new Response(JSON.stringify(next.body), {status: next.status, headers: {'content-type': 'application/json', 'x-correlation-id': 'c-9'}})
      },
    }
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('asks the global service once, then answers from the cache until the TTL passes', async () => {
    answers.push({status: 200, body: route(1)}, {status: 200, body: route(1)})
    const first = await resolveHome(deps)
    expect(first).to.include({fromCache: false, ageSeconds: 0, expiresInSeconds: 300})
    expect(calls).to.deep.equal(['https://global.sandbox.localhost:8443/v1/me/home Bearer token-1'])
    now += 120_000
    const second = await resolveHome(deps)
    expect(second).to.include({fromCache: true, ageSeconds: 120, expiresInSeconds: 180})
    const byName = await resolveHome(deps, {tenant: 'contoso'})
    expect(byName.fromCache).to.equal(true)
    expect(calls).to.have.length(1)
    now += 181_000
    expect((await resolveHome(deps)).fromCache).to.equal(false)
    expect(calls).to.have.length(2)
    expect(statSync((deps.cache as RouteCache).file).mode & 0o777).to.equal(0o600)
  })

  it('re-resolves ignoring the cache when asked, and follows a failover (the epoch grows)', async () => {
    answers.push({status: 200, body: route(1)}, {status: 200, body: route(2, 'westus-1')})
    await resolveHome(deps)
    const after = await resolveHome(deps, {refresh: true})
    expect(after.route.epoch).to.equal(2)
    expect(after.route.home.clusterId).to.equal('westus-1')
    expect((await resolveHome(deps)).route.epoch).to.equal(2)
  })

  it('refuses, and does not cache, a home outside the allow-list', async () => {
    const evil = route(1)
    evil.home.uri = 'https://eastus-1.clusters.sandbox.localhost.evil.example'
    answers.push({status: 200, body: evil})
    try {
      await resolveHome(deps)
      expect.fail('accepted')
    } catch (err) {
      expect((err as {code: string; exitCode: number}).code).to.equal('CLUSTER_URI_REFUSED')
      expect((err as {exitCode: number}).exitCode).to.equal(ExitCode.UNREACHABLE)
    }
    expect(await deps.cache.get('me')).to.equal(undefined)
  })

  it('maps 403 and 404 to typed errors with the correlation id', async () => {
    answers.push({status: 403, body: {code: 'TENANT_ACCESS_DENIED', detail: 'no'}}, {status: 404, body: {code: 'TENANT_NOT_FOUND'}})
    for (const expected of [ExitCode.PERMISSION_DENIED, ExitCode.NOT_FOUND]) {
      try {
        await resolveHome(deps, {tenant: 'fabrikam'})
        expect.fail('accepted')
      } catch (err) {
        expect((err as {exitCode: number}).exitCode).to.equal(expected)
        expect((err as {correlationId: string}).correlationId).to.equal('c-9')
      }
    }
  })

  it('refuses an answer that is not a route', async () => {
    answers.push({status: 200, body: {hello: 'world'}})
    try {
      await resolveHome(deps)
      expect.fail('accepted')
    } catch (err) {
      expect((err as {code: string}).code).to.equal('ROUTE_MALFORMED')
    }
  })

  it('clear() removes the profile cache folder', async () => {
    answers.push({status: 200, body: route(1)})
    await resolveHome(deps)
    await deps.cache.clear()
    expect(await deps.cache.get('me')).to.equal(undefined)
  })
})
