// `ppctl audit watch` over a real platform's log: each detector fires on its scripted scenario, none on normal
// traffic; --exec gets the alert on stdin; --exit-on-alert ends a pipeline step with exit 11.
import {expect} from 'chai'
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli, type CliEnv} from '../helpers/cli.js'
import type {TestPlatform} from '../helpers/platform.js'
import {adminMachine, appendEvents, startAuditPlatform, type ScriptedEvent} from '../helpers/audit-e2e.js'

const at = (base: number, s: number) => new Date(base + s * 1000).toISOString()
const user = (upn: string) => ({type: 'user' as const, upn})

function normalDay(base: number): ScriptedEvent[] {
  const out: ScriptedEvent[] = []
  for (let i = 0; i < 120; i++) {
    const upn = `user${i % 4}@contoso.example`
    out.push({action: 'signin', result: 'succeeded', actor: user(upn), clientIp: `10.0.${i % 4}.1`, time: at(base, i * 60)})
    if (i % 40 === 3) out.push({action: 'signin', result: 'failed', actor: {type: 'anonymous', upn}, clientIp: `10.0.${i % 4}.1`, time: at(base, i * 60 + 5)})
    if (i % 30 === 0)
      out.push({
        action: 'license.revoked',
        result: 'succeeded',
        actor: user('admin@contoso.example'),
        target: {type: 'user', id: upn},
        time: at(base, i * 60 + 7),
      })
    if (i % 50 === 0)
      out.push({
        action: 'connector.blocked',
        result: 'succeeded',
        actor: user('admin@contoso.example'),
        target: {type: 'connector', id: 'twitter'},
        time: at(base, i * 60 + 9),
      })
  }
  return out
}

function attackScenario(base: number): ScriptedEvent[] {
  return [
    // Failed sign-ins of one account, from rotating addresses.
    ...Array.from({length: 5}, (_, i): ScriptedEvent => ({
      action: 'signin',
      result: 'failed',
      actor: {type: 'anonymous', upn: 'ceo@contoso.example'},
      clientIp: `198.51.100.${i + 1}`,
      time: at(base, i * 5),
    })),
    // Password spraying: many accounts from one address.
    ...Array.from({length: 5}, (_, i): ScriptedEvent => ({
      action: 'signin',
      result: 'failed',
      actor: {type: 'anonymous', upn: `user${i}@contoso.example`},
      clientIp: '203.0.113.66',
      time: at(base, 100 + i),
    })),
    {action: 'connector.unblocked', result: 'succeeded', actor: user('admin@contoso.example'), target: {type: 'connector', id: 'dropbox'}, time: at(base, 200)},
    ...Array.from({length: 10}, (_, i): ScriptedEvent => ({
      action: 'license.revoked',
      result: 'succeeded',
      actor: user('admin@contoso.example'),
      target: {type: 'user', id: `u${i}`},
      time: at(base, 300 + i * 3),
    })),
    ...['192.0.2.10', '198.51.100.20', '203.0.113.30'].map((ip, i): ScriptedEvent => ({
      action: 'signin',
      result: 'succeeded',
      actor: user('cfo@contoso.example'),
      clientIp: ip,
      time: at(base, 400 + i * 30),
    })),
  ]
}

// Two platforms: one whose log holds a normal day only, and one whose tests each watch only what they append.
async function watchPlatform(): Promise<{platform: TestPlatform; m: CliEnv; end(): Promise<number>; stop(): Promise<void>}> {
  const platform = await startAuditPlatform()
  const m = await adminMachine(platform)
  return {
    platform,
    m,
    end: async () => JSON.parse((await runCli(['audit', 'stream', '--output', 'json'], m.env)).stdout).length as number,
    async stop() {
      await platform.stop()
      m.cleanup()
    },
  }
}

describe('ppctl audit watch on a normal day (real platform)', function () {
  this.timeout(300_000)
  let w: Awaited<ReturnType<typeof watchPlatform>>

  before(async () => {
    w = await watchPlatform()
    await appendEvents(w.platform.dataDir, 'eastus-1', normalDay(Date.now() - 3 * 3600_000))
  })
  after(async () => w?.stop())

  it("stays quiet on normal traffic (the platform's own sign-in events and a working day)", async () => {
    expect(await w.end()).to.be.greaterThan(100)
    const out = await runCli(['audit', 'watch', '--no-follow'], w.m.env)
    expect(out.code, out.stderr).to.equal(0)
    expect(out.stdout).to.equal('')
  })
})

describe('ppctl audit watch on scripted scenarios (real platform, each test watches what it appended)', function () {
  this.timeout(300_000)
  let w: Awaited<ReturnType<typeof watchPlatform>>

  before(async () => {
    w = await watchPlatform()
  })
  after(async () => w?.stop())

  it('fires each detector once on the scripted scenario', async () => {
    const end = await w.end()
    await appendEvents(w.platform.dataDir, 'eastus-1', attackScenario(Date.now() - 3600_000))
    const out = await runCli(['audit', 'watch', '--no-follow', '--after', String(end)], w.m.env)
    expect(out.code, out.stderr).to.equal(0)
    const alerts = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {detector: string; subject: string; seqs: number[]})
    expect(alerts.map((a) => a.detector).sort()).to.deep.equal([
      'connector-unblocked',
      'failed-signins-account',
      'failed-signins-address',
      'mass-license-revocation',
      'signin-many-addresses',
    ])
    expect(alerts.find((a) => a.detector === 'failed-signins-account')?.subject).to.equal('ceo@contoso.example')
    expect(alerts.find((a) => a.detector === 'failed-signins-address')?.subject).to.equal('203.0.113.66')
    expect(alerts.find((a) => a.detector === 'signin-many-addresses')?.subject).to.equal('cfo@contoso.example')
    for (const a of alerts) expect(Math.min(...a.seqs)).to.be.greaterThan(end)
  })

  it('runs --exec with the alert as JSON on stdin, and --exit-on-alert exits 11 at the first alert', async () => {
    const script = join(w.m.home, 'on-alert.sh')
    const sink = join(w.m.home, 'alerts.ndjson')
    writeFileSync(script, `#!/bin/sh\ncat >> "$1"\n`)
    chmodSync(script, 0o755)
    const end = await w.end()
    await appendEvents(w.platform.dataDir, 'eastus-1', [
      {action: 'connector.unblocked', result: 'succeeded', actor: user('admin@contoso.example'), target: {type: 'connector', id: 'dropbox'}},
    ])
    const out = await runCli(
      ['audit', 'watch', '--no-follow', '--after', String(end), '--detector', 'connector-unblocked', '--exec', `${script} ${sink}`, '--exit-on-alert'],
      w.m.env,
    )
    expect(out.code).to.equal(11)
    expect(out.stderr).to.match(/Alert connector-unblocked: connector dropbox was unblocked/)
    const received = readFileSync(sink, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {detector: string; subject: string})
    expect(received).to.deep.equal([JSON.parse(out.stdout.trim())])
    expect(received[0]).to.include({detector: 'connector-unblocked', subject: 'dropbox'})
  })
})
