// Fault run: 100,000 events written while the platform is killed with SIGKILL and restarted three times (same data
// folder, same port) → `ppctl audit stream --follow` prints exactly those events, in order, none twice.
import {expect} from 'chai'

import {runCli, type CliEnv} from '../helpers/cli.js'
import type {TestPlatform} from '../helpers/platform.js'
import {adminMachine, collect, platformPid, seedEvents, spawnStream, startAuditPlatform, waitForExit} from '../helpers/audit-e2e.js'

const TOTAL = 100_000
const ROUNDS = 4 // one batch before the first kill, then one while the platform is down after each of three kills

describe('ppctl audit stream fault run (real platform, SIGKILL ×3)', function () {
  // 100,000 events and three restarts: about 20 s on an idle 2-core machine, several times that on a loaded one.
  this.timeout(300_000)
  let platform: TestPlatform
  let m: CliEnv

  before(async () => {
    platform = await startAuditPlatform({PPCTL_SANDBOX_HEARTBEAT_MS: '300'})
    m = await adminMachine(platform)
  })

  after(async () => {
    await platform?.stop()
    m?.cleanup()
  })

  it('prints exactly the 100,000 events, in order, none twice', async () => {
    const per = TOTAL / ROUNDS
    await seedEvents(platform.dataDir, 'eastus-1', per, 0)
    const child = spawnStream(m.env, ['--follow', '--heartbeat', '300ms', '--reconnect-timeout', '60s'])
    const c = collect(child)
    const seeded = (n: number) => (lines: string[]) => lines.some((l) => l.includes(`"correlationId":"seed-${n - 1}"`))
    await c.until(seeded(per), 'the first batch')
    for (let round = 1; round < ROUNDS; round++) {
      const pid = platformPid(platform)
      process.kill(pid, 'SIGKILL')
      await waitForExit(pid)
      // Written while the platform is down, straight into its store: the stream must pick them up after the restart.
      await seedEvents(platform.dataDir, 'eastus-1', per, round * per)
      const started = await runCli(['sandbox', 'start', '--port', String(platform.port), '--data-dir', platform.dataDir, '--json'], platform.cli.env)
      expect(started.code, started.stderr).to.equal(0)
      await c.until(seeded((round + 1) * per), `batch ${round + 1}`)
    }
    child.kill('SIGINT')
    expect(await c.exited).to.equal(130)
    const events = c.lines.filter(Boolean).map((l) => JSON.parse(l) as {seq: number; correlationId?: string})
    // Every seq once, in order, no gap (the sign-in's own events come first).
    events.forEach((e, i) => expect(e.seq, `line ${i}`).to.equal(i + 1))
    const ids = events.filter((e) => e.correlationId?.startsWith('seed-')).map((e) => Number(e.correlationId?.slice(5)))
    expect(ids.length).to.equal(TOTAL)
    ids.forEach((id, i) => expect(id).to.equal(i))
    expect(c.stderr()).to.match(/reconnecting/)
  })
})
