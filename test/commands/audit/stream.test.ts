// `ppctl audit stream` in-process: NDJSON, table and --json output, history to the end frame, resume, cursors, token renewal.
import {Ajv2020} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import nock from 'nock'

import AuditStream from '../../../src/commands/audit/stream.js'
import {ROOT} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'
import {AUTHORITY, CLUSTER, fakePlatform, problem, ROUTE, SECONDARY, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {schemaValidator} from '../../helpers/openapi.js'
import {
  auditEvent,
  cutBody,
  endFrame,
  frame,
  frames,
  HEARTBEAT,
  ndjson,
  openStream,
  range,
  sseHeaders,
  START,
  streamClock,
  untilWritten,
  type StreamClock,
} from '../../helpers/fake-audit.js'

const validateError = new Ajv2020({allErrors: true, strict: true}).compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'error.json'), 'utf8')) as object)
const isAuditEvent = schemaValidator('#/components/schemas/AuditEvent')

/** The platform's bytes for these events, one line each: what NDJSON output must be. */
const lines = (seqs: number[]) => seqs.map((s) => JSON.stringify(auditEvent(s)) + '\n').join('')
/** --follow runs stop here: 20 s after the clock's start, before any watchdog (45 s) or token timer could fire. */
const UNTIL = new Date(START + 20_000).toISOString()
const METADATA = {issuer: AUTHORITY, token_endpoint: `${AUTHORITY}/token`}

/** Records the Last-Event-ID (and Accept) of each request a reply function answers. */
function recorder() {
  const seen: Array<{lastEventId: string | undefined; accept: string | undefined; authorization: string | undefined; path: string}> = []
  return {
    seen,
    /** For nock's reply(status, body, headers): body as a function that notes the request first. */
    note<T>(body: T) {
      return function (this: nock.ReplyFnContext, path: string) {
        const h = this.req.headers
        seen.push({
          lastEventId: h['last-event-id'] as string | undefined,
          accept: h.accept as string | undefined,
          authorization: h.authorization as string | undefined,
          path,
        })
        return typeof body === 'function' ? (body as () => unknown)() : body
      }
    },
    ids: () => seen.map((s) => s.lastEventId),
  }
}

describe('audit stream (in-process)', () => {
  let p: FakePlatform
  let clock: StreamClock
  beforeEach(async () => {
    clock = streamClock()
  })
  afterEach(() => p.done())

  describe('history (no --follow)', () => {
    for (const tty of [false, true]) {
      it(`NDJSON${tty ? ' in a terminal' : ' in a pipe'}: every event exactly as the platform sent it, valid AuditEvents, until the end frame`, async () => {
        p = await fakePlatform({clock, tty})
        const r = recorder()
        p.cluster
          .get('/v1/audit/stream')
          .query({end: 'head'})
          .reply(200, r.note('retry: 3000\n\n' + frames(range(1, 3)) + HEARTBEAT + endFrame(3)), sseHeaders())
        const res = await runCommand(AuditStream, [], p)
        expect(res.code, res.stderr).to.equal(0)
        expect(res.stdout).to.equal(lines(range(1, 3)))
        for (const e of ndjson(res.stdout)) expect(isAuditEvent(e), JSON.stringify(isAuditEvent.errors)).to.equal(true)
        expect(res.stderr).to.equal('')
        expect(r.seen).to.deep.equal([
          {lastEventId: undefined, accept: 'text/event-stream', authorization: 'Bearer test-access-token', path: '/v1/audit/stream?end=head'},
        ])
      })

      it(`--output table${tty ? ' in a terminal' : ' in a pipe'}: the table renderer's frame, stacked columns at 80, names where the platform knows them`, async () => {
        p = await fakePlatform({clock, tty})
        const revoked = auditEvent(2, {
          action: 'license.revoked',
          result: 'failed',
          // An older platform: the UPN only in details.
          target: {type: 'user', id: 'u-maker'},
          details: {skuId: 'sku-premium', upn: 'maker@contoso.example'},
          actor: {type: 'servicePrincipal', appId: '7d3f0b1e-0000-4000-8000-00000000abcd'},
        })
        const assigned = auditEvent(3, {
          action: 'license.assigned',
          target: {
            type: 'user',
            id: 'u-megan',
            displayName: 'Megan Bowen of the Contoso Finance and Procurement Department',
            upn: 'megan.bowen@contoso.example',
          },
        })
        p.cluster
          .get('/v1/audit/stream')
          .query({end: 'head'})
          .reply(200, frames([1]) + frame(revoked) + endFrame(2), sseHeaders())
          .get('/v1/audit/stream')
          .query({end: 'head'})
          .reply(200, frame(assigned) + endFrame(3), sseHeaders())
        const res = await runCommand(AuditStream, ['--output', 'table'], p)
        expect(res.code, res.stderr).to.equal(0)
        expect(res.stdout.split('\n')).to.deep.equal([
          '┌────────────┬──────────────────────┬──────────────────────────────────────────┐',
          '│ SEQ / TIME │ ACTION / RESULT      │ ACTOR / TARGET                           │',
          '├────────────┼──────────────────────┼──────────────────────────────────────────┤',
          '│ 1          │ signin               │ admin@contoso.example                    │',
          '│ 2026-01-01 │ succeeded            │                                          │',
          '│ 00:00:01Z  │                      │                                          │',
          '│ 2          │ license.revoked      │ 7d3f0b1e-0000-4000-8000-00000000abcd     │',
          '│ 2026-01-01 │ failed               │ maker@contoso.example                    │',
          '│ 00:00:02Z  │                      │                                          │',
          '└────────────┴──────────────────────┴──────────────────────────────────────────┘',
          '',
        ])
        // A display name too long for its column is cut with "…"; the UPN beside it is not.
        const named = await runCommand(AuditStream, ['--output', 'table', '--after', '2'], p)
        expect(named.stdout.slice(res.stdout.length).split('\n').slice(3, 6)).to.deep.equal([
          '│ 3          │ license.assigned     │ admin@contoso.example                    │',
          '│ 2026-01-01 │ succeeded            │ Megan Bowen of the Contoso Finance and … │',
          '│ 00:00:03Z  │                      │ megan.bowen@contoso.example              │',
        ])
      })
    }

    it('--output table at 200 columns: time, seq, action, result, actor and target side by side, one line per event', async () => {
      p = await fakePlatform({clock, tty: true, columns: 200})
      const assigned = auditEvent(2, {
        action: 'license.assigned',
        target: {type: 'user', id: 'u-megan', displayName: 'Megan Bowen', upn: 'megan.bowen@contoso.example'},
      })
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frames([1]) + frame(assigned) + endFrame(2), sseHeaders())
      const res = await runCommand(AuditStream, ['--output', 'table'], p)
      expect(res.code, res.stderr).to.equal(0)
      const out = res.stdout.trimEnd().split('\n')
      expect(out[1]).to.match(/^│ TIME +│ SEQ +│ ACTION +│ RESULT +│ ACTOR +│ TARGET +│$/)
      expect(out[3]).to.match(/^│ 2026-01-01T00:00:01Z │ 1 +│ signin +│ succeeded │ admin@contoso\.example +│ +│$/)
      expect(out[4]).to.match(
        /^│ 2026-01-01T00:00:02Z │ 2 +│ license\.assigned +│ succeeded │ admin@contoso\.example +│ Megan Bowen megan\.bowen@contoso\.example +│$/,
      )
      expect(out).to.have.length(6)
      for (const line of out) expect([...line].length).to.be.at.most(200)
    })

    it('--output csv: one header, then one row per event across batches; names and UPNs; a cell that would be a formula stays text', async () => {
      p = await fakePlatform({clock})
      const anonymous = auditEvent(2, {result: 'failed', actor: {type: 'anonymous', upn: '=HYPERLINK("https://evil.example")'}})
      const assigned = auditEvent(3, {
        action: 'license.assigned',
        target: {type: 'user', id: 'u-megan', displayName: 'Bowen, Megan', upn: 'megan.bowen@contoso.example'},
      })
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frames([1]) + frame(anonymous), sseHeaders())
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frame(assigned) + endFrame(3), sseHeaders())
      const res = await runCommand(AuditStream, ['--output', 'csv'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout.split('\n')).to.deep.equal([
        'time,seq,id,action,result,actor,actor_type,actor_id,target,target_type,target_id,target_name,client_ip,correlation_id',
        '2026-01-01T00:00:01.000Z,1,00000000-0000-4000-8000-000000000001,signin,succeeded,admin@contoso.example,user,u-admin,,,,,203.0.113.7,corr-1',
        `2026-01-01T00:00:02.000Z,2,00000000-0000-4000-8000-000000000002,signin,failed,"'=HYPERLINK(""https://evil.example"") (unknown)",anonymous,,,,,,203.0.113.7,corr-2`,
        '2026-01-01T00:00:03.000Z,3,00000000-0000-4000-8000-000000000003,license.assigned,succeeded,admin@contoso.example,user,u-admin,megan.bowen@contoso.example,user,u-megan,"Bowen, Megan",203.0.113.7,corr-3',
        '',
      ])
    })

    it('--format ocsf: each event as one OCSF line (NDJSON), metadata.uid the event id; --format ocsf --output table is a usage error', async () => {
      p = await fakePlatform({clock})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(
          200,
          frames(range(1, 2), (s) => (s === 2 ? {action: 'connector.blocked', target: {type: 'connector', id: 'shared_ftp'}} : {})) + endFrame(2),
          sseHeaders(),
        )
      const res = await runCommand(AuditStream, ['--format', 'ocsf'], p)
      expect(res.code, res.stderr).to.equal(0)
      const out = ndjson(res.stdout)
      expect(out.map((e) => [e.class_uid, e.type_uid, (e.metadata as {uid: string}).uid])).to.deep.equal([
        [3002, 300201, auditEvent(1).id],
        [6003, 600303, auditEvent(2).id],
      ])
      const bad = await runCommand(AuditStream, ['--format', 'ocsf', '--output', 'table'], p)
      expect(bad.code).to.equal(2)
      expect(bad.stderr).to.contain('--format ocsf shapes JSON events: it does not apply to --output table.')
    })

    it("without -o: PPCTL_OUTPUT, then the config's output, where it is table, csv or json; anything else, or a format the other flags rule out, NDJSON", async () => {
      const run = async (argv: string[] = []) => {
        p.cluster
          .get('/v1/audit/stream')
          .query({end: 'head'})
          .reply(200, frames(range(1, 2)) + endFrame(2), sseHeaders())
        const before = p.stdout().length
        const res = await runCommand(AuditStream, argv, p)
        expect(res.code, res.stderr).to.equal(0)
        return res.stdout.slice(before)
      }
      p = await fakePlatform({clock, env: {PPCTL_OUTPUT: 'csv'}})
      await p.ctx.config().update((c) => void (c.output = 'json'))
      expect((await run()).split('\n')[0]).to.match(/^time,seq,id,action,/)
      // -o wins over PPCTL_OUTPUT.
      expect(await run(['-o', 'ndjson'])).to.equal(lines(range(1, 2)))
      // A checkpoint ships NDJSON, whatever PPCTL_OUTPUT says: no usage error.
      expect(await run(['--checkpoint', join(p.dir, 'cp.json')])).to.equal(lines(range(1, 2)))
      // OCSF is JSON: csv does not apply, so NDJSON of OCSF events.
      expect(ndjson(await run(['--format', 'ocsf'])).map((e) => e.class_uid)).to.deep.equal([3002, 3002])
      p.done()

      p = await fakePlatform({clock})
      await p.ctx.config().update((c) => void (c.output = 'json'))
      expect(JSON.parse(await run())).to.deep.equal(range(1, 2).map((s) => auditEvent(s)))
      expect((JSON.parse(await run(['--format', 'ocsf'])) as Array<{class_uid: number}>).map((e) => e.class_uid)).to.deep.equal([3002, 3002])
      await p.ctx.config().update((c) => void (c.output = 'table'))
      expect(await run())
        .to.contain('SEQ')
        .and.contain('signin')
      p.done()

      for (const value of ['tsv', 'yaml', 'xml']) {
        // PPCTL_OUTPUT wins over the config, even when this command cannot print it (and a bad value is no error here).
        p = await fakePlatform({clock, env: {PPCTL_OUTPUT: value}})
        await p.ctx.config().update((c) => void (c.output = 'csv'))
        expect(await run(), value).to.equal(lines(range(1, 2)))
        p.done()
      }
    })

    it('--json: the events as one JSON array, nothing on stderr; an empty history is []', async () => {
      p = await fakePlatform({clock})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frames(range(1, 2)) + endFrame(2), sseHeaders())
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, endFrame(0), sseHeaders())
      const res = await runCommand(AuditStream, ['--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.json()).to.deep.equal([auditEvent(1), auditEvent(2)])
      expect(res.stderr).to.equal('')
      const empty = await runCommand(AuditStream, ['--json'], p)
      expect(empty.code, empty.stderr).to.equal(0)
      expect(empty.stdout.slice(res.stdout.length)).to.equal('[]\n')
    })

    it('--after N and the filters reach the platform: Last-Event-ID N, the filters as query parameters', async () => {
      p = await fakePlatform({clock})
      const r = recorder()
      const since = new Date(START - 3600_000).toISOString()
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head', since, action: 'connector.*', result: 'failed', actor: 'admin@contoso.example'})
        .reply(200, r.note(frames([8]) + endFrame(8)), sseHeaders())
      const res = await runCommand(
        AuditStream,
        ['--after', '7', '--since', '1h', '--action', 'connector.*', '--result', 'failed', '--actor', 'admin@contoso.example'],
        p,
      )
      expect(res.code, res.stderr).to.equal(0)
      expect(r.ids()).to.deep.equal(['7'])
      expect(res.stdout).to.equal(lines([8]))
    })

    it('a history cut mid-frame is resumed with Last-Event-ID: every event once, in order, the route asked again', async () => {
      p = await fakePlatform({clock})
      const r = recorder()
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(
          200,
          r.note(() => cutBody(frames(range(1, 3)), frame(auditEvent(4)).slice(0, 40))),
          sseHeaders(),
        )
        // The platform may send the last event again: it is dropped, not printed twice.
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, r.note(frames(range(3, 6)) + endFrame(6)), sseHeaders())
      // A network failure may be the cluster's: the route is asked again before the next attempt.
      p.global.get('/v1/me/home').reply(200, ROUTE)
      const res = await runCommand(AuditStream, [], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(r.ids()).to.deep.equal([undefined, '3'])
      expect(res.stdout).to.equal(lines(range(1, 6)))
      expect(res.stderr).to.match(/^audit stream: socket hang up.*; reconnecting after seq 3 \(attempt 1\)\naudit stream: connected; resuming after seq 3\n$/)
    })

    it('a history that closes cleanly without the end frame was cut: resumed, not taken for the end', async () => {
      p = await fakePlatform({clock})
      const r = recorder()
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, r.note(frames(range(1, 2))), sseHeaders())
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, r.note(frames([3]) + endFrame(3)), sseHeaders())
      const res = await runCommand(AuditStream, [], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(r.ids()).to.deep.equal([undefined, '2'])
      expect(res.stdout).to.equal(lines(range(1, 3)))
      expect(res.stderr).to.contain('the platform closed the stream; reconnecting after seq 2')
    })

    it('the platform not confirming end=head (no X-Audit-Stream-End): exit 1 with what to do, no event printed, no retry', async () => {
      p = await fakePlatform({clock})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frames(range(1, 2)) + endFrame(2), sseHeaders(false))
      const res = await runCommand(AuditStream, [], p)
      expect(res.code).to.equal(1)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.match(
        /^Error: The platform streams the audit log without end=head support, so ppctl cannot tell where the history ends\.\n {2}Next: .*--follow --until/,
      )
    })

    it('an end frame below the cursor (a platform that did not answer 409): exit 7 CURSOR_AHEAD, nothing printed', async () => {
      p = await fakePlatform({clock})
      p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, endFrame(4), sseHeaders())
      const res = await runCommand(AuditStream, ['--after', '1004'], p)
      expect(res.code).to.equal(7)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.contain('The cursor is seq 1004').and.contain('ends at seq 4')
    })
  })

  describe('cursor answers', () => {
    it('410 CURSOR_EXPIRED: exit 7, how far back the platform holds events, and where to resume', async () => {
      p = await fakePlatform({clock})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(
          410,
          {
            ...problem(410, 'CURSOR_EXPIRED', 'Events after seq 10 are no longer held.')[1],
            requestedAfter: 10,
            oldestRetainedSeq: 60,
            oldestRetainedTime: '2026-01-30T08:00:00.000Z',
            lastSeq: 100,
          },
          {'content-type': 'application/problem+json'},
        )
      const res = await runCommand(AuditStream, ['--after', '10'], p)
      expect(res.code).to.equal(7)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.equal(
        'Error: Events after seq 10 are no longer held by the platform; it still holds events from seq 60 (2026-01-30T08:00:00.000Z).\n  Next: Resume with --after 59 (or delete the checkpoint) and treat seq 11–59 as lost.\n',
      )
    })

    it('410 under --json: the error object of schemas/error.json, and no "[]" before it', async () => {
      p = await fakePlatform({clock})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(410, {...problem(410, 'CURSOR_EXPIRED', 'gone')[1], oldestRetainedSeq: 60}, {'content-type': 'application/problem+json'})
      const res = await runCommand(AuditStream, ['--after', '10', '--json'], p)
      expect(res.code).to.equal(7)
      const body = res.json()
      expect(validateError(body), JSON.stringify(validateError.errors)).to.equal(true)
      expect(body.error).to.include({code: 'CURSOR_EXPIRED', exitCode: 7})
    })

    for (const follow of [false, true]) {
      it(`409 CURSOR_AHEAD${follow ? ' with --follow' : ''}: exit 7 naming both seqs, no wait, no retry`, async () => {
        p = await fakePlatform({clock})
        p.cluster
          .get('/v1/audit/stream')
          .query(follow ? {} : {end: 'head'})
          .reply(
            409,
            {...problem(409, 'CURSOR_AHEAD', 'The cursor is ahead.')[1], requestedAfter: 1004, headSeq: 4},
            {'content-type': 'application/problem+json'},
          )
        const res = await runCommand(AuditStream, ['--after', '1004', ...(follow ? ['--follow'] : [])], p)
        expect(res.code).to.equal(7)
        expect(res.stdout).to.equal('')
        expect(res.stderr).to.match(
          /^Error: The cursor is seq 1004, but the platform's audit log ends at seq 4: .*\n {2}Next: Resume with --after 4 for new events only/,
        )
        expect(clock.backoffs).to.deep.equal([])
      })
    }
  })

  describe('--checkpoint', () => {
    it('is written after the run and resumes the next run from its seq; the cluster and time come from the events', async () => {
      p = await fakePlatform({clock})
      const file = join(p.dir, 'audit.json')
      const r = recorder()
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, r.note(frames(range(1, 3)) + endFrame(3)), sseHeaders())
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, r.note(frames(range(4, 5), () => ({cluster: 'westus-1'})) + endFrame(5)), sseHeaders())
      const first = await runCommand(AuditStream, ['--checkpoint', file], p)
      expect(first.code, first.stderr).to.equal(0)
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.equal({
        format: 'ppctl.audit.checkpoint/v1',
        tenantId: TENANT,
        cluster: 'eastus-1',
        lastSeq: 3,
        lastTime: '2026-01-01T00:00:03.000Z',
        updatedAt: new Date(START).toISOString(),
      })
      const second = await runCommand(AuditStream, ['--checkpoint', file], p)
      expect(second.code, second.stderr).to.equal(0)
      expect(r.ids()).to.deep.equal([undefined, '3'])
      expect(second.stdout.slice(first.stdout.length)).to.equal(
        range(4, 5)
          .map((s) => JSON.stringify(auditEvent(s, {cluster: 'westus-1'})) + '\n')
          .join(''),
      )
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.include({lastSeq: 5, cluster: 'westus-1', lastTime: '2026-01-01T00:00:05.000Z'})
    })

    it('409 CURSOR_AHEAD from a checkpoint: exit 7 naming the file, which is left byte for byte as it was', async () => {
      p = await fakePlatform({clock})
      const file = join(p.dir, 'cp.json')
      const text = JSON.stringify({
        format: 'ppctl.audit.checkpoint/v1',
        tenantId: TENANT,
        cluster: 'eastus-1',
        lastSeq: 1004,
        lastTime: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      })
      writeFileSync(file, text)
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(409, {...problem(409, 'CURSOR_AHEAD', 'ahead')[1], requestedAfter: 1004, headSeq: 4}, {'content-type': 'application/problem+json'})
      const res = await runCommand(AuditStream, ['--checkpoint', file], p)
      expect(res.code).to.equal(7)
      expect(res.stderr)
        .to.contain(`The checkpoint ${file} holds seq 1004, but the platform's audit log ends at seq 4`)
        .and.contain('The checkpoint was left as it is')
      expect(readFileSync(file, 'utf8')).to.equal(text)
    })

    it('a checkpoint that cannot be written: exit 1 saying so, each event printed once, no reconnect', async () => {
      p = await fakePlatform({clock})
      const file = join(p.dir, 'no-such-folder', 'cp.json')
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frames(range(1, 3)) + endFrame(3), sseHeaders())
      const res = await runCommand(AuditStream, ['--checkpoint', file], p)
      expect(res.code).to.equal(1)
      expect(res.stdout).to.equal(lines(range(1, 3)))
      expect(res.stderr).to.match(
        new RegExp(`^Error: Writing the checkpoint ${file.replaceAll('/', '\\/')} failed \\(ENOENT\\) after seq 3\\.\\n {2}Next: .*--after 3`),
      )
      expect(res.stderr).not.to.contain('reconnecting')
      expect(clock.backoffs).to.deep.equal([])
    })

    it("another tenant's checkpoint: exit 1 before any request", async () => {
      p = await fakePlatform({clock})
      const file = join(p.dir, 'cp.json')
      writeFileSync(
        file,
        JSON.stringify({format: 'ppctl.audit.checkpoint/v1', tenantId: 'someone-else', cluster: 'eastus-1', lastSeq: 3, lastTime: '', updatedAt: ''}),
      )
      const res = await runCommand(AuditStream, ['--checkpoint', file], p)
      expect(res.code).to.equal(1)
      expect(res.stderr).to.contain('belongs to another tenant (someone-else')
    })

    it('--checkpoint with --output table, or --after disagreeing with the checkpoint: exit 2 before any request', async () => {
      p = await fakePlatform({clock})
      const file = join(p.dir, 'cp.json')
      const table = await runCommand(AuditStream, ['--checkpoint', file, '--output', 'table'], p)
      expect(table.code).to.equal(2)
      expect(table.stderr).to.contain('--checkpoint ships events: it needs --output ndjson.')
      expect(existsSync(file)).to.equal(false)
      writeFileSync(file, JSON.stringify({format: 'ppctl.audit.checkpoint/v1', tenantId: TENANT, cluster: 'eastus-1', lastSeq: 3, lastTime: '', updatedAt: ''}))
      const conflict = await runCommand(AuditStream, ['--checkpoint', file, '--after', '9'], p)
      expect(conflict.code).to.equal(2)
      expect(conflict.stderr).to.contain('--after 9 disagrees with the checkpoint')
    })
  })

  describe('--follow', () => {
    it('history then live across a dropped connection: no end=head, resumed with Last-Event-ID, stops at --until with exit 0', async () => {
      p = await fakePlatform({clock})
      const r = recorder()
      const last = openStream()
      p.cluster
        .get('/v1/audit/stream')
        .query({until: UNTIL})
        .reply(200, r.note(frames(range(1, 3))), sseHeaders(false))
        .get('/v1/audit/stream')
        .query({until: UNTIL})
        .reply(200, r.note(frames(range(4, 5))), sseHeaders(false))
        .get('/v1/audit/stream')
        .query({until: UNTIL})
        .reply(
          200,
          r.note(() => last.reply()),
          sseHeaders(false),
        )
      const run = runCommand(AuditStream, ['--follow', '--until', UNTIL], p)
      await last.opened
      clock.advance(20_000)
      const res = await run
      expect(res.code, res.stderr).to.equal(0)
      expect(r.ids()).to.deep.equal([undefined, '3', '5'])
      expect(res.stdout).to.equal(lines(range(1, 5)))
      expect(res.stderr).to.contain('reconnecting after seq 3 (attempt 1)').and.contain('reconnecting after seq 5 (attempt 1)')
    })

    it('Ctrl-C: exit 130 after flushing, quietly (no error banner), the checkpoint named as the way to resume; it holds the last event', async () => {
      p = await fakePlatform({clock, tty: true})
      const file = join(p.dir, 'cp.json')
      const last = openStream()
      p.cluster
        .get('/v1/audit/stream')
        .reply(200, frames(range(1, 4)), sseHeaders(false))
        .get('/v1/audit/stream')
        .reply(200, () => last.reply(), sseHeaders(false))
      const run = runCommand(AuditStream, ['--follow', '--checkpoint', file], p)
      await last.opened
      process.emit('SIGINT', 'SIGINT')
      const res = await run
      expect(res.code).to.equal(130)
      expect(res.stdout).to.equal(lines(range(1, 4)))
      expect(res.stderr).not.to.match(/Error|Interrupted/)
      // At a terminal the note is wrapped (the command on a line of its own): read it with its lines joined.
      expect(
        res.stderr
          .trimEnd()
          .replace(/\n {2}/g, ' ')
          .split('\n')
          .at(-1),
      ).to.equal(`Stopped after seq 4; the checkpoint ${file} holds it: run the same command again to resume.`)
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.include({lastSeq: 4})
    })

    it('421 from a cluster that is no longer the home: the route is asked again and the stream resumed on the new home', async () => {
      p = await fakePlatform({clock})
      const file = join(p.dir, 'cp.json')
      const r = recorder()
      const last = openStream()
      const failedOver = {...ROUTE, home: {...ROUTE.secondary, mode: undefined}, secondary: {...ROUTE.home, mode: 'passive'}, epoch: 2}
      p.cluster
        .get('/v1/audit/stream')
        .reply(200, r.note(frames(range(1, 2))), sseHeaders(false))
        .get('/v1/audit/stream')
        .reply(
          421,
          {...problem(421, 'WRONG_CLUSTER', 'This cluster is passive for the tenant.')[1], activeUri: SECONDARY, activeClusterId: 'westus-1', epoch: 2},
          {'content-type': 'application/problem+json'},
        )
      p.global.get('/v1/me/home').reply(200, failedOver)
      nock(SECONDARY)
        .matchHeader('authorization', 'Bearer test-access-token')
        .get('/v1/audit/stream')
        .reply(
          200,
          r.note(() => (last.reply().write(frames([3], () => ({cluster: 'westus-1'}))), last.body)),
          sseHeaders(false),
        )
      const run = runCommand(AuditStream, ['--follow', '--checkpoint', file], p)
      await last.opened
      await untilWritten(p.io.io.stdout, lines(range(1, 2)).length + 1)
      process.emit('SIGINT', 'SIGINT')
      const res = await run
      expect(res.code).to.equal(130)
      expect(r.ids()).to.deep.equal([undefined, '2'])
      expect(res.stdout).to.equal(lines([1, 2]) + JSON.stringify(auditEvent(3, {cluster: 'westus-1'})) + '\n')
      expect(res.stderr).to.contain("the cluster is no longer the tenant's active one (421)")
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.include({lastSeq: 3, cluster: 'westus-1'})
    })

    it('stdout closed by its reader (| head): exit 141 at once and quietly, the checkpoint at the last batch written', async () => {
      p = await fakePlatform({clock})
      const file = join(p.dir, 'cp.json')
      const last = openStream()
      p.cluster
        .get('/v1/audit/stream')
        .reply(200, frames(range(1, 3)), sseHeaders(false))
        .get('/v1/audit/stream')
        .reply(200, () => last.reply(), sseHeaders(false))
      const run = runCommand(AuditStream, ['--follow', '--checkpoint', file], p)
      await last.opened
      p.io.io.stdout.destroy()
      const res = await run
      expect(res.code).to.equal(141)
      expect(res.stderr).not.to.match(/Error|stdout was closed/)
      expect(res.stderr).to.match(/\nStopped after seq 3; the checkpoint .* holds it: run the same command again to resume\.\n$/)
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.include({lastSeq: 3})
    })

    it('Ctrl-C without a checkpoint: exit 130, no banner, the command line to resume after the last event (--since dropped, globs quoted)', async () => {
      p = await fakePlatform({clock, tty: true})
      const last = openStream()
      p.cluster
        .get('/v1/audit/stream')
        .query(true)
        .reply(200, frames(range(1, 3)), sseHeaders(false))
        .get('/v1/audit/stream')
        .query(true)
        .reply(200, () => last.reply(), sseHeaders(false))
      const run = runCommand(AuditStream, ['--follow', '--since', '1h', '--action', 'connector.*', '-o', 'table'], p)
      await last.opened
      process.emit('SIGINT', 'SIGINT')
      const res = await run
      expect(res.code).to.equal(130)
      expect(res.stderr).not.to.match(/Error|Interrupted/)
      expect(
        res.stderr
          .trimEnd()
          .replace(/\n {2}/g, ' ')
          .split('\n')
          .at(-1),
      ).to.equal("Stopped after seq 3. Resume: ppctl audit stream --follow --action 'connector.*' -o table --after 3")
    })

    it('stdout closed during a history run without --checkpoint (| head): exit 141 and nothing at all on stderr', async () => {
      p = await fakePlatform({clock})
      const body = openStream()
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, () => (body.reply().write(frames(range(1, 2))), body.body), sseHeaders())
      const run = runCommand(AuditStream, [], p)
      await untilWritten(p.io.io.stdout, lines(range(1, 2)).length)
      p.io.io.stdout.destroy()
      body.body.write(frames([3]))
      const res = await run
      expect(res.code).to.equal(141)
      expect(res.stderr).to.equal('')
    })

    it('the live counter: only with stderr a terminal, on its own line, redrawn on the clock and cleared before rows are written', async () => {
      p = await fakePlatform({clock, tty: true})
      const live = openStream()
      // stdout and stderr share one terminal: one transcript, in the order they were written.
      const transcript: string[] = []
      for (const [name, stream] of [
        ['out', p.io.io.stdout],
        ['err', p.io.io.stderr],
      ] as const) {
        const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
        stream.write = ((chunk: unknown, ...rest: unknown[]) => (transcript.push(`${name}:${String(chunk)}`), write(chunk, ...rest))) as typeof stream.write
      }
      p.cluster.get('/v1/audit/stream').reply(200, () => live.reply(), sseHeaders(false))
      const run = runCommand(AuditStream, ['--follow'], p)
      await live.opened
      live.body.write(frames([1]))
      await untilWritten(p.io.io.stdout, lines([1]).length)
      clock.advance(2000)
      live.body.write(frames([2, 3]))
      await untilWritten(p.io.io.stdout, lines(range(1, 3)).length)
      clock.advance(500)
      live.body.write(frames([4]))
      await untilWritten(p.io.io.stdout, lines(range(1, 4)).length)
      process.emit('SIGINT', 'SIGINT')
      const res = await run
      expect(res.code).to.equal(130)
      expect(transcript.slice(0, 6)).to.deep.equal([
        `out:${lines([1])}`,
        `out:${lines([2, 3])}`,
        // A second on: drawn after the rows, on the line below them.
        'err:\r\u001b[2K3 events, 2/s',
        // Cleared before the next rows; not redrawn within the same second.
        'err:\r\u001b[2K',
        `out:${lines([4])}`,
        'err:Stopped after seq 4. Resume: ppctl audit stream --follow --after 4\n',
      ])
    })

    it('a stream silent for three heartbeat periods is dropped and resumed after the last event', async () => {
      p = await fakePlatform({clock})
      const r = recorder()
      const silent = openStream()
      const last = openStream()
      p.cluster
        .get('/v1/audit/stream')
        .reply(
          200,
          r.note(() => (silent.reply().write(frames(range(1, 2))), silent.body)),
          sseHeaders(false),
        )
        .get('/v1/audit/stream')
        .reply(
          200,
          r.note(() => last.reply()),
          sseHeaders(false),
        )
      const run = runCommand(AuditStream, ['--follow', '--heartbeat', '10s'], p)
      await silent.opened
      // The watchdog is armed again after each batch: wait for both events, then let 3 × 10 s pass with nothing.
      await untilWritten(p.io.io.stdout)
      clock.advance(30_000)
      await last.opened
      process.emit('SIGINT', 'SIGINT')
      const res = await run
      expect(res.code).to.equal(130)
      expect(r.ids()).to.deep.equal([undefined, '2'])
      expect(res.stderr).to.contain('no bytes for 30 s (3 heartbeat periods); reconnecting after seq 2')
    })
  })

  describe('the access token', () => {
    it('401: the token is renewed once and the stream resumed after the last event, without a gap or a duplicate', async () => {
      p = await fakePlatform({clock})
      const r = recorder()
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, r.note(frames(range(1, 2))), sseHeaders())
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(...problem(401, 'UNAUTHENTICATED', 'The token has expired.'))
      let refreshes = 0
      nock(AUTHORITY)
        .get('/.well-known/openid-configuration')
        .reply(200, METADATA)
        .post('/token', (body: Record<string, string>) => (refreshes++, body.grant_type === 'refresh_token' && body.refresh_token === 'test-refresh-token'))
        .reply(200, {access_token: 'renewed-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-2'})
      nock(CLUSTER)
        .matchHeader('authorization', 'Bearer renewed-token')
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, r.note(frames(range(3, 4)) + endFrame(4)), sseHeaders())
      const res = await runCommand(AuditStream, [], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(refreshes).to.equal(1)
      expect(r.ids()).to.deep.equal([undefined, '2'])
      expect(res.stdout).to.equal(lines(range(1, 4)))
      expect(res.stderr).to.match(/the token was refused \(401\); reconnecting (in [\d.]+ s )?after seq 2/)
      expect(p.credentials.entries.get('work')).to.include({accessToken: 'renewed-token', refreshToken: 'rt-2'})
      expect(res.stdout + res.stderr).not.to.match(/renewed-token|rt-2|test-refresh-token/)
    })

    it('a token the platform keeps refusing: exit 4 after a bounded number of renewals, not a loop', async () => {
      p = await fakePlatform({clock})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(...problem(401, 'UNAUTHENTICATED', 'The token was revoked.'))
      const authority = nock(AUTHORITY)
      const renewed = ['t-2', 't-3']
      for (const token of renewed) {
        authority
          .get('/.well-known/openid-configuration')
          .reply(200, METADATA)
          .post('/token')
          .reply(200, {access_token: token, token_type: 'Bearer', expires_in: 3600, refresh_token: `rt-${token}`})
        nock(CLUSTER)
          .matchHeader('authorization', `Bearer ${token}`)
          .get('/v1/audit/stream')
          .query({end: 'head'})
          .reply(...problem(401, 'UNAUTHENTICATED', 'The token was revoked.'))
      }
      const res = await runCommand(AuditStream, [], p)
      expect(res.code).to.equal(4)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.match(/^Error: .*The token was revoked\.\n {2}Next: Sign in again/m)
    })

    it('--follow renews the token before it expires: the stream is reconnected with the new one and resumed', async () => {
      p = await fakePlatform({clock})
      const r = recorder()
      const first = openStream()
      const last = openStream()
      // Long heartbeat so only the token timer (6 min before the token's expiry, an hour from now) fires.
      p.cluster.get('/v1/audit/stream').reply(
        200,
        r.note(() => (first.reply().write(frames(range(1, 3))), first.body)),
        sseHeaders(false),
      )
      nock(AUTHORITY)
        .get('/.well-known/openid-configuration')
        .reply(200, METADATA)
        .post('/token')
        .reply(200, {access_token: 'renewed-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-2'})
      nock(CLUSTER)
        .matchHeader('authorization', 'Bearer renewed-token')
        .get('/v1/audit/stream')
        .reply(
          200,
          r.note(() => last.reply()),
          sseHeaders(false),
        )
      const run = runCommand(AuditStream, ['--follow', '--heartbeat', '2h'], p)
      await first.opened
      await untilWritten(p.io.io.stdout)
      clock.advance(3600_000 - 6 * 60_000)
      await last.opened
      process.emit('SIGINT', 'SIGINT')
      const res = await run
      expect(res.code).to.equal(130)
      expect(r.seen.map((s) => [s.authorization, s.lastEventId])).to.deep.equal([
        ['Bearer test-access-token', undefined],
        ['Bearer renewed-token', '3'],
      ])
      expect(res.stdout).to.equal(lines(range(1, 3)))
      expect(res.stderr).to.contain('audit stream: renewing the access token; resuming after seq 3')
    })
  })

  describe('platform text', () => {
    const evil = auditEvent(1, {
      actor: {type: 'user', upn: 'mallory\u001b]52;c;aGk=\u0007@contoso.example'},
      action: 'signin\u001b[2J',
      target: {type: 'connector', id: 'abc\u202eexe.pdf'},
      details: {note: 'line\rover\u009b31m\u2028x'},
    })

    it('escape and bidi characters are inert in the table, in a terminal', async () => {
      p = await fakePlatform({clock, tty: true})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frame(evil) + endFrame(1), sseHeaders())
      const res = await runCommand(AuditStream, ['--output', 'table'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
      expect(res.stdout).to.contain('mallory').and.contain('connector:abcexe.pdf')
    })

    it('NDJSON: exact (the same event parsed back) and with nothing a terminal would act on', async () => {
      p = await fakePlatform({clock, tty: true})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frame(evil) + endFrame(1), sseHeaders())
      const res = await runCommand(AuditStream, [], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202a-\u202e\u2066-\u2069]/)
      expect(ndjson(res.stdout)).to.deep.equal([evil])
    })
  })

  describe('connections that keep failing', () => {
    it('503 on every attempt: backoff on the injected clock, then exit 8 after --reconnect-timeout with the resume point', async () => {
      p = await fakePlatform({clock})
      let attempts = 0
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frames(range(1, 2)), sseHeaders())
      nock(CLUSTER)
        .persist()
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(() => (attempts++, problem(503, 'CLUSTER_UNAVAILABLE', 'Down for maintenance.') as unknown as [number, object, Record<string, string>]))
      const res = await runCommand(AuditStream, ['--reconnect-timeout', '2s'], p)
      expect(res.code).to.equal(8)
      expect(res.stdout).to.equal(lines(range(1, 2)))
      expect(res.stderr).to.match(/Error: The audit stream could not be re-established for 2 s \(last: .*\); last event delivered: 2\./)
      // The first retry is at once (no wait); then each wait is longer than the one before, except the last, which is
      // cut to what is left of the limit: together they make exactly --reconnect-timeout.
      const waits = clock.backoffs
      expect(waits.length).to.be.greaterThan(2)
      expect(
        waits.slice(0, -1).every((ms, i) => i === 0 || ms > waits[i - 1]),
        waits.join(', '),
      ).to.equal(true)
      expect(waits.reduce((a, b) => a + b, 0)).to.equal(2000)
      expect(attempts).to.equal(waits.length + 1)
    })
  })
})
