// `ppctl license ...` and `ppctl user ...` against a real platform: SKUs and seats, assign/revoke one, bulk from a CSV, re-runs, roles.
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {LicenseRowResult, Sku} from '../../src/lib/platform/licenses.js'
import {errorOf, jsonOf, startAdminWorld, type AdminWorld} from '../helpers/admin-world.js'

interface Change {
  results: LicenseRowResult[]
  failed: number
  dryRun: boolean
}

// Two platforms: one that no test writes to, for the reading tests, and one whose tests each assign and
// revoke only a SKU that no other test touches, so the seat counts each asserts on start from the seed.
describe('license and user commands, reading (real CLI, a platform no test writes to)', function () {
  // A platform, several sign-ins and dozens of CLI runs: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let w: AdminWorld
  const seats = async () => {
    const out = jsonOf<{items: Sku[]}>(await w.run('admin', 'license', 'list', '--json'), 'license-list')
    return Object.fromEntries(out.items.map((s) => [s.id, s.seats]))
  }

  before(async () => {
    w = await startAdminWorld()
  })
  after(async () => w?.stop())

  it('license list: SKUs, what they grant and seats; refused to makers and app users (5)', async () => {
    const res = await w.run('admin', 'license', 'list')
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/POWERAPPS_PER_USER.*Power Apps Premium/)
    const s = await seats()
    expect(s.POWERAPPS_PER_USER).to.deep.equal({enabled: 3, consumed: 2, available: 1})
    for (const role of ['maker', 'user'] as const) expect((await w.run(role, 'license', 'list', '--json')).code).to.equal(5)
    expect((await w.run('support', 'license', 'list', '--json')).code).to.equal(6)
  })

  it('license show --user: own for anyone, others for admins only', async () => {
    const own = await w.run('user', 'license', 'show', '--user', 'user@contoso.example', '--json')
    expect(own.code, own.stdout).to.equal(0)
    expect(jsonOf<{items: Array<{skuId: string}>}>(own, 'license-show').items.map((l) => l.skuId)).to.deep.equal(['FLOW_FREE'])
    expect((await w.run('user', 'license', 'show', '--user', 'megan.bowen@contoso.example', '--json')).code).to.equal(5)
    const megan = await w.run('admin', 'license', 'show', '--user', 'megan.bowen@contoso.example')
    expect(megan.stdout).to.contain('POWERAPPS_PER_USER')
    expect((await w.run('admin', 'license', 'show', '--user', 'ghost@contoso.example', '--json')).code).to.equal(6)
  })

  it('a CSV without the header is a usage error naming the file', async () => {
    const csv = join(w.machines.admin.home, 'bad.csv')
    writeFileSync(csv, 'lee.gu@contoso.example,FLOW_FREE\n')
    const res = await w.run('admin', 'license', 'assign', '--file', csv)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.contain('bad.csv: the first line must be a header with the columns upn and sku.')
  })

  it('user list and show: roles, licenses and premium entitlement; refusals', async () => {
    const list = await w.run('admin', 'user', 'list', '--json')
    expect(list.code, list.stderr).to.equal(0)
    expect(jsonOf<{count: number}>(list, 'user-list').count).to.equal(9)
    const search = jsonOf<{items: Array<{upn: string}>}>(await w.run('admin', 'user', 'list', '--search', 'megan', '--json'), 'user-list')
    expect(search.items.map((u) => u.upn)).to.deep.equal(['megan.bowen@contoso.example'])
    expect((await w.run('admin', 'user', 'list')).stdout).to.match(/maker@contoso\.example/)
    expect((await w.run('maker', 'user', 'list', '--json')).code).to.equal(5)
    const megan = jsonOf<{premium: {entitled: boolean; via: string[]}; roles: string[]}>(
      await w.run('admin', 'user', 'show', 'megan.bowen@contoso.example', '--json'),
      'user-show',
    )
    expect(megan.premium).to.deep.equal({entitled: true, via: ['POWERAPPS_PER_USER']})
    const self = await w.run('user', 'user', 'show', 'user@contoso.example', '-o', 'table')
    expect(self.code, self.stderr).to.equal(0)
    expect(self.stdout).to.match(/Premium: +no: holds no SKU that grants premium connectors/)
    expect((await w.run('user', 'user', 'show', 'admin@contoso.example', '--json')).code).to.equal(5)
    expect((await w.run('admin', 'user', 'show', 'ghost@contoso.example', '--json')).code).to.equal(6)
    expect((await w.run('support', 'user', 'list', '--json')).code).to.equal(6)
  })
})

describe('license commands, writing (real CLI, each test changes a SKU no other test touches)', function () {
  // A platform, several sign-ins and dozens of CLI runs: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let w: AdminWorld
  const seats = async () => {
    const out = jsonOf<{items: Sku[]}>(await w.run('admin', 'license', 'list', '--json'), 'license-list')
    return Object.fromEntries(out.items.map((s) => [s.id, s.seats]))
  }

  before(async () => {
    w = await startAdminWorld()
  })
  after(async () => w?.stop())

  it('assign one: --dry-run changes nothing, then assigns the last seat; the next one is refused (exit 7), revoke frees it', async () => {
    const dry = await w.run('admin', 'license', 'assign', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER', '--dry-run', '--json')
    expect(dry.code, dry.stdout).to.equal(0)
    expect(jsonOf<Change>(dry, 'license-assign').results[0].outcome).to.equal('would-assign')
    expect((await seats()).POWERAPPS_PER_USER.consumed).to.equal(2)
    const done = await w.run('admin', 'license', 'assign', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER', '--json')
    expect(jsonOf<Change>(done, 'license-assign').results[0]).to.include({outcome: 'assigned', ok: true})
    const again = await w.run('admin', 'license', 'assign', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER')
    expect(again.code).to.equal(0)
    expect(again.stdout).to.contain('already assigned')
    const full = await w.run('admin', 'license', 'assign', '--user', 'nestor.wilke@contoso.example', '--sku', 'POWERAPPS_PER_USER', '--json')
    expect(full.code).to.equal(7)
    expect(errorOf(full)).to.include({code: 'NO_SEATS_AVAILABLE', message: 'No seats left on POWERAPPS_PER_USER: 3 of 3 are assigned.'})
    expect((await w.run('maker', 'license', 'assign', '--user', 'lee.gu@contoso.example', '--sku', 'FLOW_FREE', '--json')).code).to.equal(5)
    const noYes = await w.run('admin', 'license', 'revoke', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER')
    expect(noYes.code).to.equal(2)
    expect(noYes.stderr).to.contain('--yes')
    const dryRevoke = await w.run('admin', 'license', 'revoke', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER', '--dry-run', '--json')
    expect(jsonOf<Change>(dryRevoke, 'license-revoke').results[0].outcome).to.equal('would-revoke')
    const revoked = await w.run('admin', 'license', 'revoke', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER', '--yes', '--json')
    expect(jsonOf<Change>(revoked, 'license-revoke').results[0]).to.include({outcome: 'revoked'})
    expect((await seats()).POWERAPPS_PER_USER.consumed).to.equal(2)
    // Assign again after the revoke: the deterministic key of the first assign must not replay an old answer.
    const reassigned = await w.run('admin', 'license', 'assign', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER', '--json')
    expect(jsonOf<Change>(reassigned, 'license-assign').results[0].outcome).to.equal('assigned')
    expect((await seats()).POWERAPPS_PER_USER.consumed).to.equal(3)
    await w.run('admin', 'license', 'revoke', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER', '--yes')
    const unknownSku = await w.run('admin', 'license', 'assign', '--user', 'lee.gu@contoso.example', '--sku', 'NOPE', '--json')
    expect(unknownSku.code).to.equal(6)
    expect(errorOf(unknownSku).code).to.equal('SKU_NOT_FOUND')
  })

  it('bulk assign from a CSV: per-row results, exit 10, and a second run changes nothing', async () => {
    const csv = join(w.machines.admin.home, 'users.csv')
    writeFileSync(
      csv,
      '\uFEFFupn,sku\r\n' +
        'lee.gu@contoso.example,POWERAPPS_PER_APP\r\n' +
        '"ghost@contoso.example",FLOW_FREE\r\n' +
        '\r\n' +
        'adele.vance@contoso.example,NOT_A_SKU\r\n' +
        'LEE.GU@contoso.example,POWERAPPS_PER_APP\r\n' +
        'nestor.wilke@contoso.example,POWERAPPS_PER_APP\r\n' +
        'adele.vance@contoso.example,FLOW_FREE\r\n',
    )
    const before = await seats()
    expect(before.POWERAPPS_PER_APP).to.deep.equal({enabled: 2, consumed: 1, available: 1})
    const first = await w.run('admin', 'license', 'assign', '--file', csv, '--json')
    expect(first.code, first.stderr).to.equal(10)
    const out = jsonOf<Change>(first, 'license-assign')
    expect(out.results.map((r) => [r.line, r.outcome, r.error?.code ?? r.duplicateOf])).to.deep.equal([
      [2, 'assigned', undefined],
      [3, 'failed', 'USER_NOT_FOUND'],
      [5, 'failed', 'SKU_NOT_FOUND'],
      [6, 'duplicate', 2],
      [7, 'failed', 'NO_SEATS_AVAILABLE'],
      [8, 'already-assigned', undefined],
    ])
    expect(out.failed).to.equal(3)
    const after = await seats()
    expect(after.POWERAPPS_PER_APP.consumed).to.equal(2)
    const second = await w.run('admin', 'license', 'assign', '--file', csv, '--json')
    expect(second.code).to.equal(10)
    expect(jsonOf<Change>(second, 'license-assign').results[0].outcome).to.equal('already-assigned')
    expect(await seats()).to.deep.equal(after)
    const table = await w.run('admin', 'license', 'assign', '--file', csv)
    expect(table.stdout).to.contain('duplicate of line 2')
    expect(table.stderr).to.contain('exit 10')
    // Revoke from the same file: the row that was assigned is revoked, the rest reported.
    const revoke = await w.run('admin', 'license', 'revoke', '--file', csv, '--yes', '--json')
    expect(revoke.code).to.equal(10)
    expect(jsonOf<Change>(revoke, 'license-revoke').results[0].outcome).to.equal('revoked')
    const rerun = jsonOf<Change>(await w.run('admin', 'license', 'revoke', '--file', csv, '--yes', '--json'), 'license-revoke')
    expect(rerun.results[0].outcome).to.equal('not-assigned')
    expect((await seats()).POWERAPPS_PER_APP).to.deep.equal(before.POWERAPPS_PER_APP)
  })
})
