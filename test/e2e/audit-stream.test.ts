// `ppctl audit stream` against a real local platform started by the CLI: exact history, a cut mid-frame, heartbeats,
// checkpoints (consumer crash, corrupt and foreign files), token renewal, failover, and 410 past retention.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {systemClock} from '../../src/lib/clock.js'
import {consumeAudit, type StatusEvent} from '../../src/lib/audit/consume.js'
import {REFRESH_AHEAD_MS} from '../../src/lib/auth/token-lifecycle.js'
import type {AuditFrame} from '../../src/lib/audit/sse-decoder.js'
import {clusterTransport} from '../../src/lib/audit/transport.js'
import {createContext} from '../../src/lib/context.js'
import {runCli, type CliEnv} from '../helpers/cli.js'
import type {TestPlatform} from '../helpers/platform.js'
import {CONTOSO, adminMachine, collect, seedEvents, seqs, spawnStream, startAuditPlatform} from '../helpers/audit-e2e.js'

const HEARTBEAT_MS = 300
const CRASH_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'audit-stream-crash.ts')

/** The platform's own bytes for each stored event of Contoso (read-only, beside the running platform). */
async function storedJson(platform: TestPlatform, cluster: string): Promise<string[]> {
  const {default: Database} = await import('better-sqlite3')
  const db = new Database(join(platform.dataDir, 'clusters', `${cluster}.db`), {readonly: true})
  try {
    return (db.prepare('SELECT json FROM audit WHERE tenant_id = ? ORDER BY seq').all(CONTOSO) as Array<{json: string}>).map((r) => r.json)
  } finally {
    db.close()
  }
}

describe('ppctl audit stream (real platform)', function () {
  let platform: TestPlatform
  let m: CliEnv

  before(async () => {
    platform = await startAuditPlatform({PPCTL_SANDBOX_HEARTBEAT_MS: String(HEARTBEAT_MS)})
    m = await adminMachine(platform)
    // Nothing else writes Contoso's log while the test adds to it: sign-in is done.
    await seedEvents(platform.dataDir, 'eastus-1', 120)
  })

  after(async () => {
    await platform?.stop()
    m?.cleanup()
  })

  const ctxOf = () => createContext({env: m.env, version: '0.0.0-test'})

  it("prints the history as exactly the platform's events, one per line, then exits 0", async () => {
    const out = await runCli(['audit', 'stream'], m.env)
    expect(out.code, out.stderr).to.equal(0)
    expect(out.stdout).to.equal((await storedJson(platform, 'eastus-1')).map((j) => `${j}\n`).join(''))
    const table = await runCli(['audit', 'stream', '--output', 'table', '--action', 'tenant.*'], m.env)
    expect(table.code).to.equal(0)
    expect(table.stdout.split('\n')[1]).to.match(/^│ SEQ \/ TIME │ ACTION \/ RESULT +│ ACTOR \/ TARGET +│$/)
    expect(table.stdout).to.match(/tenant\.seeded/)
    expect(table.stdout).not.to.match(/token\.issued/)
  })

  it('delivers event 42 exactly once when the connection is cut in the middle of its frame', async () => {
    // The consumer ppctl runs, with ppctl's real transport (route, allow-list, token); the first connection's bytes
    // pass through a cutter that ends it partway into "id: 42"'s frame, as a dropped TCP connection would.
    const transport = clusterTransport(ctxOf())
    const got: AuditFrame[] = []
    const headers: Array<Record<string, string>> = []
    const stop = new AbortController()
    const last = (await storedJson(platform, 'eastus-1')).length
    await consumeAudit(
      {
        clock: systemClock,
        async open(path, h, o) {
          headers.push(h)
          const opened = await transport.open(path, h, o)
          if (headers.length > 1 || !opened.response.body) return opened
          return {...opened, response: new Response(cutInsideFrame(opened.response.body, 42), {status: 200, headers: opened.response.headers})}
        },
        async emit(batch) {
          got.push(...batch)
          if (got[got.length - 1].seq >= last) stop.abort()
        },
      },
      {follow: true, filters: {}, heartbeatMs: HEARTBEAT_MS, reconnectLimitMs: 30_000, signal: stop.signal},
    )
    expect(headers[1]?.['last-event-id']).to.equal('41')
    const s = got.map((f) => f.seq)
    expect(s.filter((x) => x === 42)).to.have.length(1)
    expect(s).to.deep.equal(Array.from({length: last}, (_, i) => i + 1))
  })

  it('keeps an idle stream open on heartbeats', async () => {
    const transport = clusterTransport(ctxOf())
    const statuses: StatusEvent[] = []
    const stop = new AbortController()
    let heartbeats = 0
    await consumeAudit(
      {
        clock: systemClock,
        open: (path, h, o) => transport.open(path, h, o),
        emit: async () => {},
        status(e) {
          statuses.push(e)
          // Eight heartbeats: well past three periods of silence in events.
          if (e.type === 'heartbeat' && ++heartbeats === 8) stop.abort()
        },
      },
      {follow: true, filters: {}, heartbeatMs: HEARTBEAT_MS, reconnectLimitMs: 30_000, signal: stop.signal},
    )
    expect(statuses.filter((s) => s.type === 'connected')).to.have.length(1)
    expect(statuses.filter((s) => s.type === 'reconnecting')).to.deep.equal([])
  })

  it('re-emits at most the last batch after a crash between a flush and its checkpoint', async () => {
    // Enough events (~1 MB) that the history arrives in many batches (one per chunk read from the socket).
    await seedEvents(platform.dataDir, 'eastus-1', 2000)
    const checkpoint = join(m.home, 'siem-state.json')
    // The same streamAudit as the command, in a process that dies after the third flushed batch, before its checkpoint.
    const child = spawn(process.execPath, ['--import', 'tsx', CRASH_ENTRY, checkpoint, '3'], {env: m.env, stdio: ['pipe', 'pipe', 'pipe']})
    child.stdin.end()
    const crashed = collect(child)
    expect(await crashed.exited).to.equal(137)
    const first = seqs(crashed.lines)
    expect(first).to.deep.equal(Array.from({length: first.length}, (_, i) => i + 1))
    // Two batches were checkpointed; the third was flushed to stdout, then the process died before its checkpoint.
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as {lastSeq: number}
    expect(saved).to.include({tenantId: CONTOSO, cluster: 'eastus-1'})
    expect(saved.lastSeq).to.be.within(2, first.length - 1)
    const rerun = await runCli(['audit', 'stream', '--checkpoint', checkpoint], m.env)
    expect(rerun.code, rerun.stderr).to.equal(0)
    const second = seqs(rerun.stdout.split('\n'))
    const total = (await storedJson(platform, 'eastus-1')).length
    expect(second).to.deep.equal(Array.from({length: total - saved.lastSeq}, (_, i) => i + saved.lastSeq + 1))
    // Duplicates: exactly the batch flushed before the crash, identifiable by seq.
    const dup = first.filter((s) => second.includes(s))
    expect(dup).to.deep.equal(Array.from({length: first.length - saved.lastSeq}, (_, i) => i + saved.lastSeq + 1))
    expect(JSON.parse(readFileSync(checkpoint, 'utf8')).lastSeq).to.equal(total)
    // A third run ships nothing new.
    const again = await runCli(['audit', 'stream', '--checkpoint', checkpoint], m.env)
    expect(again.code).to.equal(0)
    expect(again.stdout).to.equal('')
  })

  for (const [name, content, reason] of [
    ['NUL-filled', Buffer.alloc(256), /NUL bytes/],
    ['truncated', '{"format":"ppctl.audit.checkpoint/v1","tenantId":"2f6e', /not complete JSON/],
    [
      'foreign (another tenant)',
      JSON.stringify({
        format: 'ppctl.audit.checkpoint/v1',
        tenantId: '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2',
        cluster: 'westeurope-1',
        lastSeq: 9,
        lastTime: '',
      }),
      /another tenant/,
    ],
    ['foreign (not a checkpoint)', '{"cursor": 12}', /not a ppctl audit checkpoint/],
  ] as const) {
    it(`refuses a ${name} checkpoint with exit 1 and the reason, reading nothing`, async () => {
      const file = join(m.home, `bad-${name.replace(/\W+/g, '-')}.json`)
      writeFileSync(file, content)
      const out = await runCli(['audit', 'stream', '--checkpoint', file], m.env)
      expect(out.code).to.equal(1)
      expect(out.stdout).to.equal('')
      expect(out.stderr).to.match(reason)
      expect(out.stderr.trim().split('\n')[0]).to.match(/^Error: The checkpoint /)
    })
  }

  it('exits 141 quietly when the reader of stdout goes away (| head); the checkpoint stays at what was written', async () => {
    // Without its own handling, a stream whose reader exits would never end: oclif swallows EPIPE. 3,000 events
    // (~1.4 MB) are more than a pipe holds, so ppctl is still writing when the reader closes its end.
    await seedEvents(platform.dataDir, 'eastus-1', 3000)
    const total = (await storedJson(platform, 'eastus-1')).length
    const checkpoint = join(m.home, 'closed-reader.json')
    for (const args of [['--follow', '--checkpoint', checkpoint], ['--follow'], []]) {
      const child = spawnStream(m.env, args)
      const run = collect(child)
      await run.until((lines) => lines.length >= 3, 'the first events')
      child.stdout.destroy()
      expect(await run.exited, run.stderr()).to.equal(141)
      // As gh and az: no error; one line saying how to resume, only where resuming is the point.
      expect(run.stderr()).not.to.match(/Error|stdout was closed/)
      // (The only other line is the note that this test machine keeps its tokens in a file.)
      if (args.length === 0) {
        expect(run.stderr()).not.to.match(/Stopped|Resume/)
        continue
      }
      const said = /^Stopped after seq (\d+)(.*)\n(?![^]*Stopped)/m.exec(run.stderr())
      expect(said, run.stderr()).to.not.equal(null)
      const last = Number(said?.[1])
      expect(last).to.be.within(1, total - 1)
      if (args.includes('--checkpoint')) {
        // Never past what was written: a re-run starts right after it.
        expect(said?.[2]).to.equal(`; the checkpoint ${checkpoint} holds it: run the same command again to resume.`)
        expect(JSON.parse(readFileSync(checkpoint, 'utf8')).lastSeq).to.equal(last)
        const rerun = await runCli(['audit', 'stream', '--checkpoint', checkpoint], m.env)
        expect(rerun.code, rerun.stderr).to.equal(0)
        expect(seqs(rerun.stdout.split('\n'))).to.deep.equal(Array.from({length: total - last}, (_, i) => last + 1 + i))
      } else {
        expect(said?.[2]).to.equal(`. Resume: ppctl audit stream --follow --after ${last}`)
      }
    }
  })

  it('renews an access token that expires mid-stream without a gap', async () => {
    // The stored token is made to look like it has 5 min 45 s left: still good for getAccessToken (which renews at
    // 5 min), inside the stream's own margin (6 min). So the stream opens with it and moves to a new one at once —
    // however long this loaded machine takes to start ppctl, up to 45 s.
    const file = join(m.env.PPCTL_CONFIG_DIR as string, 'credentials', 'sandbox.json')
    const creds = JSON.parse(readFileSync(file, 'utf8')) as {accessToken: string; accessTokenExpiresAt: number}
    writeFileSync(file, JSON.stringify({...creds, accessTokenExpiresAt: Date.now() + REFRESH_AHEAD_MS + 45_000}))
    const child = spawnStream(m.env, ['--follow', '--heartbeat', `${HEARTBEAT_MS}ms`])
    const c = collect(child)
    await c.until(() => /renewing the access token/.test(c.stderr()), 'renewing its token')
    // The renewal is itself audited on the platform (token.refreshed): it must arrive live on the new connection.
    await c.until((lines) => lines.some((l) => l.includes('"action":"token.refreshed"')), 'the token.refreshed event')
    child.kill('SIGINT')
    expect(await c.exited).to.equal(130)
    const s = seqs(c.lines)
    expect(s).to.deep.equal(Array.from({length: s.length}, (_, i) => i + 1))
    expect((JSON.parse(readFileSync(file, 'utf8')) as {accessToken: string}).accessToken).not.to.equal(creds.accessToken)
  })

  it('follows a failover mid-stream, and a new stream follows the 421 through routing', async () => {
    const child = spawnStream(m.env, ['--follow', '--heartbeat', `${HEARTBEAT_MS}ms`])
    const c = collect(child)
    const stored = (await storedJson(platform, 'eastus-1')).length
    await c.until((lines) => seqs(lines).includes(stored), 'the history')
    const failover = await runCli(['sandbox', 'failover', '--tenant', 'contoso', '--data-dir', platform.dataDir, '--json'], platform.cli.env)
    expect(failover.code, failover.stderr).to.equal(0)
    await c.until((lines) => lines.some((l) => l.includes('"action":"failover.completed"')), 'the failover event')
    child.kill('SIGINT')
    expect(await c.exited).to.equal(130)
    const s = seqs(c.lines)
    expect(s).to.deep.equal(Array.from({length: s.length}, (_, i) => i + 1))
    // The routing cache still says eastus-1: the new run gets 421, re-resolves, and reads westus-1.
    const after = await runCli(['audit', 'stream', '--after', String(stored), '--debug'], m.env)
    expect(after.code, after.stderr).to.equal(0)
    expect(after.stdout).to.include('"action":"failover.completed"')
    expect(after.stdout).to.include('"cluster":"westus-1"')
    expect(after.stderr).to.match(/HTTP ← 421 GET https:\/\/eastus-1\.clusters\.sandbox\.localhost:\d+\/v1\/audit\/stream\?end=head/)
    expect(after.stderr).to.match(/HTTP ← 200 GET https:\/\/westus-1\.clusters\.sandbox\.localhost:\d+\/v1\/audit\/stream\?end=head/)
  })

  it('exits 7 with how far back the platform holds events when the cursor is past retention', async () => {
    // The store's retention (what PPCTL_SANDBOX_AUDIT_MAX_EVENTS sets on the platform) drops old events as these are added.
    const {ClusterDb} = await import('../../src/sandbox/clusters/cluster-db.js')
    const db = new ClusterDb('westus-1', join(platform.dataDir, 'clusters', 'westus-1.db'), {maxEvents: 50})
    try {
      db.audit.appendMany(
        CONTOSO,
        Array.from({length: 60}, (_, i) => ({action: 'token.issued', result: 'succeeded' as const, actor: {type: 'system' as const}, correlationId: `r-${i}`})),
      )
    } finally {
      db.close()
    }
    const out = await runCli(['audit', 'stream', '--after', '3'], m.env)
    expect(out.code).to.equal(7)
    expect(out.stdout).to.equal('')
    expect(out.stderr).to.match(/Events after seq 3 are no longer held by the platform; it still holds events from seq \d+ \(20\d\d-/)
    expect(out.stderr).to.match(/--after \d+/)
  })
})

/** Passes bytes through until `seq`'s frame has begun, then cuts the stream a few bytes into that frame. */
function cutInsideFrame(body: ReadableStream<Uint8Array>, seq: number): ReadableStream<Uint8Array> {
  const marker = Buffer.from(`id: ${seq}\n`)
  let seen = Buffer.alloc(0)
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const {done, value} = await reader.read()
      if (done) return controller.close()
      const offset = seen.length
      seen = Buffer.concat([seen, Buffer.from(value)])
      const at = seen.indexOf(marker)
      if (at < 0) return controller.enqueue(value)
      // Everything up to 20 bytes into the frame of `seq`, then the connection "drops".
      controller.enqueue(value.subarray(0, at - offset + marker.length + 20))
      await reader.cancel()
      controller.error(Object.assign(new TypeError('terminated'), {cause: {code: 'ECONNRESET'}}))
    },
  })
}
