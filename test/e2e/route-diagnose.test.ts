// `ppctl route diagnose` against a real platform: healthy (all OK, exit 0), a slow secondary (WARN), the home down (FAIL, exit 8).
import {expect} from 'chai'

import {runCli, type CliEnv} from '../helpers/cli.js'
import {openTmux} from '../helpers/tmux.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {signedInMachines} from '../helpers/sign-in.js'
import {expectSchema} from '../helpers/route-schemas.js'

interface Diagnosis {
  verdict: string
  summary: string
  hops: Array<{id: string; title: string; verdict: string; ms: number; summary: string; cause?: string; details: Record<string, unknown>}>
}

describe('route diagnose (real CLI, real platform)', function () {
  let platform: TestPlatform
  let admin: CliEnv
  let support: CliEnv

  before(async () => {
    platform = await startTestPlatform()
    ;[admin, support] = await signedInMachines(platform, ['admin@contoso.example', 'support@operator.example'])
  })
  afterEach(async () => {
    for (const cluster of ['eastus-1', 'westus-1'])
      await runCli(['sandbox', 'fault', '--cluster', cluster, 'up', '--data-dir', platform.dataDir], platform.cli.env)
  })
  after(async () => {
    admin?.cleanup()
    support?.cleanup()
    await platform?.stop()
  })

  const fault = async (...args: string[]) => {
    const res = await runCli(['sandbox', 'fault', ...args, '--data-dir', platform.dataDir], platform.cli.env)
    expect(res.code, res.stderr).to.equal(0)
  }
  const diagnose = async (cli: CliEnv, ...args: string[]) => {
    const res = await runCli(['route', 'diagnose', '--json', ...args], cli.env)
    const diagnosis = JSON.parse(res.stdout) as Diagnosis
    expectSchema('route-diagnose', diagnosis)
    return {...res, diagnosis, hop: (id: string) => diagnosis.hops.find((h) => h.id === id)!}
  }

  // A hop over --slow is WARN. The healthy cases give a bound no loaded machine reaches, so only a fault makes a WARN.
  const RELAXED = ['--slow', '5m']

  it('finds every hop OK on a healthy platform, and exits 0', async () => {
    const {code, diagnosis, hop, stderr} = await diagnose(admin, ...RELAXED)
    expect(code, stderr).to.equal(0)
    expect(diagnosis.verdict).to.equal('OK')
    const ids = diagnosis.hops.map((h) => h.id)
    expect(ids).to.include.members([
      'profile',
      'discovery',
      'token',
      'proxy',
      'global',
      'home.dns',
      'home.tcp',
      'home.tls',
      'home.health',
      'secondary.dns',
      'secondary.tcp',
      'secondary.tls',
      'secondary.health',
    ])
    expect(
      diagnosis.hops.filter((h) => h.verdict !== 'OK'),
      JSON.stringify(diagnosis.hops),
    ).to.deep.equal([])
    expect(hop('home.dns').details.source).to.equal('localhost-rule')
    expect(hop('home.dns').summary).to.contain('.localhost rule')
    expect(hop('home.tls').details).to.include({nameMatches: true})
    expect(hop('home.health').details).to.include({role: 'active', clusterId: 'eastus-1'})
    expect(hop('secondary.health').details).to.include({role: 'passive', clusterId: 'westus-1'})
    expect(hop('token').details).to.include({tenantId: '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'})
    const human = await runCli(['route', 'diagnose', ...RELAXED], admin.env)
    expect(human.code).to.equal(0)
    expect(human.stdout).to.match(/^Verdict: OK/m)
  })

  it('warns about a slow secondary, and still exits 0', async () => {
    // The secondary answers after 8 s at least; the bound is 6 s, far above what the healthy home takes even when loaded.
    await fault('--cluster', 'westus-1', 'slow', '8000')
    const {code, diagnosis, hop} = await diagnose(admin, '--slow', '6s')
    expect(code).to.equal(0)
    expect(diagnosis.verdict).to.equal('WARN')
    expect(hop('secondary.health').verdict).to.equal('WARN')
    expect(hop('secondary.health').cause).to.contain('westus-1')
    expect(hop('home.health').verdict).to.equal('OK')
  })

  it('fails naming the home cluster when it is down, exits 8, and still prints the JSON', async () => {
    await fault('--cluster', 'eastus-1', 'down', '--mode', '503')
    const {code, diagnosis, hop} = await diagnose(admin)
    expect(code).to.equal(8)
    expect(diagnosis.verdict).to.equal('FAIL')
    expect(hop('home.health').verdict).to.equal('FAIL')
    expect(diagnosis.summary).to.contain('eastus-1')
  })

  it('lets Support diagnose another tenant', async () => {
    const {code, diagnosis, hop} = await diagnose(support, '--tenant', 'fabrikam', ...RELAXED)
    expect(code).to.equal(0)
    expect(diagnosis.verdict).to.equal('OK')
    expect(hop('home.health').details).to.include({clusterId: 'westeurope-1', role: 'active'})
  })

  it('at a real 80-column terminal: no line longer than 80, every hop name whole, the tenant named, a FAIL with its cause under its hop', async () => {
    await fault('--cluster', 'eastus-1', 'down')
    const {diagnosis} = await diagnose(admin, ...RELAXED)
    const term = await openTmux({columns: 80, env: admin.env})
    try {
      const {status, lines} = await term.run(`ppctl route diagnose ${RELAXED.join(' ')} 2>/dev/null`)
      expect(status, lines.join('\n')).to.equal(8)
      // stdout only: the insecure-storage warning on stderr is the file store's, not the diagnosis's.
      // -J joins what the terminal wrapped: a line longer than the window would come back whole, and longer than 80.
      for (const line of lines) expect([...line].length, line).to.be.at.most(80)
      expect(lines[0]).to.match(/^Route diagnosis for contoso \(2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1\), profile/)
      for (const h of diagnosis.hops)
        expect(
          lines.some((l) => l.endsWith(`ms  ${h.title}`)),
          `${h.title} on its own line`,
        ).to.equal(true)
      const health = lines.findIndex((l) => /^FAIL +\d+ ms {2}home eastus-1 health$/.test(l))
      expect(health, lines.join('\n')).to.be.greaterThan(0)
      expect(lines.slice(health + 1, health + 4).some((l) => l.startsWith(' '.repeat(15) + 'cause: '))).to.equal(true)
      expect(lines.some((l) => l.startsWith('Verdict: FAIL at home eastus-1 health'))).to.equal(true)
    } finally {
      await term.close()
    }
  })
})
