// Replication and failover against a real platform: planned and forced drills with the real CLI, 421 from the old primary, audit seq across restart.
// Each test starts its own platform: none depends on what another did.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {controlRequest} from '../../src/lib/sandbox/lifecycle.js'
import {runCli} from '../helpers/cli.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {deviceSignIn} from '../helpers/tokens.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('replication and failover (real platform)', function () {
  let platform: TestPlatform
  let client: TestClient
  const tokens: Record<string, string> = {}

  beforeEach(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
    for (const upn of ['admin@contoso.example', 'admin@fabrikam.example']) tokens[upn] = (await deviceSignIn(client, platform, upn)).access_token
  })

  afterEach(async () => {
    await client?.close()
    await platform?.stop()
  })

  async function call(upn: string, cluster: string, method: string, path: string, body?: unknown) {
    const res = await client.fetch(`https://${cluster}.clusters.sandbox.localhost:${platform.port}${path}`, {
      method,
      headers: {authorization: `Bearer ${tokens[upn]}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return {status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json}
  }
  const control = <T>(method: string, path: string, body?: unknown) => {
    const state = JSON.parse(readFileSync(join(platform.dataDir, 'state.json'), 'utf8')) as {controlSocket: string}
    return controlRequest<T>(state.controlSocket, method, path, body)
  }
  const epochOf = async (upn: string) => {
    const res = await client.fetch(`${platform.urls.global}/v1/me/home`, {headers: {authorization: `Bearer ${tokens[upn]}`}})
    return (await res.json()) as {home: {clusterId: string}; epoch: number}
  }

  const writeBeforeFailover = async (admin: string) => {
    const ids: string[] = []
    for (let i = 0; i < 15; i++) {
      const res = await call(admin, 'eastus-1', 'POST', '/v1/connectors', {displayName: `Before failover ${i}`})
      expect(res.status).to.equal(201)
      ids.push(res.body.id)
    }
    return ids
  }
  const failover = async (tenant: string, force: boolean) => {
    const out = await runCli(['sandbox', 'failover', '--tenant', tenant, ...(force ? ['--force'] : []), '--data-dir', platform.dataDir, '--json'], platform.cli.env)
    expect(out.code, out.stderr).to.equal(0)
    return JSON.parse(out.stdout) as Json
  }
  /** Fabrikam's drill: replication paused, four writes that never ship, a forced failover that loses them. */
  const forcedFailoverLosingWrites = async (admin: string) => {
    const paused = await control<Json[]>('POST', '/v1/replication', {tenant: 'fabrikam', paused: true})
    expect(paused.status).to.equal(200)
    for (let i = 0; i < 4; i++) expect((await call(admin, 'westeurope-1', 'POST', '/v1/connectors', {displayName: `Unshipped ${i}`})).status).to.equal(201)
    const status = await runCli(['sandbox', 'status', '--data-dir', platform.dataDir, '--json'], platform.cli.env)
    const lag = (JSON.parse(status.stdout) as Json).replication.find((r: Json) => r.tenant === 'fabrikam')
    return {lag, result: await failover('fabrikam', true)}
  }

  it('keeps every write of a planned failover, grows the epoch, and the old primary answers 421', async () => {
    const admin = 'admin@contoso.example'
    const ids = await writeBeforeFailover(admin)
    // The passive secondary refuses with the active URI.
    const passive = await call(admin, 'westus-1', 'GET', '/v1/connectors')
    expect(passive.status).to.equal(421)
    expect(passive.body.activeUri).to.equal(`https://eastus-1.clusters.sandbox.localhost:${platform.port}`)
    expect(passive.headers.get('x-active-cluster-uri')).to.equal(passive.body.activeUri)
    const before = await epochOf(admin)

    const result = await failover('contoso', false)
    expect(result).to.include({mode: 'planned', from: 'eastus-1', to: 'westus-1', lostWrites: 0, previousEpoch: before.epoch})
    expect(result.epoch).to.be.greaterThan(before.epoch)

    const after = await epochOf(admin)
    expect(after.home.clusterId).to.equal('westus-1')
    expect(after.epoch).to.equal(result.epoch)
    const list = await call(admin, 'westus-1', 'GET', '/v1/connectors?tier=custom&limit=200')
    expect(list.status).to.equal(200)
    expect(list.body.items.map((c: Json) => c.id)).to.include.members(ids)
    const old = await call(admin, 'eastus-1', 'GET', '/v1/connectors')
    expect(old.status).to.equal(421)
    expect(old.body).to.include({code: 'WRONG_CLUSTER', activeUri: `https://westus-1.clusters.sandbox.localhost:${platform.port}`, epoch: result.epoch})
    // Writes continue on the new active and replicate back to the old one.
    expect((await call(admin, 'westus-1', 'POST', '/v1/connectors', {displayName: 'After failover'})).status).to.equal(201)
  })

  it('reports the writes a forced failover loses, with replication paused to build up lag', async () => {
    const admin = 'admin@fabrikam.example'
    const {lag, result} = await forcedFailoverLosingWrites(admin)
    expect(lag).to.include({active: 'westeurope-1', paused: true})
    expect(lag.lagEntries).to.be.at.least(4)
    expect(result).to.include({mode: 'forced', from: 'westeurope-1', to: 'northeurope-1'})
    expect(result.lostWrites).to.equal(lag.lagEntries)
    const list = await call(admin, 'northeurope-1', 'GET', '/v1/connectors?search=Unshipped')
    expect(list.body.items).to.deep.equal([])
    expect((await call(admin, 'westeurope-1', 'GET', '/v1/connectors')).status).to.equal(421)
  })

  it('keeps the audit seq gap-free per tenant across failovers and a restart', async () => {
    // Its own drills: a planned failover of Contoso after 15 writes, a forced one of Fabrikam that loses its writes.
    await writeBeforeFailover('admin@contoso.example')
    expect(await failover('contoso', false)).to.include({from: 'eastus-1', to: 'westus-1'})
    expect((await forcedFailoverLosingWrites('admin@fabrikam.example')).result).to.include({from: 'westeurope-1', to: 'northeurope-1'})
    // Refused requests are audited too; make one per tenant before the restart.
    expect((await call('admin@contoso.example', 'eastus-1', 'GET', '/v1/users')).status).to.equal(421)
    expect((await call('admin@fabrikam.example', 'westeurope-1', 'GET', '/v1/connectors')).status).to.equal(421)
    const stop = await runCli(['sandbox', 'stop', '--data-dir', platform.dataDir], platform.cli.env)
    expect(stop.code, stop.stderr).to.equal(0)
    const start = await runCli(['sandbox', 'start', '--port', String(platform.port), '--data-dir', platform.dataDir, '--json'], platform.cli.env)
    expect(start.code, start.stderr).to.equal(0)
    // The old process's pooled connections are gone with it.
    await client.close()
    client = testClient(platform.caPem)
    tokens['admin@contoso.example'] = (await deviceSignIn(client, platform, 'admin@contoso.example')).access_token
    expect((await call('admin@contoso.example', 'westus-1', 'POST', '/v1/connectors', {displayName: 'After restart'})).status).to.equal(201)
    expect((await call('admin@contoso.example', 'westus-1', 'GET', '/v1/connectors?search=Before%20failover&limit=200')).body.items).to.have.length(15)

    const {default: Database} = await import('better-sqlite3')
    // Fabrikam's connector.created events were all lost in its forced failover.
    for (const [tenant, cluster, required] of [
      ['2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1', 'westus-1', ['tenant.seeded', 'signin', 'token.issued', 'connector.created', 'failover.completed', 'request.refused']],
      ['7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2', 'northeurope-1', ['tenant.seeded', 'signin', 'token.issued', 'failover.completed', 'request.refused']],
    ] as const) {
      const db = new Database(join(platform.dataDir, 'clusters', `${cluster}.db`), {readonly: true})
      try {
        const events = (db.prepare('SELECT json FROM audit WHERE tenant_id = ? ORDER BY seq').all(tenant) as Array<{json: string}>).map((r) => JSON.parse(r.json) as Json)
        expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1))
        const actions = new Set(events.map((e) => e.action))
        for (const a of required) expect(actions, a).to.include(a)
        for (const e of events) expect(e).to.have.keys(Object.keys(e)).and.include.keys('id', 'seq', 'time', 'tenantId', 'cluster', 'action', 'result', 'actor')
      } finally {
        db.close()
      }
    }
  })
})
