// A profile in one command (`auth login --profile NAME` with the platform flags, or `--from PROFILE`), and what a
// command says when the profile it names does not exist, or none does: the real CLI against a real local platform.
import {expect} from 'chai'

import {makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'

interface ConfigList {
  items: Array<{key: string; value: unknown}>
}

describe('a profile in one command (real CLI, real platform)', function () {
  let platform: TestPlatform
  let sandboxMachine: CliEnv
  const machines: CliEnv[] = []
  const fresh = () => {
    const cli = makeCliEnv({PPCTL_CREDENTIAL_STORE: 'file', PPCTL_NO_WARNINGS: '1'})
    machines.push(cli)
    return cli
  }

  before(async () => {
    platform = await startTestPlatform()
    sandboxMachine = await machine(platform, {PPCTL_NO_WARNINGS: '1'})
    machines.push(sandboxMachine)
  })
  after(async () => {
    for (const m of machines) m.cleanup()
    await platform?.stop()
  })

  /** The sandbox profile's settings, as `sandbox start` wrote them on the first machine. */
  async function sandboxSettings(): Promise<Record<string, string>> {
    const res = await runCli(['config', 'list', '--profile', 'sandbox', '--json'], sandboxMachine.env)
    expect(res.code, res.stderr).to.equal(0)
    const keys = (JSON.parse(res.stdout) as ConfigList).items
    return Object.fromEntries(keys.filter((k) => k.value !== null).map((k) => [k.key, Array.isArray(k.value) ? k.value.join(',') : String(k.value)]))
  }

  it('--authority, --client-id, --global-url, --ca-file and --cluster-allow-list make a working profile on a fresh machine', async () => {
    const s = await sandboxSettings()
    const cli = fresh()
    const args = [
      '--profile',
      'ops',
      '--authority',
      s.authority,
      '--client-id',
      s['client-id'],
      '--global-url',
      s['global-url'],
      '--ca-file',
      s['ca-file'],
      '--cluster-allow-list',
      s['cluster-allow-list'],
    ]
    const login = await deviceLogin(cli.env, args, approveWithCli(platform, 'admin@contoso.example'))
    expect(login.code, login.stderr).to.equal(0)
    const list = await runCli(['connector', 'list', '--profile', 'ops', '--json'], cli.env)
    expect(list.code, list.stderr).to.equal(0)
    expect((JSON.parse(list.stdout) as {count: number}).count).to.be.greaterThan(0)
    const saved = await runCli(['config', 'list', '--profile', 'ops', '--json'], cli.env)
    const byKey = Object.fromEntries((JSON.parse(saved.stdout) as ConfigList).items.map((k) => [k.key, k.value]))
    expect(byKey).to.include({'global-url': s['global-url'], 'ca-file': s['ca-file']})
    expect(byKey['cluster-allow-list']).to.deep.equal(s['cluster-allow-list'].split(','))
  })

  it('--from copies the platform settings of a profile: a second account on the same platform in one command', async () => {
    const login = await deviceLogin(sandboxMachine.env, ['--profile', 'maker', '--from', 'sandbox'], approveWithCli(platform, 'maker@contoso.example'))
    expect(login.code, login.stderr).to.equal(0)
    expect(JSON.parse(login.stdout)).to.include({profile: 'maker', account: 'maker@contoso.example'})
    const list = await runCli(['connector', 'list', '--profile', 'maker', '--json'], sandboxMachine.env)
    expect(list.code, list.stderr).to.equal(0)
    // The sandbox profile's own sign-in is untouched.
    const status = await runCli(['auth', 'status', '--all', '--json'], sandboxMachine.env)
    const profiles = (JSON.parse(status.stdout) as {items: Array<{profile: string; account: string | null}>}).items
    expect(profiles.find((p) => p.profile === 'maker')?.account).to.equal('maker@contoso.example')
  })

  it('--from a profile that does not exist: exit 6 before any sign-in starts', async () => {
    const res = await runCli(['auth', 'login', '--profile', 'x', '--from', 'nope'], sandboxMachine.env)
    expect(res.code).to.equal(6)
    expect(res.stderr).to.equal('Error: There is no profile "nope" to copy.\n  Next: See the profiles: ppctl auth list\n')
  })

  it('a command on a fresh machine says to sign in first (exit 4); --profile naming no profile says so (exit 6)', async () => {
    const cli = fresh()
    const first = await runCli(['connector', 'list'], cli.env)
    expect(first.code).to.equal(4)
    expect(first.stderr).to.match(
      /^Error: ppctl has no profile on this machine yet: sign in first\.\n {2}Next: Try it on the local platform: ppctl sandbox start && ppctl auth login/,
    )
    const missing = await runCli(['connector', 'list', '--profile', 'doesnotexist'], sandboxMachine.env)
    expect(missing.code).to.equal(6)
    expect(missing.stderr).to.match(
      /^Error: There is no profile "doesnotexist" \(there (is|are): .*sandbox.*\)\.\n {2}Next: Use one of them with --profile, or create it: ppctl auth login --profile doesnotexist --from /,
    )
  })
})
