// `ppctl dlp plan` and `dlp apply` in-process: exit 0 / 10 / 7 as a CI gate, the dry run's impact, stale ETags refused before anything is sent, a 412 mid-apply.
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import DlpApply from '../../../src/commands/dlp/apply.js'
import DlpPlan from '../../../src/commands/dlp/plan.js'
import {formatPoliciesFile} from '../../../src/lib/dlp/policy-file.js'
import {policyToSpec} from '../../../src/lib/platform/dlp.js'
import {runCommand} from '../../helpers/command.js'
import {connector} from '../../helpers/connector-fixtures.js'
import {environment, policy} from '../../helpers/dlp-fixtures.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'

const baseline = policy('baseline', {displayName: 'Baseline', groups: {business: ['shared_sql'], nonBusiness: ['shared_twitter'], blocked: []}})
const managed = policy('tenant-blocked-connectors', {displayName: 'Blocked connectors', managed: true, defaultGroup: 'business'})

/** The catalog and policy reads every plan makes. */
function platformReads(p: FakePlatform, policies = [baseline, managed]) {
  p.cluster
    .get('/v1/connectors')
    .query(true)
    .reply(200, {items: ['shared_sql', 'shared_twitter', 'shared_blob'].map((id) => connector(id)), nextCursor: null})
    .get('/v1/environments')
    .query(true)
    .reply(200, {items: [environment('default')], nextCursor: null})
    .get('/v1/dlp/policies')
    .query(true)
    .reply(200, {items: policies, nextCursor: null})
}

const impact = {
  dryRun: true,
  changes: [{op: 'update', id: 'baseline', displayName: 'Baseline', changed: true}],
  suspended: [
    {
      id: 'flow-1',
      displayName: 'Tweet invoices',
      environmentId: 'default',
      ownerUpn: 'maker@contoso.example',
      reason: 'DLP_VIOLATION',
      message: 'shared_twitter is blocked',
    },
  ],
  resumed: [],
}

describe('dlp plan and apply (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  const writeFile = (text: string) => {
    const file = join(p.dir, 'policies.yaml')
    writeFileSync(file, text)
    return file
  }
  const exported = () => formatPoliciesFile([policyToSpec(baseline)])
  const edited = () => exported().replace('  nonBusiness:\n      - shared_twitter\n', '  blocked:\n      - shared_twitter\n')

  it('the file is what the platform has: exit 0, "Nothing to do", no dry run sent; the managed policy is not deleted', async () => {
    p = await fakePlatform({tty: true, columns: 120})
    platformReads(p)
    const res = await runCommand(DlpPlan, [writeFile(exported())], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.contain('Nothing to do')
  })

  it('changes: exit 10, each change and the flows the dry run says would be suspended', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    platformReads(p)
    let sent: {dryRun: boolean; operations: Array<{op: string; id: string; etag: string; policy: {groups: Record<string, string[]>}}>} | undefined
    p.cluster.post('/v1/dlp/apply', (b: typeof sent) => ((sent = b), true)).reply(200, impact)
    const res = await runCommand(DlpPlan, [writeFile(edited())], p)
    expect(res.code, res.stderr).to.equal(10)
    expect(sent?.dryRun).to.equal(true)
    expect(sent?.operations).to.have.length(1)
    expect(sent?.operations[0]).to.include({op: 'update', id: 'baseline', etag: '"1"'})
    expect(sent?.operations[0].policy.groups).to.deep.equal({business: ['shared_sql'], nonBusiness: [], blocked: ['shared_twitter']})
    expect(res.stdout).to.match(/update +│ Baseline +│ baseline +│ shared_twitter: nonBusiness → blocked/)
    expect(res.stdout).to.match(/flow-1 +│ Tweet invoices +│ default +│ maker@contoso.example +│ suspended/)
    expect(res.stdout).to.contain('Plan: 0 to create, 1 to change, 0 to delete; 1 flow would be suspended, 0 resumed.')
  })

  it('--json: the plan document (held to its schema), exit 10 still', async () => {
    p = await fakePlatform()
    platformReads(p)
    p.cluster.post('/v1/dlp/apply').reply(200, impact)
    const res = await runCommand(DlpPlan, [writeFile(edited()), '--json'], p)
    expect(res.code, res.stderr).to.equal(10)
    const out = res.json<{upToDate: boolean; policies: Array<{action: string; changes: unknown[]}>; suspended: Array<{id: string}>}>()
    expect(out.upToDate).to.equal(false)
    expect(out.policies[0].changes).to.deep.equal([{kind: 'connector', connector: 'shared_twitter', from: 'nonBusiness', to: 'blocked'}])
    expect(out.suspended.map((f) => f.id)).to.deep.equal(['flow-1'])
  })

  it('a policy changed on the platform since the export: plan exits 7 naming it (the dry run uses the current ETag)', async () => {
    p = await fakePlatform()
    const file = writeFile(edited())
    platformReads(p, [{...baseline, etag: '"2"'}, managed])
    let etag: string | undefined
    p.cluster.post('/v1/dlp/apply', (b: {operations: Array<{etag: string}>}) => ((etag = b.operations[0].etag), true)).reply(200, impact)
    const res = await runCommand(DlpPlan, [file], p)
    expect(res.code).to.equal(7)
    expect(etag).to.equal('"2"')
    expect(res.stderr).to.contain('Baseline changed on the platform since')
  })

  it('apply with a stale ETag: exit 7 POLICY_CHANGED naming the policy, and nothing but the dry run is sent', async () => {
    p = await fakePlatform()
    const file = writeFile(edited())
    platformReads(p, [{...baseline, etag: '"2"'}, managed])
    p.cluster.post('/v1/dlp/apply', (b: {dryRun: boolean}) => b.dryRun).reply(200, impact)
    const res = await runCommand(DlpApply, [file, '--yes', '--json'], p)
    expect(res.code).to.equal(7)
    const err = res.json<{error: {code: string; message: string}}>().error
    expect(err.code).to.equal('POLICY_CHANGED')
    expect(err.message).to.contain('"Baseline" (baseline) changed on the platform since policies.yaml was exported; nothing was applied')
  })

  it('a concurrent edit between the plan and the batch (412 from the platform): exit 7 POLICY_CHANGED', async () => {
    p = await fakePlatform()
    platformReads(p)
    p.cluster
      .post('/v1/dlp/apply', (b: {dryRun: boolean}) => b.dryRun)
      .reply(200, impact)
      .post('/v1/dlp/apply', (b: {dryRun: boolean}) => !b.dryRun)
      .reply(...problem(412, 'PRECONDITION_FAILED', 'Policy baseline changed since it was read (ETag "1", now "2").'))
    const res = await runCommand(DlpApply, [writeFile(edited()), '--yes', '--json'], p)
    expect(res.code, res.stdout + res.stderr).to.equal(7)
    const err = res.json<{error: {code: string; message: string}}>().error
    expect(err.code).to.equal('POLICY_CHANGED')
    expect(err.message).to.contain('Policy baseline changed since it was read')
  })

  it('without a terminal and without --yes: exit 2 naming --yes, and only the dry run was sent', async () => {
    p = await fakePlatform()
    platformReads(p)
    p.cluster.post('/v1/dlp/apply', (b: {dryRun: boolean}) => b.dryRun).reply(200, impact)
    const res = await runCommand(DlpApply, [writeFile(edited())], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.contain('--yes')
  })

  it('--yes: the batch is sent with the ETags of the file; what changed and the flows suspended are the output', async () => {
    p = await fakePlatform()
    platformReads(p)
    p.cluster
      .post('/v1/dlp/apply', (b: {dryRun: boolean}) => b.dryRun)
      .reply(200, impact)
      .post('/v1/dlp/apply', (b: {dryRun: boolean; operations: Array<{etag: string}>}) => !b.dryRun && b.operations[0].etag === '"1"')
      .reply(200, {...impact, dryRun: false, changes: [{...impact.changes[0], etag: '"2"'}]})
    const res = await runCommand(DlpApply, [writeFile(edited()), '--yes', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    const out = res.json<{applied: unknown[]; suspended: Array<{id: string}>}>()
    expect(out.applied).to.deep.equal([{op: 'update', id: 'baseline', name: 'Baseline', etag: '"2"'}])
    expect(out.suspended.map((f) => f.id)).to.deep.equal(['flow-1'])
  })

  it('an invalid file: exit 2 DLP_FILE_INVALID with the file, the line and the problem, nothing sent but the reads', async () => {
    p = await fakePlatform()
    platformReads(p)
    const res = await runCommand(DlpPlan, [writeFile(exported().replace('- shared_twitter', '- shared_sql')), '--json'], p)
    expect(res.code).to.equal(2)
    const err = res.json<{error: {code: string; message: string}}>().error
    expect(err.code).to.equal('DLP_FILE_INVALID')
    expect(err.message).to.match(/^policies\.yaml:\d+: policies\[0\]\.nonBusiness\[0\]: shared_sql is in two groups: business and nonBusiness/)
  })
})
