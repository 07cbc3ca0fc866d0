// `ppctl audit stream` with a cursor ahead of the platform's log (a reset platform, an old checkpoint): exit 7
// naming both seqs, never a silent wait or skip — and a cursor at the head still follows new events.
import {expect} from 'chai'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli, type CliEnv} from '../helpers/cli.js'
import type {TestPlatform} from '../helpers/platform.js'
import {CONTOSO, adminMachine, collect, seedEvents, seqs, spawnStream, startAuditPlatform} from '../helpers/audit-e2e.js'

const HEARTBEAT_MS = 300
/** Far beyond anything the platform holds: what a checkpoint of a platform since reset holds. */
const FAR = 1_000_004

describe('ppctl audit stream: a cursor ahead of the log (real platform)', function () {
  let platform: TestPlatform
  let m: CliEnv

  before(async () => {
    platform = await startAuditPlatform({PPCTL_SANDBOX_HEARTBEAT_MS: String(HEARTBEAT_MS)})
    m = await adminMachine(platform)
    await seedEvents(platform.dataDir, 'eastus-1', 4)
  })

  after(async () => {
    await platform?.stop()
    m?.cleanup()
  })

  /** The platform's head now, as a history read ends at it. */
  const head = async () => {
    const out = await runCli(['audit', 'stream', '--output', 'json'], m.env)
    expect(out.code, out.stderr).to.equal(0)
    const events = JSON.parse(out.stdout) as Array<{seq: number}>
    return events[events.length - 1].seq
  }

  for (const follow of [false, true]) {
    const flags = follow ? ['--follow', '--heartbeat', `${HEARTBEAT_MS}ms`] : []
    it(`exits 7 for a checkpoint ahead of the head${follow ? ' with --follow (no wait)' : ''}, naming both seqs and leaving the file as it was`, async () => {
      const h = await head()
      const file = join(m.home, `ahead-${follow ? 'follow' : 'history'}.json`)
      const text =
        JSON.stringify(
          {
            format: 'ppctl.audit.checkpoint/v1',
            tenantId: CONTOSO,
            cluster: 'eastus-1',
            lastSeq: FAR,
            lastTime: '2026-01-01T00:00:00.000Z',
            updatedAt: '2026-01-01T00:00:00.000Z',
          },
          null,
          2,
        ) + '\n'
      writeFileSync(file, text)
      const before = statSync(file).mtimeMs
      const out = await runCli(['audit', 'stream', '--checkpoint', file, ...flags], m.env)
      expect(out.code, out.stderr).to.equal(7)
      expect(out.stdout).to.equal('')
      expect(out.stderr).to.include(`Error: The checkpoint ${file} holds seq ${FAR}, but the platform's audit log ends at seq ${h}`)
      expect(out.stderr).to.include(`delete the checkpoint ${file}`)
      expect(out.stderr).to.include(`--after ${h}`)
      expect(readFileSync(file, 'utf8')).to.equal(text)
      expect(statSync(file).mtimeMs).to.equal(before)
    })

    it(`exits 7 with CURSOR_AHEAD for --after beyond the head${follow ? ' with --follow (no wait)' : ''}`, async () => {
      const h = await head()
      const out = await runCli(['audit', 'stream', '--after', String(h + 2), '--json', ...flags], m.env)
      expect(out.code, out.stderr).to.equal(7)
      const {error} = JSON.parse(out.stdout) as {error: {code: string; message: string; nextStep: string; exitCode: number}}
      expect(error).to.include({code: 'CURSOR_AHEAD', exitCode: 7})
      expect(error.message).to.include(`seq ${h + 2}`)
      expect(error.message).to.include(`ends at seq ${h}`)
      expect(error.nextStep).to.include(`--after ${h}`)
    })
  }

  it('with --follow and --after at the head, waits and delivers the next event', async () => {
    const h = await head()
    const child = spawnStream(m.env, ['--follow', '--after', String(h), '--heartbeat', `${HEARTBEAT_MS}ms`, '--debug'])
    const c = collect(child)
    // Connected (the stream's answer arrived) and still running: then a new event is made on the platform.
    await c.until(() => /HTTP ← 200 GET \S+\/v1\/audit\/stream/.test(c.stderr()), 'the stream to open')
    const blocked = await runCli(['connector', 'block', 'shared_sql', '--yes'], m.env)
    expect(blocked.code, blocked.stderr).to.equal(0)
    await c.until((lines) => lines.some((l) => l.includes('"action":"connector.blocked"')), 'the connector.blocked event')
    child.kill('SIGINT')
    expect(await c.exited).to.equal(130)
    expect(seqs(c.lines)[0]).to.equal(h + 1)
    expect(c.stderr()).not.to.match(/CURSOR_AHEAD|ahead/)
  })
})
