// `ppctl route show` against a real platform: cache and TTL, Support across tenants, failover, allow-list, warm = no calls.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli, type CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {signedInMachines} from '../helpers/sign-in.js'
import {expectSchema} from '../lib/routing/schemas.js'

interface RouteShow {
  tenantId: string
  home: {clusterId: string; uri: string}
  secondary: {clusterId: string}
  epoch: number
  fromCache: boolean
  ageSeconds: number
}

describe('route show (real CLI, real platform)', function () {
  let platform: TestPlatform
  let admin: CliEnv
  let support: CliEnv

  before(async () => {
    platform = await startTestPlatform()
    ;[admin, support] = await signedInMachines(platform, ['admin@contoso.example', 'support@operator.example'])
  })
  after(async () => {
    admin?.cleanup()
    support?.cleanup()
    await platform?.stop()
  })

  const show = async (cli: CliEnv, ...args: string[]) => {
    const res = await runCli(['route', 'show', '--json', ...args], cli.env)
    const route = res.code === 0 ? (JSON.parse(res.stdout) as RouteShow) : undefined
    if (route) expectSchema('route-show', route)
    return {...res, route}
  }
  const requestCount = () => readFileSync(join(platform.dataDir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).length

  it("shows the signed-in tenant's route, then answers from the cache with zero platform calls", async () => {
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

  it('answers the same through the fast path and through oclif', async () => {
    const strip = (text: string) => {
      const {ageSeconds: _a, expiresInSeconds: _e, ...rest} = JSON.parse(text) as Record<string, unknown>
      return rest
    }
    const fast = await runCli(['route', 'show', '--json'], admin.env)
    const slow = await runCli(['route', 'show', '--json'], {...admin.env, PPCTL_NO_FAST_PATH: '1'})
    expect(fast.code).to.equal(0)
    expect(slow.code).to.equal(0)
    expect(strip(fast.stdout)).to.deep.equal(strip(slow.stdout))
    const fastError = await runCli(['route', 'show', '--tenant', 'fabrikam'], admin.env)
    const slowError = await runCli(['route', 'show', '--tenant', 'fabrikam'], {...admin.env, PPCTL_NO_FAST_PATH: '1'})
    expect(fastError.code).to.equal(5)
    expect(slowError.code).to.equal(5)
    expect(fastError.stderr.replace(/Correlation id: \S+/, '')).to.equal(slowError.stderr.replace(/Correlation id: \S+/, ''))
  })

  it("refuses another tenant's route to a tenant admin (exit 5), and gives both to Support", async () => {
    const refused = await show(admin, '--tenant', 'fabrikam')
    expect(refused.code).to.equal(5)
    expect(JSON.parse(refused.stdout).error.code).to.equal('TENANT_ACCESS_DENIED')
    const fabrikam = await show(support, '--tenant', 'fabrikam')
    expect(fabrikam.code, fabrikam.stderr).to.equal(0)
    expect(fabrikam.route!.home.clusterId).to.equal('westeurope-1')
    expect((await show(support, '--tenant', 'contoso')).route!.home.clusterId).to.equal('eastus-1')
  })

  it('follows a failover when asked to re-resolve: the epoch grows', async () => {
    const failover = await runCli(['sandbox', 'failover', '--tenant', 'contoso', '--data-dir', platform.dataDir, '--json'], platform.cli.env)
    expect(failover.code, failover.stderr).to.equal(0)
    expect((await show(admin)).route!.epoch, 'still cached').to.equal(1)
    const fresh = await show(admin, '--refresh')
    expect(fresh.route).to.include({epoch: 2, fromCache: false})
    expect(fresh.route!.home.clusterId).to.equal('westus-1')
  })

  it('refuses a home outside the profile allow-list before any request to it (exit 8)', async () => {
    const set = await runCli(['config', 'set', 'cluster-allow-list', '*.clusters.example.com', '--profile', 'sandbox'], admin.env)
    expect(set.code, set.stderr).to.equal(0)
    const res = await show(admin, '--refresh')
    expect(res.code).to.equal(8)
    const error = JSON.parse(res.stdout).error as {code: string; message: string}
    expect(error.code).to.equal('CLUSTER_URI_REFUSED')
    expect(error.message).to.contain('clusters.sandbox.localhost')
  })
})
