// A platform made of nock scopes, for in-process command tests: a signed-in profile, its route, and the home cluster.
import {expect} from 'chai'
import nock from 'nock'

import {fakeClock, type FakeClock} from './fake-clock.js'
import {memoryAccess, testContext, type MemoryAccess, type TestContext, type TestContextOptions} from './context.js'

const GLOBAL = 'https://global.example.com'
export const AUTHORITY = 'https://login.example.com'
export const CLUSTER = 'https://eastus-1.clusters.example.com'
export const SECONDARY = 'https://westus-1.clusters.example.com'
export const TENANT = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
export const ROUTE = {
  tenantId: TENANT,
  tenantName: 'contoso',
  home: {clusterId: 'eastus-1', region: 'eastus', uri: CLUSTER},
  secondary: {clusterId: 'westus-1', region: 'westus', uri: SECONDARY, mode: 'passive'},
  epoch: 1,
  ttlSeconds: 3600,
}

export interface FakePlatform extends TestContext {
  clock: FakeClock
  credentials: MemoryAccess
  /** The home cluster: add the requests the command must make (each is expected exactly once unless .times()). */
  cluster: nock.Scope
  /** The global service (routing); the route above is already in the profile's cache, so a command needs it only on a miss. */
  global: nock.Scope
  /** Fails the test if a scope still expects a request; removes every interceptor. Call in afterEach. */
  done(): void
}

/**
 * Profile "work", signed in (a fresh token in memory), its tenant's route cached, the allow-list set; every other
 * host refused (test/setup.ts disables the network), so an unexpected request fails the command and the test.
 */
export async function fakePlatform(options: TestContextOptions = {}): Promise<FakePlatform> {
  const clock = (options.clock as FakeClock | undefined) ?? fakeClock()
  const credentials = memoryAccess()
  const t = testContext({profile: 'work', ...options, clock, credentials})
  await t.ctx.config().update((c) => {
    c.profiles.work = {
      globalUrl: GLOBAL,
      authority: AUTHORITY,
      clientId: 'ppctl',
      authMethod: 'device-code',
      account: 'admin@contoso.example',
      tenantId: TENANT,
      clusterAllowList: ['*.clusters.example.com'],
    }
  })
  credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: clock.now() + 3600_000, refreshToken: 'test-refresh-token'})
  await (await t.ctx.router().cache('work')).put(['me', TENANT, 'contoso'], {route: ROUTE, fetchedAt: clock.now(), expiresAt: clock.now() + 3600_000})
  const cluster = nock(CLUSTER).matchHeader('authorization', 'Bearer test-access-token')
  const global = nock(GLOBAL)
  return {
    ...t,
    clock,
    credentials,
    cluster,
    global,
    done() {
      const pending = nock.pendingMocks()
      nock.cleanAll()
      t.cleanup()
      expect(pending, 'requests the command was expected to make').to.deep.equal([])
    },
  }
}

/** An application/problem+json answer as the platform sends it: [status, body, headers] for nock's reply(). */
export function problem(status: number, code: string, detail: string, correlationId = 'corr-test-1') {
  return [
    status,
    {type: 'about:blank', status, code, title: code, detail, correlationId},
    {'content-type': 'application/problem+json', 'x-correlation-id': correlationId},
  ] as const
}
