// Policies as code against a real platform: export → edit → validate → plan (impact) → apply → flows suspended and audited → apply again does nothing; a concurrent edit → exit 7; security groups; explain; access report.
import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Flow} from '../../src/lib/platform/flows.js'
import {errorOf, jsonOf, startAdminWorld, type AdminWorld} from '../helpers/admin-world.js'

interface AuditLite {
  action: string
  target?: {id?: string}
  details?: {before?: {groups?: {blocked?: string[]}}; after?: {groups?: {blocked?: string[]}; displayName?: string}}
}

describe('dlp policies as code (real CLI, real platform)', function () {
  // A platform, two sign-ins and dozens of CLI runs: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let w: AdminWorld
  let dir: string

  before(async () => {
    w = await startAdminWorld(['admin', 'maker'])
    dir = w.machines.admin.home
  })
  after(async () => w?.stop())

  const flows = async () => jsonOf<{items: Flow[]}>(await w.run('admin', 'flow', 'list', '--json'), 'flow-list').items
  const stateOf = async (id: string) => (await flows()).find((f) => f.id === id)?.state
  const audit = async (action: string) =>
    (JSON.parse((await w.run('admin', 'api', `/v1/audit/events?action=${action}&limit=500`)).stdout) as {items: AuditLite[]}).items

  it('export → edit → validate → plan (impact) → apply → flows suspended and audited → apply again is a no-op; a concurrent edit → exit 7', async () => {
    const file = join(dir, 'policies.yaml')
    // 1. Export: the managed policy of connector block/unblock is not in the file; the schema comment is.
    const exported = await w.run('admin', 'dlp', 'export', '--out', file)
    expect(exported.code, exported.stderr).to.equal(0)
    const text0 = readFileSync(file, 'utf8')
    expect(text0.split('\n')[0]).to.equal('# yaml-language-server: $schema=https://ppctl.example/schemas/dlp-policies.json')
    expect(text0).not.to.contain('tenant-blocked-connectors')
    expect((await w.run('admin', 'dlp', 'plan', file)).code).to.equal(0)

    // 2. Edit: a new policy that puts Twitter in business — the social digest then mixes business and non-business.
    writeFileSync(
      file,
      text0.replace(
        'policies: []',
        'policies:\n  - name: Keep social apart\n    scope: all\n    defaultGroup: nonBusiness\n    business:\n      - shared_twitter\n',
      ),
    )
    const valid = await w.run('admin', 'dlp', 'validate', file)
    expect(valid.code, valid.stdout + valid.stderr).to.equal(0)

    // 3. Plan: exit 10, the creation and the flow it would suspend; nothing changed yet.
    const plan = await w.run('admin', 'dlp', 'plan', file, '--json')
    expect(plan.code, plan.stderr).to.equal(10)
    const planned = jsonOf<{policies: Array<{action: string; name: string}>; suspended: Array<{id: string}>}>(plan, 'dlp-plan')
    expect(planned.policies.map((p) => [p.action, p.name])).to.deep.equal([['create', 'Keep social apart']])
    expect(planned.suspended.map((f) => f.id)).to.deep.equal(['flow-social-digest'])
    const table = await w.run('admin', 'dlp', 'plan', file, '-o', 'table')
    expect(table.code).to.equal(10)
    expect(table.stdout).to.match(/flow-social-digest +│ Social media digest +│ default +│ maker@contoso\.example +│ suspended/)
    expect(await stateOf('flow-social-digest')).to.equal('on')

    // 4. Apply: the flow named is suspended, and audited.
    const applied = await w.run('admin', 'dlp', 'apply', file, '--yes', '--json')
    expect(applied.code, applied.stderr).to.equal(0)
    expect(jsonOf<{suspended: Array<{id: string}>}>(applied, 'dlp-apply').suspended.map((f) => f.id)).to.deep.equal(['flow-social-digest'])
    expect(await stateOf('flow-social-digest')).to.equal('suspended')
    expect((await audit('flow.suspended')).map((e) => e.target?.id)).to.include('flow-social-digest')
    const suspendedList = await w.run('admin', 'flow', 'list', '--state', 'suspended', '-o', 'table')
    expect(suspendedList.stdout).to.match(/flow-social-digest .*suspended +│ DLP: Keep social apart/)

    // 5. The same file again: nothing to do (plan 0, apply a no-op).
    expect((await w.run('admin', 'dlp', 'plan', file)).code).to.equal(0)
    const again = await w.run('admin', 'dlp', 'apply', file, '--yes', '--json')
    expect(again.code, again.stderr).to.equal(0)
    expect(jsonOf<{applied: unknown[]}>(again, 'dlp-apply').applied).to.deep.equal([])

    // 6. Export again (with ETags), block Dropbox: plan shows the backup flow; then someone else edits the policy.
    expect((await w.run('admin', 'dlp', 'export', '--out', file)).code).to.equal(0)
    const text1 = readFileSync(file, 'utf8')
    expect(text1).to.match(/etag: /)
    writeFileSync(file, text1.replace('    business:\n', '    blocked:\n      - shared_dropbox\n    business:\n'))
    const plan2 = await w.run('admin', 'dlp', 'plan', file, '--json')
    expect(plan2.code, plan2.stderr).to.equal(10)
    expect(jsonOf<{suspended: Array<{id: string}>}>(plan2, 'dlp-plan').suspended.map((f) => f.id)).to.deep.equal(['flow-file-backup'])
    const other = join(dir, 'other.yaml')
    writeFileSync(other, text1.replace('defaultGroup: nonBusiness', 'defaultGroup: nonBusiness\n    description: edited by someone else'))
    expect((await w.run('admin', 'dlp', 'apply', other, '--yes')).code).to.equal(0)
    const before = (await audit('dlp.policy.updated')).length

    // 7. Apply the stale file: exit 7 naming the policy, nothing applied.
    const stale = await w.run('admin', 'dlp', 'apply', file, '--yes', '--json')
    expect(stale.code).to.equal(7)
    const err = errorOf(stale)
    expect(err.code).to.equal('POLICY_CHANGED')
    expect(err.message).to.contain('"Keep social apart"')
    expect(await stateOf('flow-file-backup')).to.equal('on')
    expect((await audit('dlp.policy.updated')).length).to.equal(before)
    expect((await w.run('admin', 'dlp', 'plan', file)).code).to.equal(7)

    // 8. Every change is in the audit log with its before and after.
    const updates = await audit('dlp.policy.updated')
    const last = updates[updates.length - 1]
    expect(last.details?.before).to.be.an('object')
    expect(last.details?.after?.displayName).to.equal('Keep social apart')
    expect((await audit('dlp.policy.created')).some((e) => e.details?.after?.displayName === 'Keep social apart')).to.equal(true)
  })

  it('validate: problems with their lines, exit 2', async () => {
    const file = join(dir, 'bad.yaml')
    writeFileSync(
      file,
      'version: 1\npolicies:\n  - name: Bad\n    scope: {only: [nowhere]}\n    defaultGroup: business\n    blocked: [shared_approvals, shared_nope]\n    business: [shared_sql]\n    nonBusiness: [shared_sql]\n',
    )
    const res = await w.run('admin', 'dlp', 'validate', file, '--json')
    expect(res.code).to.equal(2)
    const out = jsonOf<{valid: boolean; issues: Array<{line: number; message: string}>}>(res, 'dlp-validate')
    expect(out.valid).to.equal(false)
    expect(out.issues.map((i) => [i.line, i.message.split(' ')[0]])).to.deep.equal([
      [4, 'nowhere'],
      [6, 'shared_approvals'],
      [6, 'shared_nope'],
      [8, 'shared_sql'],
    ])
  })

  it('dlp explain: the policy, groups and pair that block a connector set, and what would make it pass', async () => {
    const create = await w.run('admin', 'dlp', 'policy', 'create', '--name', 'Explain me', '--business', 'shared_sql', '--non-business', 'shared_rss', '--json')
    expect(create.code, create.stderr).to.equal(0)
    const res = await w.run('maker', 'dlp', 'explain', '--env', 'default', '--connectors', 'shared_sql,shared_rss', '-o', 'table')
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/^Blocked in default: shared_sql, shared_rss/)
    expect(res.stdout).to.contain('Explain me')
    expect(res.stdout).to.match(/to pass: /)
    const ok = await w.run('maker', 'dlp', 'explain', '--connectors', 'shared_sql', '--json')
    expect(jsonOf<{allowed: boolean}>(ok, 'dlp-explain').allowed).to.equal(true)
    const id = jsonOf<{id: string}>(create, 'dlp-policy-create').id
    expect((await w.run('admin', 'dlp', 'policy', 'delete', id, '--yes')).code).to.equal(0)
  })

  it("an environment's security group that excludes a user: that user's flow creation there is refused; access report shows who it admits", async () => {
    const created = await w.run('admin', 'env', 'create', '--name', 'Finance', '--type', 'production', '--security-group', 'grp-finance', '--json')
    expect(created.code, created.stderr).to.equal(0)
    const env = jsonOf<{id: string; securityGroupId: string}>(created, 'env-create')
    expect(env.securityGroupId).to.equal('grp-finance')
    const body = join(w.machines.maker.home, 'flow.json')
    writeFileSync(body, JSON.stringify({displayName: 'Budget sync', environmentId: env.id, connectors: [{id: 'shared_sharepointonline'}]}))
    const refused = await w.run('maker', 'api', 'POST', '/v1/flows', '--input', body, '--json')
    expect(refused.code, refused.stderr).to.equal(5)
    expect(errorOf(refused).code).to.equal('ENVIRONMENT_ACCESS_DENIED')
    const adminBody = join(dir, 'flow.json')
    writeFileSync(adminBody, readFileSync(body))
    expect((await w.run('admin', 'api', 'POST', '/v1/flows', '--input', adminBody)).code).to.equal(0)

    const report = await w.run('admin', 'access', 'report', '--env', env.id, '-o', 'csv')
    expect(report.code, report.stderr).to.equal(0)
    const rows = report.stdout
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
    expect(rows[0]).to.equal('User,Roles,Licences,Premium,Environment,Admitted by,DLP policies')
    const users = rows.slice(1).map((r) => r.split(',')[0])
    expect(users).to.include('admin@contoso.example')
    expect(users).not.to.include('maker@contoso.example')
    expect(rows.find((r) => r.startsWith('admin@'))).to.contain('group grp-finance')

    const listed = jsonOf<{items: Array<{id: string}>}>(await w.run('admin', 'env', 'list', '--json'), 'env-list')
    expect(listed.items.map((e) => e.id)).to.include.members(['default', env.id])
    const del = await w.run('admin', 'env', 'delete', env.id, '--yes', '--confirm', 'Finance')
    expect(del.code, del.stderr).to.equal(0)
    expect((await w.run('admin', 'env', 'show', env.id)).code).to.equal(6)
  })
})
