// Tenant isolation against a real platform: a flow connecting as an account of another tenant shows in the report; with isolation on, a new one is refused (exit 5, TENANT_ISOLATION) and audited; allowing the partner outbound lets it through.
import {expect} from 'chai'

import {errorOf, jsonOf, startAdminWorld, type AdminWorld} from '../helpers/admin-world.js'
import {runCli} from '../helpers/cli.js'

const FABRIKAM = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'

describe('ppctl isolation (real CLI, real platform)', function () {
  // A platform, a sign-in and some ten CLI runs on a loaded machine: a limit, not a threshold.
  this.timeout(300_000)
  let w: AdminWorld

  before(async () => {
    w = await startAdminWorld(['admin'])
  })
  after(async () => w?.stop())

  it('report → isolation on → the cross-tenant connection refused and audited → partner allowed outbound → accepted', async () => {
    const create = (name: string) =>
      runCli(
        ['api', 'POST', '/v1/flows', '--input', '-'],
        w.machines.admin.env,
        JSON.stringify({displayName: name, environmentId: 'default', connectors: [{id: 'shared_office365', accountTenant: 'fabrikam.example'}]}),
      )
    const first = await create('Partner digest')
    expect(first.code, first.stderr).to.equal(0)
    expect((JSON.parse(first.stdout) as {connectors: Array<{accountTenant?: string}>}).connectors[0].accountTenant).to.equal(FABRIKAM)

    const report = await w.run('admin', 'isolation', 'report', '--json')
    expect(report.code, report.stderr).to.equal(0)
    const r = jsonOf<{crossings: number; items: Array<{flowName: string; accountTenant: string; wouldBeRefused: boolean}>}>(report, 'isolation-report')
    expect(r.items.find((i) => i.flowName === 'Partner digest')).to.include({accountTenant: FABRIKAM, wouldBeRefused: true})

    const on = await w.run('admin', 'isolation', 'set', '--on', '--json')
    expect(on.code, on.stderr).to.equal(0)
    expect(jsonOf<{enabled: boolean}>(on, 'isolation-set').enabled).to.equal(true)

    const refused = await create('Partner digest 2')
    expect(refused.code, refused.stderr).to.equal(5)
    expect(refused.stderr).to.contain(`Tenant isolation: connections to accounts of tenant ${FABRIKAM} are not allowed (outbound) by this tenant's policy.`)
    expect(refused.stderr).to.contain('ppctl isolation set --allow')
    const audit = JSON.parse((await w.run('admin', 'api', '/v1/audit/events?action=isolation.refused&limit=50')).stdout) as {
      items: Array<{target?: {displayName?: string}; details?: {connections?: Array<{accountTenant: string}>}}>
    }
    expect(audit.items.some((e) => e.target?.displayName === 'Partner digest 2' && e.details?.connections?.[0]?.accountTenant === FABRIKAM)).to.equal(true)

    const allow = await w.run('admin', 'isolation', 'set', '--allow', 'fabrikam.example:outbound')
    expect(allow.code, allow.stderr).to.equal(0)
    expect((await create('Partner digest 3')).code).to.equal(0)
    const after = jsonOf<{wouldBeRefused: number}>(await w.run('admin', 'isolation', 'report', '--json'), 'isolation-report')
    expect(after.wouldBeRefused).to.equal(0)

    const stale = await w.run('admin', 'isolation', 'set', '--off', '--if-match', '"99"', '--json')
    expect(stale.code).to.equal(7)
    expect(errorOf(stale).code).to.equal('PRECONDITION_FAILED')
  })
})
