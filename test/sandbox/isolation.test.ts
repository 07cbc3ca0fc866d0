// Tenant isolation across two tenants of a real platform: the partner's inbound rule refuses a connection this tenant's own policy allows; validation of the policy.
import {expect} from 'chai'

import {CONTOSO, FABRIKAM, startClusterPlatform, type ClusterPlatform, type Json} from '../helpers/cluster-platform.js'

const CONTOSO_ADMIN = 'admin@contoso.example'
const FABRIKAM_ADMIN = 'admin@fabrikam.example'

describe('tenant isolation across tenants (real platform)', function () {
  // A platform and two sign-ins on a loaded machine: a limit, not a threshold.
  this.timeout(300_000)
  let c: ClusterPlatform

  before(async () => {
    c = await startClusterPlatform()
  })
  after(async () => c?.stop())

  const put = async (upn: string, cluster: string, policy: Json) => {
    const res = await c.client.fetch(`https://${c.host(cluster)}/v1/isolation`, {
      method: 'PUT',
      headers: {authorization: `Bearer ${c.tokens[upn]}`, 'content-type': 'application/json', 'if-match': '*'},
      body: JSON.stringify(policy),
    })
    return {status: res.status, body: (await res.json()) as Json}
  }

  it("refuses a connection into a partner whose inbound rule does not allow this tenant, naming the partner's policy", async () => {
    const flow = {displayName: 'Into fabrikam', environmentId: 'default', connectors: [{id: 'shared_office365', accountTenant: FABRIKAM}]}
    // Contoso's isolation is off; Fabrikam's is off: allowed.
    expect((await c.call(CONTOSO_ADMIN, 'eastus-1', 'POST', '/v1/flows', flow)).status).to.equal(201)
    // Fabrikam turns isolation on, allowing nobody inbound: Contoso's next such flow is refused by the partner.
    const fabrikamOn = await put(FABRIKAM_ADMIN, 'westeurope-1', {enabled: true, allowedTenants: []})
    expect(fabrikamOn.status, JSON.stringify(fabrikamOn.body)).to.equal(200)
    const refused = await c.call(CONTOSO_ADMIN, 'eastus-1', 'POST', '/v1/flows', {...flow, displayName: 'Into fabrikam 2'})
    expect(refused.status).to.equal(403)
    expect(refused.body).to.include({code: 'TENANT_ISOLATION', refusedBy: 'partner tenant', accountTenant: FABRIKAM})
    // Fabrikam allows Contoso inbound: accepted.
    expect(
      (await put(FABRIKAM_ADMIN, 'westeurope-1', {enabled: true, allowedTenants: [{tenantId: 'contoso', inbound: true}]})).body.allowedTenants,
    ).to.deep.equal([{tenantId: CONTOSO, inbound: true, outbound: false}])
    expect((await c.call(CONTOSO_ADMIN, 'eastus-1', 'POST', '/v1/flows', {...flow, displayName: 'Into fabrikam 3'})).status).to.equal(201)
  })

  it('validates the policy and the connection tenant with a 400 naming the field', async () => {
    const bad = await put(CONTOSO_ADMIN, 'eastus-1', {enabled: 'yes'})
    expect(bad.status).to.equal(400)
    expect(bad.body).to.include({code: 'INVALID_ISOLATION_POLICY', field: 'enabled'})
    const twice = await put(CONTOSO_ADMIN, 'eastus-1', {allowedTenants: [{tenantId: 'fabrikam'}, {tenantId: FABRIKAM}]})
    expect(twice.status).to.equal(400)
    const flow = await c.call(CONTOSO_ADMIN, 'eastus-1', 'POST', '/v1/flows', {
      displayName: 'Bad',
      connectors: [{id: 'shared_office365', accountTenant: 'not a tenant!'}],
    })
    expect(flow.status).to.equal(400)
    expect(flow.body.field).to.equal('connectors[0].accountTenant')
  })
})
