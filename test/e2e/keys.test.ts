// ppctl keys status|rotate|lock|unlock against a real platform with encryption at rest: the confirmation, the exit
// codes (no role → 5, stale ETag → 7, a locked tenant → 7 with the way out), --json against the schemas.
import {expect} from 'chai'

import type {TenantKey} from '../../src/lib/platform/keys.js'
import {errorOf, jsonOf, startAdminWorld, type AdminWorld} from '../helpers/admin-world.js'
import {runAtTerminal} from '../helpers/terminal.js'

describe('ppctl keys (real CLI, real platform)', function () {
  // A platform, two sign-ins and a dozen CLI runs on a loaded machine: a limit, not a threshold.
  this.timeout(300_000)
  let w: AdminWorld

  before(async () => {
    w = await startAdminWorld(['admin', 'maker'], {PPCTL_SANDBOX_ENCRYPTION: 'on'})
  })
  after(async () => w?.stop())

  const status = async () => jsonOf<TenantKey>(await w.run('admin', 'keys', 'status', '--json'), 'keys-status')

  it('lock asks for the name (never without a terminal), is refused without the role (5) or with a stale ETag (7), then takes the tenant offline until unlock', async () => {
    const before = await status()
    expect(before).to.include({tenant: 'contoso', state: 'active', encryption: 'on'})

    const noTerminal = await w.run('admin', 'keys', 'lock')
    expect(noTerminal.code, noTerminal.stderr).to.equal(2)
    expect(noTerminal.stderr).to.match(/--yes --confirm NAME/)
    const mismatch = await w.run('admin', 'keys', 'lock', '--yes', '--confirm', 'fabrikam', '--json')
    expect(mismatch.code).to.equal(2)
    expect(errorOf(mismatch).code).to.equal('CONFIRMATION_MISMATCH')
    const maker = await w.run('maker', 'keys', 'lock', '--yes', '--confirm', 'contoso', '--json')
    expect(maker.code, maker.stderr).to.equal(5)
    expect(errorOf(maker).code).to.equal('ROLE_FORBIDDEN')
    const stale = await w.run('admin', 'keys', 'lock', '--yes', '--confirm', 'contoso', '--if-match', '"999"', '--json')
    expect(stale.code, stale.stderr).to.equal(7)
    expect(errorOf(stale).code).to.equal('PRECONDITION_FAILED')
    expect((await status()).state).to.equal('active')

    const lock = await w.run('admin', 'keys', 'lock', '--yes', '--confirm', 'Contoso', '--json')
    expect(lock.code, lock.stderr).to.equal(0)
    expect(jsonOf<TenantKey>(lock, 'keys-lock').state).to.equal('locked')

    // A locked tenant: exit 7, TENANT_LOCKED, and what the admin can do.
    const list = await w.run('admin', 'connector', 'list', '--json')
    expect(list.code, list.stderr).to.equal(7)
    const error = errorOf(list)
    expect(error.code).to.equal('TENANT_LOCKED')
    const human = await w.run('admin', 'connector', 'list')
    expect(human.code).to.equal(7)
    expect(human.stderr)
      .to.match(/locked/)
      .and.match(/ppctl keys unlock/)
    expect((await status()).state).to.equal('locked')
    // route diagnose shows the lock as a hop of its own.
    const diagnosis = await w.run('admin', 'route', 'diagnose', '--json')
    const keyHop = (JSON.parse(diagnosis.stdout) as {hops: Array<{id: string; verdict: string; code?: string; nextStep?: string}>}).hops.find(
      (h) => h.id === 'home.key',
    )
    expect(keyHop).to.include({verdict: 'FAIL', code: 'TENANT_LOCKED', nextStep: 'An Admin of the tenant unlocks it: ppctl keys unlock'})
    expect(diagnosis.code).to.equal(8)
    const again = await w.run('admin', 'keys', 'lock', '--yes', '--confirm', 'contoso')
    expect(again.code).to.equal(0)
    expect(again.stderr).to.match(/locked already; nothing changed/)

    const unlock = await w.run('admin', 'keys', 'unlock', '--json')
    expect(unlock.code, unlock.stderr).to.equal(0)
    expect(jsonOf<TenantKey>(unlock, 'keys-unlock').state).to.equal('active')
    expect((await w.run('admin', 'connector', 'list', '--json')).code).to.equal(0)
    const healthy = JSON.parse((await w.run('admin', 'route', 'diagnose', '--json')).stdout) as {hops: Array<{id: string; verdict: string}>}
    expect(healthy.hops.find((h) => h.id === 'home.key')).to.include({verdict: 'OK'})
  })

  it('rotate: a new key version, human output and --query', async () => {
    const before = await status()
    const rotated = await w.run('admin', 'keys', 'rotate', '--json')
    expect(rotated.code, rotated.stderr).to.equal(0)
    expect(jsonOf<TenantKey>(rotated, 'keys-rotate')).to.include({keyVersion: before.keyVersion + 1, dataKeyVersion: before.dataKeyVersion + 1})
    const stale = await w.run('admin', 'keys', 'rotate', '--if-match', before.etag)
    expect(stale.code, stale.stderr).to.equal(7)
    const shown = await w.run('admin', 'keys', 'status')
    expect(shown.code).to.equal(0)
    // Into a pipe: TSV, a header line and the record.
    const [header, row] = shown.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'))
    expect(row[header.indexOf('Key version')]).to.equal(String(before.keyVersion + 1))
    const query = await w.run('admin', 'keys', 'status', '--query', 'state', '-o', 'tsv')
    expect(query.stdout.trim()).to.equal('active')
    expect((await w.run('maker', 'keys', 'status')).code).to.equal(5)
  })

  it('at a terminal, lock says what goes offline and asks for the name: another name changes nothing (exit 3), the name locks', async () => {
    const env = w.machines.admin.env
    const declined = await runAtTerminal(['keys', 'lock'], env, [{after: /to lock its key:/, send: 'fabrikam\r'}])
    expect(declined.code, declined.transcript).to.equal(3)
    expect(declined.transcript.replace(/\s+/g, ' '))
      .to.match(/takes the whole tenant offline/)
      .and.match(/423 TENANT_LOCKED/)
    expect((await status()).state).to.equal('active')

    const accepted = await runAtTerminal(['keys', 'lock'], env, [{after: /to lock its key:/, send: 'contoso\r'}])
    expect(accepted.code, accepted.transcript).to.equal(0)
    expect((await status()).state).to.equal('locked')
    expect((await w.run('admin', 'keys', 'unlock')).code).to.equal(0)
  })
})
