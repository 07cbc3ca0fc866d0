// apiRequest against a real platform with `sandbox fault` and `sandbox failover`: re-resolution after a failover
// (home down, old primary's 421), timeouts naming the host, retries through a flaky cluster, throttling.
import {expect} from 'chai'
import {readFile} from 'node:fs/promises'

import type {Clock} from '../../src/lib/clock.js'
import {createContext, type Context} from '../../src/lib/context.js'
import {ExitCode, PpctlError} from '../../src/lib/errors/index.js'
import {createHttp} from '../../src/lib/http/client.js'
import {createDebugLog} from '../../src/lib/io/debug-log.js'
import type {Http} from '../../src/lib/http/types.js'
import {runCli, type CliEnv} from '../helpers/cli.js'
import {fakeIO} from '../helpers/fake-io.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'

/** Records waits without sleeping; time moves with them (real time is its start). */
function recordingClock(): Clock & {sleeps: number[]} {
  let offset = 0
  const sleeps: number[] = []
  return {sleeps, now: () => Date.now() + offset, sleep: async (ms) => void (sleeps.push(ms), (offset += ms))}
}

describe('HTTP resilience and re-resolution (in-process apiRequest, real platform)', function () {
  let platform: TestPlatform
  let admin: CliEnv
  const https: Http[] = []

  before(async () => {
    platform = await startTestPlatform()
    admin = await machine(platform)
    const login = await deviceLogin(admin.env, [], approveWithCli(platform, 'admin@contoso.example'))
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`)
  })
  afterEach(async () => {
    await Promise.all(https.splice(0).map((h) => h.close()))
    for (const cluster of ['eastus-1', 'westus-1'])
      await runCli(['sandbox', 'fault', '--cluster', cluster, 'up', '--data-dir', platform.dataDir], platform.cli.env)
  })
  after(async () => {
    admin?.cleanup()
    await platform?.stop()
  })

  /** A context on the signed-in machine's config, with a recording clock, a debug log to read, and retry overrides. */
  async function context(options: {env?: NodeJS.ProcessEnv; maxAttempts?: number} = {}) {
    const io = fakeIO()
    const clock = recordingClock()
    const env = {...admin.env, ...options.env}
    // The context's own HTTP stack, with the platform's CA and this test's retry policy.
    const {profile} = await createContext({env, io: io.io, version: '0.0.0-test'}).activeProfile()
    const debug = createDebugLog(io.io, true)
    const http = createHttp({
      env,
      ca: await readFile(profile.caFile!, 'utf8'),
      userAgent: 'ppctl/test',
      debug,
      clock,
      retry: {maxAttempts: options.maxAttempts ?? 4},
    })
    https.push(http)
    const ctx = createContext({env, io: io.io, clock, version: '0.0.0-test', debug: true, http})
    return {ctx, clock, log: () => io.stderrText()}
  }
  const cli = async (...args: string[]) => {
    const res = await runCli([...args, '--data-dir', platform.dataDir], platform.cli.env)
    expect(res.code, res.stderr).to.equal(0)
  }
  const list = (ctx: Context) => ctx.api().request<{items: unknown[]}>({path: '/v1/connectors?limit=1', what: 'Listing connectors'})
  async function rejection(promise: Promise<unknown>): Promise<PpctlError> {
    try {
      await promise
    } catch (err) {
      expect(err).to.be.instanceOf(PpctlError)
      return err as PpctlError
    }
    expect.fail('expected a failure')
  }

  it("re-resolves on the old primary's 421 and reaches the new active cluster (epoch grows)", async () => {
    expect((await runCli(['route', 'show', '--refresh'], admin.env)).code).to.equal(0)
    await cli('sandbox', 'failover', '--tenant', 'contoso')
    const {ctx, log} = await context()
    const res = await list(ctx)
    expect(res.status).to.equal(200)
    expect(log()).to.match(/421 WRONG_CLUSTER from eastus-1: re-resolving/)
    expect(log()).to.match(/route moved: eastus-1 \(epoch 1\) → westus-1 \(epoch 2\)/)
  })

  it('re-resolves when the home cluster is down after a failover, and reaches the new active cluster', async () => {
    // The cache says westus-1 (epoch 2); contoso fails over back to eastus-1, and westus-1 goes down.
    await cli('sandbox', 'failover', '--tenant', 'contoso')
    await cli('sandbox', 'fault', '--cluster', 'westus-1', 'down', '--mode', '503')
    const {ctx, log, clock} = await context()
    const res = await list(ctx)
    expect(res.status).to.equal(200)
    expect(clock.sleeps.length, 'retried the down cluster first').to.be.greaterThan(0)
    expect(log()).to.match(/home cluster westus-1 unreachable \(PLATFORM_UNAVAILABLE\); re-resolving/)
    expect(log()).to.match(/route moved: westus-1 \(epoch 2\) → eastus-1 \(epoch 3\)/)
    const show = JSON.parse((await runCli(['route', 'show', '--json'], admin.env)).stdout) as {epoch: number; fromCache: boolean}
    expect(show, 'the cache now holds the new route').to.include({epoch: 3, fromCache: true})
  })

  it('fails with the first error, naming the host, when the route has not moved', async () => {
    await cli('sandbox', 'fault', '--cluster', 'eastus-1', 'down', '--mode', '503')
    const {ctx, log} = await context({maxAttempts: 2})
    const err = await rejection(list(ctx))
    expect(err.code).to.equal('PLATFORM_UNAVAILABLE')
    expect(err.exitCode).to.equal(ExitCode.THROTTLED)
    expect(err.message).to.contain('eastus-1.clusters.sandbox.localhost')
    expect(log()).to.match(/route of .* is unchanged \(eastus-1, epoch 3\)/)
  })

  it('times out on a slow cluster with an error naming the host (PPCTL_HTTP_TIMEOUT_MS)', async () => {
    await cli('sandbox', 'fault', '--cluster', 'eastus-1', 'slow', '5000')
    const {ctx} = await context({env: {PPCTL_HTTP_TIMEOUT_MS: '400'}, maxAttempts: 1})
    const err = await rejection(list(ctx))
    expect(err.code).to.equal('TIMEOUT')
    expect(err.exitCode).to.equal(ExitCode.UNREACHABLE)
    expect(err.message).to.contain('eastus-1.clusters.sandbox.localhost')
  })

  it('retries through a flaky cluster and succeeds', async () => {
    await cli('sandbox', 'fault', '--cluster', 'eastus-1', 'flaky', '0.5')
    const {ctx, clock, log} = await context({maxAttempts: 12})
    for (let i = 0; i < 12; i++) expect((await list(ctx)).status).to.equal(200)
    // 12 requests at a 50 % failure rate: at least one retry, unless the platform's draws are all lucky (p = 1/4096).
    expect(clock.sleeps.length).to.be.greaterThan(0)
    expect(log()).to.match(/HTTP ⟳ retry 1\/11 of GET eastus-1\.clusters\.sandbox\.localhost:\d+ after HTTP 503/)
  })

  it('waits at least Retry-After when throttled, and gives up with exit 9 past the attempts', async () => {
    await cli('sandbox', 'fault', '--cluster', 'eastus-1', 'throttle', '1')
    const {ctx, clock} = await context()
    // The clock records the waits without passing real time, so the platform keeps throttling.
    const err = await rejection(Promise.all([list(ctx), list(ctx), list(ctx)]))
    expect(err.exitCode).to.equal(ExitCode.THROTTLED)
    expect(err.code).to.equal('THROTTLED')
    expect(err.message).to.match(/asked to wait \d+ s/)
    expect(clock.sleeps.length).to.be.greaterThan(0)
    for (const wait of clock.sleeps) expect(wait).to.be.at.least(1000)
  })
})
