// `ppctl route show` against a real platform: cache and TTL, Support across tenants, failover, allow-list, warm = no calls, fast path = oclif.
import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT, runCli, type CliEnv, type CliResult} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {machine, signedInMachines} from '../helpers/sign-in.js'
import {expectSchema} from '../helpers/route-schemas.js'

interface RouteShow {
  tenantId: string
  home: {clusterId: string; uri: string}
  secondary: {clusterId: string}
  epoch: number
  fromCache: boolean
  ageSeconds: number
}

const show = async (cli: CliEnv, ...args: string[]) => {
  const res = await runCli(['route', 'show', '--json', ...args], cli.env)
  const route = res.code === 0 ? (JSON.parse(res.stdout) as RouteShow) : undefined
  if (route) expectSchema('route-show', route)
  return {...res, route}
}

describe('route show (real CLI, real platform)', function () {
  let platform: TestPlatform
  let support: CliEnv
  const machines: CliEnv[] = []

  before(async () => {
    platform = await startTestPlatform()
    ;[support] = await signedInMachines(platform, ['support@operator.example'])
  })
  after(async () => {
    for (const m of [support, ...machines]) m?.cleanup()
    await platform?.stop()
  })

  /** A tenant admin on a machine of its own: an empty routing cache and a profile no other test changes. */
  const freshAdmin = async () => {
    const [admin] = await signedInMachines(platform, ['admin@contoso.example'])
    machines.push(admin)
    return admin
  }
  const requestCount = () => readFileSync(join(platform.dataDir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).length

  it("shows the signed-in tenant's route, then answers from the cache with zero platform calls", async () => {
    const admin = await freshAdmin()
    const first = await show(admin)
    expect(first.code, first.stderr).to.equal(0)
    expect(first.route).to.include({tenantId: '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1', epoch: 1, fromCache: false})
    expect(first.route!.home.clusterId).to.equal('eastus-1')
    expect(first.route!.secondary.clusterId).to.equal('westus-1')
    const before = requestCount()
    const warm = await show(admin)
    expect(warm.route!.fromCache).to.equal(true)
    const human = await runCli(['route', 'show'], admin.env)
    expect(human.stdout).to.match(/from the cache/)
    expect(requestCount(), 'requests to identity or global service by a warm command').to.equal(before)
  })

  it("refuses another tenant's route to a tenant admin (exit 5), and gives both to Support", async () => {
    const admin = await freshAdmin()
    const refused = await show(admin, '--tenant', 'fabrikam')
    expect(refused.code).to.equal(5)
    expect(JSON.parse(refused.stdout).error.code).to.equal('TENANT_ACCESS_DENIED')
    const fabrikam = await show(support, '--tenant', 'fabrikam')
    expect(fabrikam.code, fabrikam.stderr).to.equal(0)
    expect(fabrikam.route!.home.clusterId).to.equal('westeurope-1')
    expect((await show(support, '--tenant', 'contoso')).route!.home.clusterId).to.equal('eastus-1')
  })

  it('refuses a home outside the profile allow-list before any request to it (exit 8)', async () => {
    const admin = await freshAdmin()
    const set = await runCli(['config', 'set', 'cluster-allow-list', '*.clusters.example.com', '--profile', 'sandbox'], admin.env)
    expect(set.code, set.stderr).to.equal(0)
    const res = await show(admin, '--refresh')
    expect(res.code).to.equal(8)
    const error = JSON.parse(res.stdout).error as {code: string; message: string}
    expect(error.code).to.equal('CLUSTER_URI_REFUSED')
    expect(error.message).to.contain('clusters.sandbox.localhost')
  })

  describe('the fast path answers as oclif does', () => {
    let admin: CliEnv
    let probeDir: string
    let probes = 0

    before(async () => {
      // Its own warm cache: the fast path's case is a warm `route show`.
      admin = await freshAdmin()
      const warm = await show(admin)
      expect(warm.code, warm.stderr).to.equal(0)
      probeDir = mkdtempSync(join(tmpdir(), 'ppctl-probe-'))
    })
    after(() => {
      if (probeDir) rmSync(probeDir, {recursive: true, force: true})
    })

    /**
     * The same argv through the fast path and through oclif (PPCTL_NO_FAST_PATH=1); a probe preloaded into each
     * child says whether @oclif/core was loaded, so a fast path that silently handed over cannot pass as one.
     */
    const both = async (args: string[], env: NodeJS.ProcessEnv = admin.env): Promise<{fast: CliResult; oclif: CliResult}> => {
      const probe = join(probeDir, `${++probes}.txt`)
      const probed = {...env, NODE_OPTIONS: `--import=${join(ROOT, 'test', 'helpers', 'oclif-probe.mjs')}`, PROBE_OCLIF_FILE: probe}
      const fast = await runCli(['route', 'show', ...args], probed)
      const oclif = await runCli(['route', 'show', ...args], {...probed, PPCTL_NO_FAST_PATH: '1'})
      expect(readFileSync(probe, 'utf8'), 'which path answered: fast, then oclif').to.equal('fast\noclif\n')
      expect(fast.code, 'exit code').to.equal(oclif.code)
      return {fast, oclif}
    }
    // What may differ between two runs: the cache's age, correlation ids, time stamps, dates and durations of traces.
    const stable = (text: string) =>
      text
        .replace(/\d+ s (old|more)\b/g, 'N s $1')
        .replace(/"(ageSeconds|expiresInSeconds)": \d+/g, '"$1": N')
        .replace(/^(ageSeconds|expiresInSeconds): \d+$/gm, '$1: N')
        .replace(/[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}/g, 'UUID')
        .replace(/\w{3}, \d\d \w{3} \d{4} [\d:]+ GMT/g, 'DATE')
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')
        .replace(/\d+(\.\d+)? ?ms\b/g, 'N ms')

    it('human output', async () => {
      const {fast, oclif} = await both([])
      expect(fast.code, fast.stderr).to.equal(0)
      expect(fast.stdout).to.match(/from the cache/)
      expect(stable(fast.stdout)).to.equal(stable(oclif.stdout))
      expect(fast.stderr).to.equal(oclif.stderr)
    })

    it('--json output', async () => {
      const {fast, oclif} = await both(['--json'])
      expect(fast.code, fast.stderr).to.equal(0)
      expect(JSON.parse(fast.stdout)).to.include({fromCache: true})
      expect(stable(fast.stdout)).to.equal(stable(oclif.stdout))
      expect(fast.stderr).to.equal(oclif.stderr)
    })

    it('-o yaml, -o csv, --query, --no-headers, PPCTL_OUTPUT and the config output: the same output by either path', async () => {
      for (const args of [
        ['-o', 'yaml'],
        ['--output=csv', '--no-headers'],
        ['--query', 'home.clusterId'],
        ['--query', '{h: home.clusterId, e: epoch}', '-o', 'json'],
      ]) {
        const {fast, oclif} = await both(args)
        expect(fast.code, `${args.join(' ')}: ${fast.stderr}`).to.equal(0)
        expect(stable(fast.stdout), args.join(' ')).to.equal(stable(oclif.stdout))
        expect(fast.stderr).to.equal(oclif.stderr)
      }
      expect((await both(['--query', 'home.clusterId'])).fast.stdout).to.equal('eastus-1\n')
      const fromEnv = await both([], {...admin.env, PPCTL_OUTPUT: 'yaml'})
      expect(fromEnv.fast.stdout).to.match(/^tenantId: /m)
      expect(stable(fromEnv.fast.stdout)).to.equal(stable(fromEnv.oclif.stdout))
      const badQuery = await both(['--query', 'home.['])
      expect(badQuery.fast.code).to.equal(2)
      expect(badQuery.fast.stderr).to.match(/^Error: Invalid --query at position 7: /)
      expect(badQuery.fast.stderr).to.equal(badQuery.oclif.stderr)
      const badEnv = await both([], {...admin.env, PPCTL_OUTPUT: 'xml'})
      expect(badEnv.fast.code).to.equal(2)
      expect(badEnv.fast.stderr).to.equal(badEnv.oclif.stderr)
    })

    it("an error: another tenant's route refused (exit 5), human and --json", async () => {
      const human = await both(['--tenant', 'fabrikam'])
      expect(human.fast.code).to.equal(5)
      expect(human.fast.stderr).to.match(/^Error: .*\n {2}Next: /m)
      expect(stable(human.fast.stderr)).to.equal(stable(human.oclif.stderr))
      expect(human.fast.stdout).to.equal(human.oclif.stdout)
      const json = await both(['--tenant=fabrikam', '--json'])
      expect(JSON.parse(json.fast.stdout).error.code).to.equal('TENANT_ACCESS_DENIED')
      expect(stable(json.fast.stdout)).to.equal(stable(json.oclif.stdout))
      expect(json.fast.stderr).to.equal(json.oclif.stderr)
    })

    it('an error: not signed in (exit 4)', async () => {
      const signedOut = await machine(platform)
      machines.push(signedOut)
      const {fast, oclif} = await both([], signedOut.env)
      expect(fast.code).to.equal(4)
      expect(fast.stderr).to.match(/^Error: /)
      expect(fast.stderr).to.equal(oclif.stderr)
      expect(fast.stdout).to.equal(oclif.stdout)
    })

    it('PPCTL_CONTENT_TYPE=json (oclif turns on JSON for it): the same JSON, by whichever path', async () => {
      const env = {...admin.env, PPCTL_CONTENT_TYPE: 'json'}
      const fast = await runCli(['route', 'show'], env)
      const oclif = await runCli(['route', 'show'], {...env, PPCTL_NO_FAST_PATH: '1'})
      expect(oclif.code, oclif.stderr).to.equal(0)
      expect(JSON.parse(oclif.stdout)).to.include({fromCache: true})
      expect(fast.code).to.equal(0)
      expect(stable(fast.stdout)).to.equal(stable(oclif.stdout))
    })

    it('--debug: the same traces, and the same error lines and stack message on a failure', async () => {
      const ok = await both(['--debug', '--json'])
      expect(ok.fast.code).to.equal(0)
      expect(stable(ok.fast.stdout)).to.equal(stable(ok.oclif.stdout))
      expect(stable(ok.fast.stderr)).to.equal(stable(ok.oclif.stderr))
      const failed = await both(['--debug', '--tenant', 'fabrikam'])
      expect(failed.fast.code).to.equal(5)
      // The stack's frames are where each path called from; everything else, its first line included, is the same.
      const withoutFrames = (text: string) => stable(text).replace(/^ {4}at .*\n/gm, '')
      expect(failed.fast.stderr).to.match(/^ {4}at /m)
      expect(failed.oclif.stderr).to.match(/^ {4}at /m)
      expect(withoutFrames(failed.fast.stderr)).to.equal(withoutFrames(failed.oclif.stderr))
    })
  })
})

describe('route show after a failover (real CLI, its own platform)', function () {
  let platform: TestPlatform
  let admin: CliEnv

  before(async () => {
    platform = await startTestPlatform()
    ;[admin] = await signedInMachines(platform, ['admin@contoso.example'])
  })
  after(async () => {
    admin?.cleanup()
    await platform?.stop()
  })

  it('follows a failover when asked to re-resolve: the epoch grows', async () => {
    const cached = await show(admin)
    expect(cached.route, cached.stderr).to.include({epoch: 1, fromCache: false})
    const failover = await runCli(['sandbox', 'failover', '--tenant', 'contoso', '--data-dir', platform.dataDir, '--json'], platform.cli.env)
    expect(failover.code, failover.stderr).to.equal(0)
    expect((await show(admin)).route!.epoch, 'still cached').to.equal(1)
    const fresh = await show(admin, '--refresh')
    expect(fresh.route).to.include({epoch: 2, fromCache: false})
    expect(fresh.route!.home.clusterId).to.equal('westus-1')
  })
})
