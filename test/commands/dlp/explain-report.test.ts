// `dlp explain`, `dlp validate`, `flow list` and `access report` in-process: what they ask the platform, and what a person and a script read.
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import AccessReport from '../../../src/commands/access/report.js'
import ConnectorCreate from '../../../src/commands/connector/create.js'
import ConnectorList from '../../../src/commands/connector/list.js'
import DlpExplain from '../../../src/commands/dlp/explain.js'
import DlpValidate from '../../../src/commands/dlp/validate.js'
import FlowList from '../../../src/commands/flow/list.js'
import {runCommand} from '../../helpers/command.js'
import {connector} from '../../helpers/connector-fixtures.js'
import {environment, policy} from '../../helpers/dlp-fixtures.js'
import {fakePlatform, type FakePlatform} from '../../helpers/fake-platform.js'

const violation = {
  kind: 'GROUP_CONFLICT',
  policyId: 'baseline',
  policyName: 'Baseline',
  connectors: ['shared_sharepointonline', 'shared_twitter'],
  groups: {shared_sharepointonline: 'business', shared_twitter: 'nonBusiness'},
  classifiedBy: {shared_sharepointonline: 'listed', shared_twitter: 'default'},
  message: 'SharePoint (business) and X (nonBusiness) cannot be used together.',
  fixes: ['Remove shared_twitter from the flow, or move it to the business group of baseline.'],
}

describe('dlp explain, dlp validate, flow list, access report (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('explain: the policy, the groups with why, and the fix; the request names the environment and the connectors', async () => {
    p = await fakePlatform({tty: true, columns: 200})
    p.cluster.post('/v1/dlp/evaluate', {environmentId: 'default', connectors: ['shared_sharepointonline', 'shared_twitter']}).reply(200, {
      environmentId: 'default',
      allowed: false,
      connectors: [{id: 'shared_sharepointonline'}, {id: 'shared_twitter'}],
      policies: [{id: 'baseline', displayName: 'Baseline', allowed: false, groups: violation.groups}],
      violations: [violation],
    })
    const res = await runCommand(DlpExplain, ['--env', 'default', '--connectors', 'shared_sharepointonline,shared_twitter'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout.split('\n')).to.deep.equal([
      'Blocked in default: shared_sharepointonline, shared_twitter — 1 violation.',
      'Baseline (baseline): SharePoint (business) and X (nonBusiness) cannot be used together.',
      '  groups: shared_sharepointonline business (listed), shared_twitter nonBusiness (default)',
      '  to pass: Remove shared_twitter from the flow, or move it to the business group of baseline.',
      '',
    ])
  })

  it('explain without connectors or a flow: exit 2, nothing sent', async () => {
    p = await fakePlatform()
    const res = await runCommand(DlpExplain, ['--env', 'default'], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.contain('--connectors A,B or --flow NAME')
  })

  it('validate --offline: every problem with its line, exit 2, no platform call', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    const file = join(p.dir, 'p.yaml')
    writeFileSync(file, 'version: 1\npolicies:\n  - name: A\n    scope: all\n    defaultGroup: business\n    business: [x]\n    blocked: [x]\n')
    const res = await runCommand(DlpValidate, [file, '--offline', '--json'], p)
    expect(res.code).to.equal(2)
    expect(res.json<{valid: boolean; issues: unknown[]}>()).to.deep.include({
      valid: false,
      issues: [{line: 7, path: 'policies[0].blocked[0]', message: 'x is in two groups: business and blocked (a connector belongs to one)'}],
    })
  })

  it('flow list: suspended flows say which policy, and hostile names are inert', async () => {
    p = await fakePlatform({tty: true, columns: 200})
    const flow = (id: string, extra: Record<string, unknown>) => ({
      id,
      displayName: `Flow ${id}`,
      environmentId: 'default',
      ownerId: 'u1',
      ownerUpn: 'maker@contoso.example',
      connectors: [{id: 'shared_twitter'}],
      state: 'on',
      suspension: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      etag: '"1"',
      ...extra,
    })
    p.cluster
      .get('/v1/flows')
      .query({state: 'suspended', limit: '200'})
      .reply(200, {
        items: [
          flow('f1', {
            state: 'suspended',
            displayName: 'Evil\u001b]52;c;aGk=\u0007flow',
            suspension: {reason: 'DLP_VIOLATION', policyId: 'baseline', policyName: 'Baseline', since: '2026-01-02T00:00:00.000Z', message: 'conflict'},
          }),
        ],
        nextCursor: null,
      })
    const res = await runCommand(FlowList, ['--state', 'suspended'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/f1 +│ Evil.*flow +│ default +│ maker@contoso\.example +│ suspended +│ DLP: Baseline/)
    expect(res.stdout).not.to.match(/\u001b\]/)
    expect(res.stdout).to.contain('1 flow, 1 suspended')
  })

  it('access report -o csv: a row per user and environment that admits them, with the policies there', async () => {
    p = await fakePlatform()
    const user = (upn: string, roles: string[]) => ({id: `id-${upn}`, upn, displayName: upn, roles, signInEnabled: true})
    p.cluster
      .get('/v1/users')
      .query(true)
      .reply(200, {items: [user('maker@contoso.example', ['Maker']), user('admin@contoso.example', ['Admin'])], nextCursor: null})
      .get('/v1/environments')
      .query(true)
      .reply(200, {items: [environment('default'), environment('fin', {securityGroupId: 'grp-finance'})], nextCursor: null})
      .get('/v1/groups')
      .query(true)
      .reply(200, {
        items: [
          {
            id: 'grp-finance',
            displayName: 'Finance',
            description: '',
            members: [{id: 'id-admin@contoso.example', upn: 'admin@contoso.example', displayName: 'A'}],
          },
        ],
        nextCursor: null,
      })
      .get('/v1/users/admin%40contoso.example/licenses')
      .reply(200, {
        userId: 'x',
        upn: 'admin@contoso.example',
        items: [{skuId: 'POWERAPPS_PER_USER', displayName: 'P', grantsPremium: true, capabilities: [], assignedAt: ''}],
      })
      .get('/v1/users/maker%40contoso.example/licenses')
      .reply(200, {userId: 'y', upn: 'maker@contoso.example', items: []})
      .get('/v1/dlp/policies')
      .query({environment: 'default', limit: '200'})
      .reply(200, {items: [policy('baseline', {displayName: 'Baseline'})], nextCursor: null})
      .get('/v1/dlp/policies')
      .query({environment: 'fin', limit: '200'})
      .reply(200, {items: [], nextCursor: null})
    const res = await runCommand(AccessReport, ['-o', 'csv'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(
      res.stdout
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/),
    ).to.deep.equal([
      'User,Roles,Licences,Premium,Environment,Admitted by,DLP policies',
      'admin@contoso.example,Admin,POWERAPPS_PER_USER,yes,default,no group,Baseline',
      'admin@contoso.example,Admin,POWERAPPS_PER_USER,yes,fin,group grp-finance,-',
      'maker@contoso.example,Maker,-,no,default,no group,Baseline',
    ])
  })

  it('--env on the commands that act in an environment: connector create sends it, connector list filters by it', async () => {
    p = await fakePlatform()
    const file = join(p.dir, 'api.json')
    writeFileSync(file, JSON.stringify({displayName: 'Orders API'}))
    p.cluster
      .post('/v1/connectors', {displayName: 'Orders API', environmentId: 'finance'})
      .reply(201, connector('custom_orders', {tier: 'custom', environmentId: 'finance'}))
      .get('/v1/connectors')
      .query({environment: 'finance', limit: '200'})
      .reply(200, {items: [connector('custom_orders', {tier: 'custom', environmentId: 'finance'})], nextCursor: null})
    const created = await runCommand(ConnectorCreate, ['--file', file, '--env', 'finance'], p)
    expect(created.code, created.stderr).to.equal(0)
    expect(created.stdout).to.contain('in finance')
    const listed = await runCommand(ConnectorList, ['--env', 'finance', '--json'], p)
    expect(listed.code, listed.stderr).to.equal(0)
  })
})
