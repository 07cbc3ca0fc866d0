// Environments, flows and DLP policies survive a planned failover: the new active cluster serves them, enforces them and suspends flows on a policy change.
import {expect} from 'chai'

import {runCli} from '../helpers/cli.js'
import {caughtUp, CONTOSO, startClusterPlatform, type ClusterPlatform, type Json} from '../helpers/cluster-platform.js'

const ADMIN = 'admin@contoso.example'

describe('governance data across a failover (real platform)', function () {
  // A platform, a failover drill and a restart of nothing: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let c: ClusterPlatform

  before(async () => {
    c = await startClusterPlatform()
  })
  after(async () => c?.stop())

  const call = async (cluster: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await c.client.fetch(`https://${c.host(cluster)}${path}`, {
      method,
      headers: {authorization: `Bearer ${c.tokens[ADMIN]}`, ...(body === undefined ? {} : {'content-type': 'application/json'}), ...headers},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return {status: res.status, body: (text ? JSON.parse(text) : {}) as Json}
  }

  it('serves and enforces them on the new active cluster, and keeps suspending flows there', async () => {
    const env = await call('eastus-1', 'POST', '/v1/environments', {displayName: 'Before failover', type: 'production', securityGroupId: 'grp-finance'})
    expect(env.status).to.equal(201)
    const policy = await call('eastus-1', 'POST', '/v1/dlp/policies', {
      displayName: 'Failover policy',
      environmentScope: 'only',
      environments: [env.body.id],
      defaultGroup: 'nonBusiness',
      groups: {business: ['shared_sql', 'shared_salesforce']},
    })
    expect(policy.status).to.equal(201)
    const flow = await call('eastus-1', 'POST', '/v1/flows', {
      displayName: 'Sync',
      environmentId: env.body.id,
      connectors: [{id: 'shared_sql'}, {id: 'shared_salesforce'}],
    })
    expect(flow.status).to.equal(201)
    await c.replicationOf(CONTOSO, caughtUp)

    const out = await runCli(['sandbox', 'failover', '--tenant', 'contoso', '--data-dir', c.platform.dataDir, '--json'], c.platform.cli.env)
    expect(out.code, out.stderr).to.equal(0)
    expect(JSON.parse(out.stdout)).to.include({from: 'eastus-1', to: 'westus-1', lostWrites: 0})

    expect((await call('westus-1', 'GET', `/v1/environments/${env.body.id}`)).body).to.include({securityGroupId: 'grp-finance'})
    expect((await call('westus-1', 'GET', `/v1/dlp/policies/${policy.body.id}`)).body.etag).to.equal(policy.body.etag)
    expect((await call('westus-1', 'GET', `/v1/flows/${flow.body.id}`)).body.state).to.equal('on')
    expect((await call('westus-1', 'GET', '/v1/dlp/policies/tenant-blocked-connectors')).body.managed).to.equal(true)
    const refused = await call('westus-1', 'POST', '/v1/flows', {
      displayName: 'Leak',
      environmentId: env.body.id,
      connectors: [{id: 'shared_sql'}, {id: 'shared_twitter'}],
    })
    expect(refused.body).to.include({code: 'DLP_VIOLATION', policyId: policy.body.id})
    const updated = await call(
      'westus-1',
      'PUT',
      `/v1/dlp/policies/${policy.body.id}`,
      {displayName: 'Failover policy', environmentScope: 'only', environments: [env.body.id], defaultGroup: 'nonBusiness', groups: {business: ['shared_sql']}},
      {'if-match': policy.body.etag},
    )
    expect(updated.status).to.equal(200)
    expect((await call('westus-1', 'GET', `/v1/flows/${flow.body.id}`)).body.suspension).to.include({reason: 'DLP_VIOLATION', policyId: policy.body.id})
    expect((await call('eastus-1', 'GET', `/v1/flows/${flow.body.id}`)).status).to.equal(421)
    // Written on the new active cluster, shipped back to the old one.
    await c.replicationOf(CONTOSO, caughtUp)
    const state = await c.sqlite('eastus-1', (db) => db.prepare('SELECT state FROM flows WHERE tenant_id = ? AND id = ?').get(CONTOSO, flow.body.id))
    expect(state).to.deep.equal({state: 'suspended'})
  })
})
