// `ppctl audit watch` in-process: each detector on a crafted sequence of events, its alert as NDJSON and as a line, --exit-on-alert, --exec, resume.
import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import AuditWatch from '../../../src/commands/audit/watch.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, ROUTE, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {
  auditEvent,
  cutBody,
  endFrame,
  frame,
  frames,
  ndjson,
  openStream,
  range,
  sseHeaders,
  START,
  streamClock,
  type StreamClock,
} from '../../helpers/fake-audit.js'

const at = (seconds: number) => new Date(START + seconds * 1000).toISOString()
/** A failed sign-in of `upn` from `ip`, `seconds` after the start. */
const failed = (seq: number, seconds: number, upn = 'victim@contoso.example', ip = `198.51.100.${seq}`) =>
  auditEvent(seq, {time: at(seconds), action: 'signin', result: 'failed', actor: {type: 'anonymous', upn}, clientIp: ip})
const history = (events: Array<Record<string, unknown>>) => events.map(frame).join('') + endFrame(Number(events.at(-1)?.seq ?? 0))

describe('audit watch (in-process)', () => {
  let p: FakePlatform
  let clock: StreamClock
  beforeEach(() => {
    clock = streamClock()
  })
  afterEach(() => p.done())

  describe('detectors, on the history (--no-follow)', () => {
    it('failed-signins-account: 5 failed sign-ins of one account within 60 s raise one alert naming the 5 events', async () => {
      p = await fakePlatform({clock})
      // Five addresses, so only the per-account detector counts them; a success in between does not reset it.
      const events = [failed(1, 0), failed(2, 10), auditEvent(3, {time: at(15)}), failed(4, 20), failed(5, 30), failed(6, 59)]
      p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, history(events), sseHeaders())
      const res = await runCommand(AuditWatch, ['--no-follow'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(ndjson(res.stdout)).to.deep.equal([
        {
          detector: 'failed-signins-account',
          time: at(59),
          subject: 'victim@contoso.example',
          summary: '5 failed sign-ins for victim@contoso.example within 60 s',
          count: 5,
          windowSeconds: 60,
          seqs: [1, 2, 4, 5, 6],
        },
      ])
      expect(res.stderr).to.equal('')
    })

    it("runs on the events' own times: the same 5 failures spread over more than the window raise nothing", async () => {
      p = await fakePlatform({clock})
      const events = [failed(1, 0), failed(2, 20), failed(3, 40), failed(4, 60), failed(5, 80)]
      p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, history(events), sseHeaders())
      const res = await runCommand(AuditWatch, ['--no-follow'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.equal('')
    })

    it('failed-signins-address, with --failed-signins and --failed-signins-window: one address, several accounts', async () => {
      p = await fakePlatform({clock})
      const events = range(1, 3).map((s) => failed(s, s * 100, `user${s}@contoso.example`, '192.0.2.66'))
      p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, history(events), sseHeaders())
      const res = await runCommand(AuditWatch, ['--no-follow', '--failed-signins', '3', '--failed-signins-window', '5m'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(ndjson(res.stdout)).to.deep.equal([
        {
          detector: 'failed-signins-address',
          time: at(300),
          subject: '192.0.2.66',
          summary: '3 failed sign-ins from 192.0.2.66 within 300 s',
          count: 3,
          windowSeconds: 300,
          seqs: [1, 2, 3],
        },
      ])
    })

    it('connector-unblocked, mass-license-revocation and signin-many-addresses, each once, in seq order', async () => {
      p = await fakePlatform({clock})
      const events = [
        auditEvent(1, {time: at(0), action: 'connector.unblocked', target: {type: 'connector', id: 'shared_ftp'}}),
        // A failed unblock is no unblock.
        auditEvent(2, {time: at(1), action: 'connector.unblocked', result: 'failed', target: {type: 'connector', id: 'shared_sql'}}),
        ...range(3, 5).map((s) => auditEvent(s, {time: at(s), action: 'license.revoked', target: {type: 'user', id: `u${s}`}})),
        auditEvent(6, {time: at(100), clientIp: '203.0.113.1'}),
        auditEvent(7, {time: at(200), clientIp: '203.0.113.1'}),
        auditEvent(8, {time: at(300), clientIp: '198.51.100.9'}),
      ]
      p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, history(events), sseHeaders())
      const res = await runCommand(AuditWatch, ['--no-follow', '--revocations', '3', '--addresses', '2'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(ndjson(res.stdout)).to.deep.equal([
        {
          detector: 'connector-unblocked',
          time: at(0),
          subject: 'shared_ftp',
          summary: 'connector shared_ftp was unblocked by admin@contoso.example',
          count: 1,
          seqs: [1],
        },
        {
          detector: 'mass-license-revocation',
          time: at(5),
          subject: TENANT,
          summary: '3 licenses revoked within 300 s',
          count: 3,
          windowSeconds: 300,
          seqs: [3, 4, 5],
        },
        {
          detector: 'signin-many-addresses',
          time: at(300),
          subject: 'admin@contoso.example',
          summary: 'admin@contoso.example signed in from 2 addresses within 600 s: 203.0.113.1, 198.51.100.9',
          count: 2,
          windowSeconds: 600,
          seqs: [6, 7, 8],
        },
      ])
    })

    it('--detector runs only the detectors named', async () => {
      p = await fakePlatform({clock})
      const events = [auditEvent(1, {action: 'connector.unblocked', target: {type: 'connector', id: 'shared_ftp'}}), ...range(2, 6).map((s) => failed(s, s))]
      p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, history(events), sseHeaders())
      const res = await runCommand(AuditWatch, ['--no-follow', '--detector', 'failed-signins-account'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(ndjson(res.stdout).map((a) => a.detector)).to.deep.equal(['failed-signins-account'])
    })
  })

  describe('output', () => {
    const events = range(1, 5).map((s) => failed(s, s, 'mallory\u001b]8;;https://evil.example\u0007\u202eliame@contoso.example'))

    for (const tty of [false, true]) {
      it(`--output table${tty ? ' in a terminal' : ' in a pipe'}: one line per alert, platform text inert`, async () => {
        p = await fakePlatform({clock, tty})
        p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, history(events), sseHeaders())
        const res = await runCommand(AuditWatch, ['--no-follow', '--output', 'table', '--detector', 'failed-signins-account'], p)
        expect(res.code, res.stderr).to.equal(0)
        expect(res.stdout).to.equal(`${at(5)}  failed-signins-account    5 failed sign-ins for malloryliame@contoso.example within 60 s  (seq 1, 2, 3, 4, 5)\n`)
      })
    }

    it("without -o: PPCTL_OUTPUT=table or the config's output table gives the table; any other value (tsv, json) NDJSON; -o wins", async () => {
      const alertLine = `${at(5)}  failed-signins-account    5 failed sign-ins for malloryliame@contoso.example within 60 s  (seq 1, 2, 3, 4, 5)\n`
      const run = async (argv: string[] = []) => {
        p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, history(events), sseHeaders())
        const before = p.stdout().length
        const res = await runCommand(AuditWatch, ['--no-follow', '--detector', 'failed-signins-account', ...argv], p)
        expect(res.code, res.stderr).to.equal(0)
        return res.stdout.slice(before)
      }
      p = await fakePlatform({clock, env: {PPCTL_OUTPUT: 'table'}})
      expect(await run()).to.equal(alertLine)
      expect(ndjson(await run(['-o', 'ndjson']))).to.have.length(1)
      p.done()
      p = await fakePlatform({clock})
      await p.ctx.config().update((c) => void (c.output = 'table'))
      expect(await run()).to.equal(alertLine)
      p.done()
      for (const value of ['tsv', 'json']) {
        p = await fakePlatform({clock, env: {PPCTL_OUTPUT: value}})
        // PPCTL_OUTPUT wins over the config, even when this command cannot print it.
        await p.ctx.config().update((c) => void (c.output = 'table'))
        expect(ndjson(await run()))
          .to.have.length(1)
          .and.nested.property('[0].detector', 'failed-signins-account')
        p.done()
      }
    })

    it('NDJSON (and --json): exact subject, nothing a terminal would act on', async () => {
      p = await fakePlatform({clock, tty: true})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, history(events), sseHeaders())
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, history(events), sseHeaders())
      const res = await runCommand(AuditWatch, ['--no-follow', '--detector', 'failed-signins-account'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/)
      const [alert] = ndjson(res.stdout)
      expect(alert.subject).to.equal('mallory\u001b]8;;https://evil.example\u0007\u202eliame@contoso.example')
      const json = await runCommand(AuditWatch, ['--no-follow', '--detector', 'failed-signins-account', '--json'], p)
      expect(json.code, json.stderr).to.equal(0)
      expect(json.stdout.slice(res.stdout.length)).to.equal(res.stdout)
    })
  })

  describe('live (--follow, the default)', () => {
    it('--exit-on-alert: exit 11 at the first alert, the alert on stdout, how to look at its events on stderr', async () => {
      p = await fakePlatform({clock})
      const live = openStream()
      p.cluster.get('/v1/audit/stream').reply(
        200,
        () => (
          live.reply().write(
            range(1, 6)
              .map((s) => frame(failed(s, s)))
              .join(''),
          ),
          live.body
        ),
        sseHeaders(false),
      )
      const res = await runCommand(AuditWatch, ['--exit-on-alert', '--detector', 'failed-signins-account'], p)
      expect(res.code).to.equal(11)
      expect(ndjson(res.stdout)).to.have.length(1)
      expect(ndjson(res.stdout)[0]).to.include({detector: 'failed-signins-account', count: 5})
      expect(res.stderr).to.equal(
        'Error: Alert failed-signins-account: 5 failed sign-ins for victim@contoso.example within 60 s.\n  Next: Look at the events: ppctl audit stream --after 0 --output table\n',
      )
    })

    it('across a cut connection the detectors keep their counts and see each event once (a repeated seq is dropped)', async () => {
      p = await fakePlatform({clock})
      const seen: Array<string | undefined> = []
      const note = (body: () => unknown) =>
        function (this: {req: {headers: Record<string, unknown>}}) {
          seen.push(this.req.headers['last-event-id'] as string | undefined)
          return body()
        }
      p.cluster
        .get('/v1/audit/stream')
        .reply(
          200,
          note(() =>
            cutBody(
              range(1, 3)
                .map((s) => frame(failed(s, s)))
                .join(''),
            ),
          ),
          sseHeaders(false),
        )
        // The platform sends seq 3 again: counted twice, it would make 5 failures out of 4 events.
        .get('/v1/audit/stream')
        .reply(
          200,
          note(() =>
            cutBody(
              range(3, 4)
                .map((s) => frame(failed(s, s)))
                .join(''),
            ),
          ),
          sseHeaders(false),
        )
        .get('/v1/audit/stream')
        .reply(
          200,
          note(() => cutBody(frame(failed(5, 5)))),
          sseHeaders(false),
        )
      // Each cut is taken for a network failure, so the route is asked again; the last cut comes after the alert stopped the run.
      p.global.get('/v1/me/home').times(2).reply(200, ROUTE)
      const res = await runCommand(AuditWatch, ['--exit-on-alert', '--detector', 'failed-signins-account'], p)
      expect(res.code, res.stderr).to.equal(11)
      expect(seen).to.deep.equal([undefined, '3', '4'])
      expect(ndjson(res.stdout)).to.deep.equal([
        {
          detector: 'failed-signins-account',
          time: at(5),
          subject: 'victim@contoso.example',
          summary: '5 failed sign-ins for victim@contoso.example within 60 s',
          count: 5,
          windowSeconds: 60,
          seqs: [1, 2, 3, 4, 5],
        },
      ])
    })

    it('Ctrl-C: exit 130 quietly, no error banner, the command to resume after the last event on stderr', async () => {
      p = await fakePlatform({clock, tty: true})
      const live = openStream()
      p.cluster
        .get('/v1/audit/stream')
        .reply(
          200,
          frame(auditEvent(1, {action: 'connector.unblocked', target: {type: 'connector', id: 'shared_ftp'}})) + frame(auditEvent(2)),
          sseHeaders(false),
        )
        .get('/v1/audit/stream')
        .reply(200, () => live.reply(), sseHeaders(false))
      const run = runCommand(AuditWatch, [], p)
      await live.opened
      process.emit('SIGINT', 'SIGINT')
      const res = await run
      expect(res.code).to.equal(130)
      expect(ndjson(res.stdout).map((a) => a.detector)).to.deep.equal(['connector-unblocked'])
      expect(res.stderr).not.to.contain('Error')
      expect(res.stderr.trimEnd().split('\n').at(-1)).to.equal('Stopped after seq 2. Resume: ppctl audit watch --after 2')
    })

    it('--exec: the program gets each alert as JSON on stdin, never in its arguments; its output goes to stderr', async () => {
      p = await fakePlatform({clock})
      const script = join(p.dir, 'on-alert.cjs')
      const sink = join(p.dir, 'alerts.ndjson')
      writeFileSync(
        script,
        `let s='';process.stdin.on('data',(d)=>s+=d).on('end',()=>{require('fs').appendFileSync(${JSON.stringify(sink)}, JSON.stringify({argv: process.argv.slice(2), stdin: s}) + '\\n');console.log('paged')})`,
      )
      const events = [auditEvent(1, {action: 'connector.unblocked', target: {type: 'connector', id: 'shared_ftp'}})]
      p.cluster.get('/v1/audit/stream').query({end: 'head'}).reply(200, history(events), sseHeaders())
      const res = await runCommand(AuditWatch, ['--no-follow', '--exec', `${process.execPath} ${script} --team "identity ops"`], p)
      expect(res.code, res.stderr).to.equal(0)
      const [call] = ndjson(readFileSync(sink, 'utf8'))
      expect(call.argv).to.deep.equal(['--team', 'identity ops'])
      expect(JSON.parse(call.stdin as string)).to.deep.equal(ndjson(res.stdout)[0])
      expect(res.stderr).to.equal('paged\n')
    })
  })

  describe('failures', () => {
    it('--exec naming a missing or non-executable program: exit 2 at start, before any event is read', async () => {
      p = await fakePlatform({clock})
      const script = join(p.dir, 'page-oncall.sh')
      writeFileSync(script, '#!/bin/sh\necho paged\n', {mode: 0o644})
      const cases: Array<[string, RegExp, RegExp]> = [
        [join(p.dir, 'missing.sh'), /^Error: --exec: no program ".*missing\.sh" \(.*missing\.sh does not exist\)\./, /Next: Check the path/],
        [script, /^Error: --exec: .*page-oncall\.sh is not executable\./, /Next: Make it executable: chmod \+x .*page-oncall\.sh/],
        ['no-such-program-on-path', /^Error: --exec: no program "no-such-program-on-path" on PATH\./, /Next: /],
      ]
      for (const [program, message, next] of cases) {
        const res = await runCommand(AuditWatch, ['--no-follow', '--exec', `${program} --team identity`], p)
        expect(res.code, program).to.equal(2)
        const own = res.stderr.split('Error: ').at(-1)!
        expect(`Error: ${own}`).to.match(message).and.match(next)
        expect(res.stdout).to.equal('')
      }
    })

    it('--no-follow on a platform that does not confirm end=head: exit 1, no alert', async () => {
      p = await fakePlatform({clock})
      p.cluster
        .get('/v1/audit/stream')
        .query({end: 'head'})
        .reply(200, frames([1]), sseHeaders(false))
      const res = await runCommand(AuditWatch, ['--no-follow'], p)
      expect(res.code).to.equal(1)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.contain('without end=head support')
    })

    it('409 CURSOR_AHEAD and 410 CURSOR_EXPIRED: exit 7', async () => {
      p = await fakePlatform({clock})
      p.cluster
        .get('/v1/audit/stream')
        .reply(409, {...problem(409, 'CURSOR_AHEAD', 'ahead')[1], requestedAfter: 50, headSeq: 4}, {'content-type': 'application/problem+json'})
        .get('/v1/audit/stream')
        .reply(410, {...problem(410, 'CURSOR_EXPIRED', 'gone')[1], oldestRetainedSeq: 60}, {'content-type': 'application/problem+json'})
      const ahead = await runCommand(AuditWatch, ['--after', '50'], p)
      expect(ahead.code).to.equal(7)
      expect(ahead.stderr).to.contain('The cursor is seq 50').and.contain('ends at seq 4')
      const expired = await runCommand(AuditWatch, ['--after', '10'], p)
      expect(expired.code).to.equal(7)
      expect(expired.stderr.slice(ahead.stderr.length)).to.contain('it still holds events from seq 60')
    })

    it('a bad window: exit 2 before any request', async () => {
      p = await fakePlatform({clock})
      const res = await runCommand(AuditWatch, ['--failed-signins-window', 'soon'], p)
      expect(res.code).to.equal(2)
      expect(res.stderr).to.contain('--failed-signins-window "soon" is not a duration.')
    })
  })
})
