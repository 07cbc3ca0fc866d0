// `ppctl firewall` against a real platform, the CLI's connections leaving from real loopback addresses (PPCTL_SOURCE_ADDRESS=127.0.0.x): set, refused from elsewhere with exit 5 and the firewall named, audit-only, dry run, test, lockout guard, stale ETag, bad ranges.
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli, type CliResult} from '../helpers/cli.js'
import {errorOf, jsonOf, startAdminWorld, type AdminWorld} from '../helpers/admin-world.js'

describe('ppctl firewall (real CLI, real platform, real source addresses)', function () {
  // A platform, two sign-ins and some twenty CLI runs on a loaded machine: a limit, not a threshold.
  this.timeout(300_000)
  let w: AdminWorld

  before(async () => {
    w = await startAdminWorld(['admin', 'maker'])
  })
  after(async () => w?.stop())
  // Each test starts with the firewall off, whatever the one before left (127.0.0.2 is the only address they allow).
  afterEach(async () => {
    await from('127.0.0.2', 'firewall', 'set', '--off')
  })

  /** The admin's CLI with its connections bound to `from`. */
  const from = (address: string, ...args: string[]): Promise<CliResult> => runCli(args, {...w.machines.admin.env, PPCTL_SOURCE_ADDRESS: address})

  it('set from an allowed address; another address is refused (exit 5, the firewall named); audit-only lets it in; dry run and test explain; off again', async () => {
    const set = await from('127.0.0.2', 'firewall', 'set', '--range', '127.0.0.2,2001:db8::/32', '--json')
    expect(set.code, set.stderr).to.equal(0)
    expect(jsonOf<{allowedRanges: string[]; enabled: boolean}>(set, 'firewall-set')).to.include({enabled: true})

    const blocked = await from('127.0.0.3', 'env', 'list')
    expect(blocked.code, blocked.stderr).to.equal(5)
    expect(blocked.stderr).to.contain('blocked by the IP firewall of Contoso: your address 127.0.0.3 is not in the allowed ranges')
    expect(blocked.stderr).to.contain('ppctl firewall test --ip')
    const blockedJson = await from('127.0.0.3', 'env', 'list', '--json')
    expect(errorOf(blockedJson)).to.include({code: 'IP_BLOCKED', exitCode: 5})
    expect((await from('127.0.0.2', 'env', 'list')).code).to.equal(0)

    // route diagnose shows the firewall as a hop: FAIL (named in the summary) from .3, OK from .2.
    type Diagnosis = {summary: string; hops: Array<{id: string; verdict: string; summary: string}>}
    const refusedRoute = await from('127.0.0.3', 'route', 'diagnose', '--slow', '5m', '--json')
    expect(refusedRoute.code, refusedRoute.stderr).to.equal(8)
    const refusedHops = jsonOf<Diagnosis>(refusedRoute, 'route-diagnose')
    expect(refusedHops.summary).to.match(/^FAIL at IP firewall: .*blocked by the IP firewall of Contoso: your address 127\.0\.0\.3/)
    const okRoute = jsonOf<Diagnosis>(await from('127.0.0.2', 'route', 'diagnose', '--slow', '5m', '--json'), 'route-diagnose')
    expect(okRoute.hops.find((h) => h.id === 'firewall')).to.include({verdict: 'OK'})
    expect(okRoute.hops.find((h) => h.id === 'firewall')?.summary).to.contain('enforced; your address 127.0.0.2 is allowed')

    const test = await from('127.0.0.2', 'firewall', 'test', '--ip', '127.0.0.3', '--json')
    expect(test.code, test.stderr).to.equal(0)
    expect(jsonOf<{outcome: string}>(test, 'firewall-test').outcome).to.equal('blocked')
    const human = await from('127.0.0.2', 'firewall', 'test', '--ip', '2001:db8::7')
    // Into a pipe: the record as TSV, its header line then its values.
    expect(human.stdout.split('\n')[1].split('\t')[0]).to.equal('allowed')
    expect(human.stdout).to.contain('2001:db8::/32')

    const auditOnly = await from('127.0.0.2', 'firewall', 'set', '--audit-only')
    expect(auditOnly.code, auditOnly.stderr).to.equal(0)
    expect(auditOnly.stdout).to.contain('audit-only')
    // Audit-only: .3 gets in; a change it makes puts its address in the audit log, which the dry run then reads.
    const made = await from('127.0.0.3', 'api', 'POST', '/v1/environments', '-f', 'displayName=From three', '-f', 'type=sandbox')
    expect(made.code, made.stderr).to.equal(0)
    const dry = await from('127.0.0.2', 'firewall', 'set', '--range', '127.0.0.2', '--dry-run', '--days', '1', '--json')
    expect(dry.code, dry.stderr).to.equal(0)
    const planned = jsonOf<{wouldBlock: Array<{ip: string}>; callerWouldBeBlocked: boolean}>(dry, 'firewall-set')
    expect(planned.wouldBlock.map((x) => x.ip)).to.include('127.0.0.3')
    expect(planned.callerWouldBeBlocked).to.equal(false)

    expect((await from('127.0.0.2', 'firewall', 'set', '--off')).code).to.equal(0)
    expect((await from('127.0.0.3', 'env', 'list')).code).to.equal(0)
  })

  it('refuses to lock the caller out unless --force (exit 7); a stale --if-match is exit 7; bad ranges name their line and column (exit 2); a maker is exit 5', async () => {
    const lockout = await from('127.0.0.4', 'firewall', 'set', '--range', '10.0.0.0/8')
    expect(lockout.code, lockout.stderr).to.equal(7)
    expect(lockout.stderr).to.contain('127.0.0.4')
    expect(lockout.stderr).to.contain('--force')
    expect((await from('127.0.0.4', 'firewall', 'show', '--json')).stdout).to.contain('"enabled": false')

    const stale = await from('127.0.0.4', 'firewall', 'set', '--off', '--if-match', '"999"', '--json')
    expect(stale.code, stale.stderr).to.equal(7)
    expect(errorOf(stale).code).to.equal('PRECONDITION_FAILED')

    const file = join(w.machines.admin.home, 'ranges.txt')
    writeFileSync(file, '# office\n127.0.0.0/8\n  10.0.0.0/8, 10.1.0.0/33\n')
    const bad = await from('127.0.0.4', 'firewall', 'set', '--file', file, '--json')
    expect(bad.code, bad.stderr).to.equal(2)
    expect(errorOf(bad).message).to.contain(`${file}:3:15:`)
    expect(errorOf(bad).code).to.equal('INVALID_RANGE')

    const badSource = await runCli(['firewall', 'show'], {...w.machines.admin.env, PPCTL_SOURCE_ADDRESS: 'nowhere'})
    expect(badSource.code).to.equal(2)
    expect(badSource.stderr).to.contain('PPCTL_SOURCE_ADDRESS')

    const maker = await w.run('maker', 'firewall', 'show')
    expect(maker.code, maker.stderr).to.equal(5)
  })
})
