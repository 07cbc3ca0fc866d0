// `ppctl connector block` in-process: GET for the ETag then POST with If-Match, the confirmation, 412 re-reads, per-id results, errors.
import {expect} from 'chai'

import ConnectorBlock from '../../../src/commands/connector/block.js'
import {runCommand} from '../../helpers/command.js'
import {manualClock, type FakeClock} from '../../helpers/fake-clock.js'
import {ROUTE, fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'
import {ACTIVE, HOSTILE, answering, connector, jsonAgainst} from '../../helpers/connector-fixtures.js'

interface Result {
  id: string
  displayName?: string
  outcome: string
  blocked?: boolean
  etag?: string
  error?: {code: string; message: string; exitCode: number; correlationId?: string}
}

describe('connector block (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  /** The GET for the ETag and the guarded POST, answered as the platform does. */
  const blocks = (id: string, etag = '"3"', over: Record<string, unknown> = {}) =>
    p.cluster
      .get(`/v1/connectors/${id}`)
      .reply(200, connector(id, {etag, ...over}), {etag})
      .post(`/v1/connectors/${id}/block`)
      .matchHeader('if-match', etag)
      .reply(200, connector(id, {blocked: true, etag: '"4"', ...over}), {etag: '"4"'})

  it('--yes: reads the ETag, blocks with If-Match and prints the result table', async () => {
    p = await fakePlatform({tty: true, columns: 100})
    blocks('shared_dropbox')
    const res = await runCommand(ConnectorBlock, ['shared_dropbox', '--yes'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.match(/shared_dropbox +│ Name of shared_dropbox +│ blocked/)
  })

  it('--json: the per-id result as the schema says, with the new ETag', async () => {
    p = await fakePlatform()
    blocks('shared_dropbox')
    const res = await runCommand(ConnectorBlock, ['shared_dropbox', '-y', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(jsonAgainst(res, 'connector-block')).to.deep.equal({
      results: [{id: 'shared_dropbox', displayName: 'Name of shared_dropbox', outcome: 'blocked', blocked: true, etag: '"4"'}],
      failed: 0,
    })
  })

  it('already blocked: no POST, the result says so (exit 0)', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_ftp').reply(200, connector('shared_ftp', {blocked: true}), {etag: '"5"'})
    const res = await runCommand(ConnectorBlock, ['shared_ftp', '--yes', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<{results: Result[]}>().results).to.deep.equal([
      {id: 'shared_ftp', displayName: 'Name of shared_ftp', outcome: 'already-blocked', blocked: true, etag: '"5"'},
    ])
  })

  it('without a terminal and without --yes: exit 2 naming --yes, before any request', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorBlock, ['shared_dropbox'], p)
    expect(res.code).to.equal(2)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.equal('Error: No terminal to ask on, and --yes was not given.\n  Next: Pass --yes.\n')
  })

  it('at a terminal with CI set: refuses like without one (exit 2, --json error)', async () => {
    p = await fakePlatform({tty: true, env: {CI: 'true'}})
    const res = await runCommand(ConnectorBlock, ['shared_dropbox', '--json'], p)
    expect(res.code).to.equal(2)
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({code: 'ANSWER_REQUIRED', exitCode: 2, nextStep: 'Pass --yes.'})
  })

  it('at a terminal: asks, naming the connector; "y" blocks', async () => {
    p = await fakePlatform({tty: true})
    blocks('shared_dropbox')
    const res = await answering(p, () => runCommand(ConnectorBlock, ['shared_dropbox'], p), 'y')
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.contain('Block connector shared_dropbox for every user and app of the tenant?')
    expect(res.stdout).to.match(/shared_dropbox .*│ blocked/)
  })

  it('at a terminal: "n" cancels with exit 3 and nothing is requested', async () => {
    p = await fakePlatform({tty: true})
    const res = await answering(p, () => runCommand(ConnectorBlock, ['shared_dropbox', 'shared_gmail'], p), 'n')
    expect(res.code).to.equal(3)
    expect(res.stderr).to.contain('Block 2 connectors (shared_dropbox, shared_gmail) for every user')
    expect(res.stderr).to.contain('Error: Cancelled; nothing was changed.')
    expect(res.stdout).to.equal('')
  })

  it('at a terminal: an id pasted with escape sequences is inert in the question', async () => {
    p = await fakePlatform({tty: true})
    const res = await answering(p, () => runCommand(ConnectorBlock, ['shared_\u001b]52;c;aGk=\u0007x\u202e'], p), 'n')
    expect(res.code).to.equal(3)
    expect(res.stderr).to.contain('Block connector shared_')
    expect(res.stderr).not.to.match(/\u001b\]52|\u202e/)
  })

  it('a core connector: exit 7 UNBLOCKABLE_CONNECTOR with the reason, no POST', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_approvals').reply(200, connector('shared_approvals', {displayName: 'Approvals', unblockable: true}), {etag: '"1"'})
    const res = await runCommand(ConnectorBlock, ['shared_approvals', '--yes'], p)
    expect(res.code).to.equal(7)
    expect(res.stderr).to.match(/^Error: Approvals \(shared_approvals\) cannot be blocked: it is a core connector/)
    expect(res.stderr).to.contain('Next: Core connectors')
  })

  it('412 (changed in between): reads again and blocks with the new ETag', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql'), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .matchHeader('if-match', '"1"')
      .reply(...problem(412, 'PRECONDITION_FAILED', 'The ETag does not match.'))
    blocks('shared_sql', '"2"')
    const res = await runCommand(ConnectorBlock, ['shared_sql', '--yes', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<{results: Result[]}>().results[0]).to.include({outcome: 'blocked', etag: '"4"'})
  })

  it('412, and the fresh read shows someone else blocked it: already-blocked, no second POST', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql'), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .reply(...problem(412, 'PRECONDITION_FAILED', 'The ETag does not match.'))
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql', {blocked: true}), {etag: '"2"'})
    const res = await runCommand(ConnectorBlock, ['shared_sql', '--yes', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<{results: Result[]}>().results[0]).to.include({outcome: 'already-blocked', etag: '"2"'})
  })

  it('412 twice: exit 7 with the platform code, after one re-read only', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .times(2)
      .reply(200, connector('shared_sql'), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .times(2)
      .reply(...problem(412, 'PRECONDITION_FAILED', 'The ETag does not match.', 'corr-412'))
    const res = await runCommand(ConnectorBlock, ['shared_sql', '--yes', '--json'], p)
    expect(res.code).to.equal(7)
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({code: 'PRECONDITION_FAILED', exitCode: 7, correlationId: 'corr-412'})
  })

  for (const [status, code, exit] of [
    [403, 'FORBIDDEN', 5],
    [404, 'CONNECTOR_NOT_FOUND', 6],
    [409, 'CONFLICT', 7],
    [422, 'UNBLOCKABLE_CONNECTOR', 7],
    [428, 'PRECONDITION_REQUIRED', 7],
  ] as const) {
    it(`the POST answers ${status} ${code}: exit ${exit}, the platform's code, stdout empty`, async () => {
      p = await fakePlatform()
      p.cluster
        .get('/v1/connectors/shared_sql')
        .reply(200, connector('shared_sql'), {etag: '"1"'})
        .post('/v1/connectors/shared_sql/block')
        .reply(...problem(status, code, `Refused with ${code}.`, `corr-${status}`))
      const res = await runCommand(ConnectorBlock, ['shared_sql', '--yes'], p)
      expect(res.code).to.equal(exit)
      expect(res.stdout).to.equal('')
      expect(res.stderr)
        .to.match(new RegExp(`^Error: Blocking connector shared_sql failed: Refused with ${code}\\.\\n`))
        .and.contain(`Correlation id: corr-${status}`)
    })
  }

  it('the GET answers 404: exit 6 and no POST', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/nope').reply(...problem(404, 'CONNECTOR_NOT_FOUND', 'No connector nope.'))
    const res = await runCommand(ConnectorBlock, ['nope', '--yes'], p)
    expect(res.code).to.equal(6)
    expect(res.stderr).to.match(/^Error: No connector "nope" in contoso\.\n {2}Next: See the matches: ppctl connector list --search nope/)
  })

  it('503 on the POST: not sent twice (no Idempotency-Key), exit 9 at once', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql'), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .reply(...problem(503, 'UNAVAILABLE', 'The cluster is busy.'))
    const res = await runCommand(ConnectorBlock, ['shared_sql', '--yes'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([])
  })

  it('503 on every GET: retried on the fake clock, then exit 9 PLATFORM_UNAVAILABLE', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .times(4)
      .reply(...problem(503, 'UNAVAILABLE', 'The cluster is busy.'))
    // After the retries the client asks the global service whether the home moved; it has not.
    p.global.get('/v1/me/home').reply(200, ROUTE)
    const res = await runCommand(ConnectorBlock, ['shared_sql', '--yes', '--json'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.have.length(3)
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({code: 'PLATFORM_UNAVAILABLE', exitCode: 9})
  })

  it('the POST answer is not JSON: exit 9 MALFORMED_RESPONSE', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql'), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .reply(200, '<html>', {'content-type': 'application/json'})
    const res = await runCommand(ConnectorBlock, ['shared_sql', '--yes'], p)
    expect(res.code).to.equal(9)
    expect(res.stderr).to.match(/^Error: Blocking connector shared_sql failed: the platform's answer is not valid JSON\./)
  })

  it('several ids, some failing: exit 10, the note on stderr, each id its result in --json', async () => {
    p = await fakePlatform()
    blocks('shared_dropbox')
    p.cluster.get('/v1/connectors/nope').reply(...problem(404, 'CONNECTOR_NOT_FOUND', 'No connector nope.', 'corr-nope'))
    p.cluster.get('/v1/connectors/shared_approvals').reply(200, connector('shared_approvals', {unblockable: true}), {etag: '"1"'})
    const res = await runCommand(ConnectorBlock, ['shared_dropbox', 'nope', 'shared_approvals', '--yes', '--json'], p)
    expect(res.code).to.equal(10)
    expect(res.stderr).to.equal('2 of 3 connectors could not be blocked; the others were (exit 10).\n')
    const out = jsonAgainst<{results: Result[]; failed: number}>(res, 'connector-block')
    expect(out.failed).to.equal(2)
    expect(out.results.map((r) => [r.id, r.outcome, r.error?.code, r.error?.exitCode])).to.deep.equal([
      ['shared_dropbox', 'blocked', undefined, undefined],
      ['nope', 'failed', 'CONNECTOR_NOT_FOUND', 6],
      ['shared_approvals', 'failed', 'UNBLOCKABLE_CONNECTOR', 7],
    ])
    expect(out.results[1].error).to.include({correlationId: 'corr-nope', message: 'No connector "nope" in contoso.'})
  })

  it('several ids, some failing, human: the table says which and why, exit 10', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    blocks('shared_dropbox')
    p.cluster.get('/v1/connectors/shared_gmail').reply(200, connector('shared_gmail'), {etag: '"1"'})
    p.cluster.post('/v1/connectors/shared_gmail/block').reply(...problem(403, 'FORBIDDEN', 'Needs the Admin role.'))
    const res = await runCommand(ConnectorBlock, ['shared_dropbox', 'shared_gmail', '--yes'], p)
    expect(res.code).to.equal(10)
    expect(res.stdout).to.match(/shared_dropbox +│ Name of shared_dropbox +│ blocked/)
    expect(res.stdout).to.match(/shared_gmail +│ +│ failed: Blocking connector shared_gmail failed: Needs the Admin role\./)
    expect(res.stderr).to.contain('1 of 2 connectors could not be blocked')
  })

  it('several ids, all failing: exit 10, and the note does not claim the others were blocked', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/nope')
      .reply(...problem(404, 'CONNECTOR_NOT_FOUND', 'No connector nope.'))
      .get('/v1/connectors/gone')
      .reply(...problem(404, 'CONNECTOR_NOT_FOUND', 'No connector gone.'))
    const res = await runCommand(ConnectorBlock, ['nope', 'gone', '--yes', '--json'], p)
    expect(res.code).to.equal(10)
    expect(res.stderr).to.equal('None of the 2 connectors could be blocked (exit 10).\n')
    expect(jsonAgainst<{failed: number}>(res, 'connector-block').failed).to.equal(2)
  })

  it('several ids at once: a 429 holds back every worker (one shared backoff), not only the one that heard it', async () => {
    const clock = manualClock()
    p = await fakePlatform({clock: clock as unknown as FakeClock})
    const sent: string[] = []
    const seen = (what: string) => () => (sent.push(what), true)
    p.cluster
      .get('/v1/connectors/shared_a')
      .reply(429, '', {'retry-after': '5'})
      .get('/v1/connectors/shared_a')
      .reply(200, connector('shared_a', {etag: '"1"'}), {etag: '"1"'})
      .post('/v1/connectors/shared_a/block')
      .reply(200, connector('shared_a', {blocked: true}))
    p.cluster
      .get('/v1/connectors/shared_b')
      .reply(200, connector('shared_b', {etag: '"1"'}), {etag: '"1"'})
      .post('/v1/connectors/shared_b/block')
      .reply(200, connector('shared_b', {blocked: true}))
    p.cluster
      .get((path) => path === '/v1/connectors/shared_c' && seen('GET shared_c')())
      .reply(200, connector('shared_c', {etag: '"1"'}), {etag: '"1"'})
      .post('/v1/connectors/shared_c/block')
      .reply(200, connector('shared_c', {blocked: true}))
    const run = runCommand(ConnectorBlock, ['shared_a', 'shared_b', 'shared_c', '--yes', '--json', '--concurrency', '2'], p)
    // Until time moves on: shared_a waits out its Retry-After, and the other worker waits with it.
    while (clock.pending() < 2 && sent.length === 0) await new Promise((resolve) => setImmediate(resolve))
    expect(sent, 'requests sent while the platform asked to wait').to.deep.equal([])
    clock.advance(5000)
    const res = await run
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<{results: Result[]}>().results.map((r) => [r.id, r.outcome])).to.deep.equal([
      ['shared_a', 'blocked'],
      ['shared_b', 'blocked'],
      ['shared_c', 'blocked'],
    ])
    expect(sent).to.include('GET shared_c')
  })

  it('the same id twice is blocked once', async () => {
    p = await fakePlatform()
    blocks('shared_dropbox')
    const res = await runCommand(ConnectorBlock, ['shared_dropbox', 'shared_dropbox', '--yes', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<{results: Result[]}>().results).to.have.length(1)
  })

  it('no id, or an unknown flag among the ids: exit 2 before any request', async () => {
    p = await fakePlatform()
    const none = await runCommand(ConnectorBlock, ['--yes'], p)
    expect(none.code).to.equal(2)
    const q = await fakePlatform()
    const stray = await runCommand(ConnectorBlock, ['shared_dropbox', '--yse'], q)
    q.cleanup()
    expect(stray.code).to.equal(2)
    expect(stray.stderr).to.match(/--yse/)
  })

  it('platform text with escape and bidi characters is inert in the table and exact in --json', async () => {
    p = await fakePlatform({tty: true, columns: 200})
    blocks('evil', '"3"', {displayName: HOSTILE})
    const human = await runCommand(ConnectorBlock, ['evil', '--yes'], p)
    expect(human.code, human.stderr).to.equal(0)
    expect(human.stdout).not.to.match(ACTIVE)
    expect(human.stdout).to.contain('Evil')
    const q = await fakePlatform({tty: true})
    blocks('evil', '"3"', {displayName: HOSTILE})
    const json = await runCommand(ConnectorBlock, ['evil', '--yes', '--json'], q)
    q.cleanup()
    expect(json.code, json.stderr).to.equal(0)
    expect(json.stdout).not.to.match(ACTIVE)
    expect(json.json<{results: Result[]}>().results[0].displayName).to.equal(HOSTILE)
  })
})
