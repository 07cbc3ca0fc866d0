// Replication and failover against a real platform: planned and forced drills with the real CLI, 421 from the old primary, audit seq across restart.
// Each test starts its own platform: none depends on what another did.
import {expect} from 'chai'

import {runCli} from '../helpers/cli.js'
import {CONTOSO, FABRIKAM, startClusterPlatform, type ClusterPlatform, type Json} from '../helpers/cluster-platform.js'

describe('replication and failover (real platform)', function () {
  // A platform, several sign-ins and dozens of CLI runs: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let c: ClusterPlatform

  beforeEach(async () => {
    c = await startClusterPlatform()
  })
  afterEach(async () => c?.stop())

  const epochOf = async (upn: string) => {
    const res = await c.client.fetch(`${c.platform.urls.global}/v1/me/home`, {headers: {authorization: `Bearer ${c.tokens[upn]}`}})
    return (await res.json()) as {home: {clusterId: string}; epoch: number}
  }

  const writeBeforeFailover = async (admin: string) => {
    const ids: string[] = []
    for (let i = 0; i < 15; i++) {
      const res = await c.call(admin, 'eastus-1', 'POST', '/v1/connectors', {displayName: `Before failover ${i}`})
      expect(res.status).to.equal(201)
      ids.push(res.body.id)
    }
    return ids
  }
  const failover = async (tenant: string, force: boolean) => {
    const out = await runCli(
      ['sandbox', 'failover', '--tenant', tenant, ...(force ? ['--force'] : []), '--data-dir', c.platform.dataDir, '--json'],
      c.platform.cli.env,
    )
    expect(out.code, out.stderr).to.equal(0)
    return JSON.parse(out.stdout) as Json
  }
  /** Fabrikam's drill: replication paused, four writes that never ship, a forced failover that loses them. */
  const forcedFailoverLosingWrites = async (admin: string) => {
    const paused = await c.control<Json[]>('POST', '/v1/replication', {tenant: 'fabrikam', paused: true})
    expect(paused.status).to.equal(200)
    for (let i = 0; i < 4; i++) expect((await c.call(admin, 'westeurope-1', 'POST', '/v1/connectors', {displayName: `Unshipped ${i}`})).status).to.equal(201)
    const status = await runCli(['sandbox', 'status', '--data-dir', c.platform.dataDir, '--json'], c.platform.cli.env)
    const lag = (JSON.parse(status.stdout) as Json).replication.find((r: Json) => r.tenant === 'fabrikam')
    return {lag, result: await failover('fabrikam', true)}
  }

  it('keeps every write of a planned failover, grows the epoch, and the old primary answers 421', async () => {
    const admin = 'admin@contoso.example'
    const ids = await writeBeforeFailover(admin)
    // The passive secondary refuses with the active URI.
    const passive = await c.call(admin, 'westus-1', 'GET', '/v1/connectors')
    expect(passive.status).to.equal(421)
    expect(passive.body.activeUri).to.equal(`https://eastus-1.clusters.sandbox.localhost:${c.platform.port}`)
    expect(passive.headers.get('x-active-cluster-uri')).to.equal(passive.body.activeUri)
    const before = await epochOf(admin)

    const result = await failover('contoso', false)
    expect(result).to.include({mode: 'planned', from: 'eastus-1', to: 'westus-1', lostWrites: 0, previousEpoch: before.epoch})
    expect(result.epoch).to.be.greaterThan(before.epoch)

    const after = await epochOf(admin)
    expect(after.home.clusterId).to.equal('westus-1')
    expect(after.epoch).to.equal(result.epoch)
    const list = await c.call(admin, 'westus-1', 'GET', '/v1/connectors?tier=custom&limit=200')
    expect(list.status).to.equal(200)
    expect(list.body.items.map((x: Json) => x.id)).to.include.members(ids)
    const old = await c.call(admin, 'eastus-1', 'GET', '/v1/connectors')
    expect(old.status).to.equal(421)
    expect(old.body).to.include({code: 'WRONG_CLUSTER', activeUri: `https://westus-1.clusters.sandbox.localhost:${c.platform.port}`, epoch: result.epoch})
    // Writes continue on the new active and replicate back to the old one.
    expect((await c.call(admin, 'westus-1', 'POST', '/v1/connectors', {displayName: 'After failover'})).status).to.equal(201)
  })

  it('reports the writes a forced failover loses, with replication paused to build up lag', async () => {
    const admin = 'admin@fabrikam.example'
    const {lag, result} = await forcedFailoverLosingWrites(admin)
    expect(lag).to.include({active: 'westeurope-1', paused: true})
    expect(lag.lagEntries).to.be.at.least(4)
    expect(result).to.include({mode: 'forced', from: 'westeurope-1', to: 'northeurope-1'})
    expect(result.lostWrites).to.equal(lag.lagEntries)
    const list = await c.call(admin, 'northeurope-1', 'GET', '/v1/connectors?search=Unshipped')
    expect(list.body.items).to.deep.equal([])
    expect((await c.call(admin, 'westeurope-1', 'GET', '/v1/connectors')).status).to.equal(421)
  })

  it('keeps the audit seq gap-free per tenant across failovers and a restart', async () => {
    // Its own drills: a planned failover of Contoso after 15 writes, a forced one of Fabrikam that loses its writes.
    await writeBeforeFailover('admin@contoso.example')
    expect(await failover('contoso', false)).to.include({from: 'eastus-1', to: 'westus-1'})
    expect((await forcedFailoverLosingWrites('admin@fabrikam.example')).result).to.include({from: 'westeurope-1', to: 'northeurope-1'})
    // Refused requests are audited too; make one per tenant before the restart.
    expect((await c.call('admin@contoso.example', 'eastus-1', 'GET', '/v1/users')).status).to.equal(421)
    expect((await c.call('admin@fabrikam.example', 'westeurope-1', 'GET', '/v1/connectors')).status).to.equal(421)
    await c.restart()
    expect((await c.call('admin@contoso.example', 'westus-1', 'POST', '/v1/connectors', {displayName: 'After restart'})).status).to.equal(201)
    expect((await c.call('admin@contoso.example', 'westus-1', 'GET', '/v1/connectors?search=Before%20failover&limit=200')).body.items).to.have.length(15)

    // Fabrikam's connector.created events were all lost in its forced failover.
    for (const [tenant, cluster, required] of [
      [CONTOSO, 'westus-1', ['tenant.seeded', 'signin', 'token.issued', 'connector.created', 'failover.completed', 'request.refused']],
      [FABRIKAM, 'northeurope-1', ['tenant.seeded', 'signin', 'token.issued', 'failover.completed', 'request.refused']],
    ] as const) {
      const events = await c.sqlite(cluster, (db) =>
        (db.prepare('SELECT json FROM audit WHERE tenant_id = ? ORDER BY seq').all(tenant) as Array<{json: string}>).map((r) => JSON.parse(r.json) as Json),
      )
      expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1))
      const actions = new Set(events.map((e) => e.action))
      for (const a of required) expect(actions, a).to.include(a)
      for (const e of events) expect(e).to.have.keys(Object.keys(e)).and.include.keys('id', 'seq', 'time', 'tenantId', 'cluster', 'action', 'result', 'actor')
    }
  })
})
