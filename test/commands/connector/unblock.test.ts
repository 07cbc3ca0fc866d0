// `ppctl connector unblock` in-process: GET for the ETag then POST /unblock with If-Match, the confirmation, 412, per-id results, errors.
import {expect} from 'chai'

import ConnectorUnblock from '../../../src/commands/connector/unblock.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'
import {ACTIVE, HOSTILE, answering, connector, jsonAgainst} from '../../helpers/connector-fixtures.js'

interface Result {
  id: string
  displayName?: string
  outcome: string
  blocked?: boolean
  etag?: string
  error?: {code: string; message: string; exitCode: number; correlationId?: string}
}

describe('connector unblock (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  /** A blocked connector read for its ETag, then unblocked with If-Match. */
  const unblocks = (id: string, etag = '"6"', over: Record<string, unknown> = {}) =>
    p.cluster
      .get(`/v1/connectors/${id}`)
      .reply(200, connector(id, {blocked: true, etag, ...over}), {etag})
      .post(`/v1/connectors/${id}/unblock`)
      .matchHeader('if-match', etag)
      .reply(200, connector(id, {blocked: false, etag: '"7"', ...over}), {etag: '"7"'})

  it('--yes: unblocks with If-Match and prints the result table', async () => {
    p = await fakePlatform({tty: true, columns: 100})
    unblocks('shared_ftp')
    const res = await runCommand(ConnectorUnblock, ['shared_ftp', '--yes'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.match(/shared_ftp +│ Name of shared_ftp +│ unblocked/)
  })

  it('--json: the per-id result as the schema says', async () => {
    p = await fakePlatform()
    unblocks('shared_ftp')
    const res = await runCommand(ConnectorUnblock, ['shared_ftp', '--yes', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(jsonAgainst(res, 'connector-unblock')).to.deep.equal({
      results: [{id: 'shared_ftp', displayName: 'Name of shared_ftp', outcome: 'unblocked', blocked: false, etag: '"7"'}],
      failed: 0,
    })
  })

  it('not blocked: no POST, "already unblocked" (exit 0)', async () => {
    p = await fakePlatform({tty: true, columns: 100})
    p.cluster.get('/v1/connectors/shared_ftp').reply(200, connector('shared_ftp'), {etag: '"1"'})
    const res = await runCommand(ConnectorUnblock, ['shared_ftp', '--yes'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/shared_ftp +│ Name of shared_ftp +│ already unblocked/)
  })

  it('a blocked core connector can be unblocked (only blocking is refused)', async () => {
    p = await fakePlatform()
    unblocks('shared_approvals', '"2"', {unblockable: true})
    const res = await runCommand(ConnectorUnblock, ['shared_approvals', '--yes', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<{results: Result[]}>().results[0].outcome).to.equal('unblocked')
  })

  it('without a terminal and without --yes: exit 2 naming --yes, before any request', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorUnblock, ['shared_ftp', 'shared_sql', '--json'], p)
    expect(res.code).to.equal(2)
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.deep.equal({
      code: 'ANSWER_REQUIRED',
      message: 'No terminal to ask on, and --yes was not given.',
      exitCode: 2,
      nextStep: 'Pass --yes.',
    })
  })

  it('at a terminal: asks; "y" unblocks', async () => {
    p = await fakePlatform({tty: true})
    unblocks('shared_ftp')
    const res = await answering(p, () => runCommand(ConnectorUnblock, ['shared_ftp'], p), 'y')
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.contain('Unblock connector shared_ftp for every user and app of the tenant?')
    expect(res.stdout).to.match(/shared_ftp .*│ unblocked/)
  })

  it('at a terminal: "n" cancels with exit 3, nothing requested', async () => {
    p = await fakePlatform({tty: true})
    const res = await answering(p, () => runCommand(ConnectorUnblock, ['shared_ftp'], p), 'n')
    expect(res.code).to.equal(3)
    expect(res.stderr).to.contain('Error: Cancelled; nothing was changed.')
    expect(res.stdout).to.equal('')
  })

  it('412: reads again and unblocks with the fresh ETag', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_ftp')
      .reply(200, connector('shared_ftp', {blocked: true}), {etag: '"5"'})
      .post('/v1/connectors/shared_ftp/unblock')
      .matchHeader('if-match', '"5"')
      .reply(...problem(412, 'PRECONDITION_FAILED', 'The ETag does not match.'))
    unblocks('shared_ftp', '"6"')
    const res = await runCommand(ConnectorUnblock, ['shared_ftp', '--yes', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<{results: Result[]}>().results[0]).to.include({outcome: 'unblocked', etag: '"7"'})
  })

  for (const [status, code, exit] of [
    [403, 'FORBIDDEN', 5],
    [404, 'CONNECTOR_NOT_FOUND', 6],
    [409, 'CONFLICT', 7],
    [428, 'PRECONDITION_REQUIRED', 7],
    [429, 'THROTTLED', 9],
    [503, 'UNAVAILABLE', 9],
  ] as const) {
    it(`the POST answers ${status} ${code}: exit ${exit}, sent once`, async () => {
      p = await fakePlatform()
      p.cluster
        .get('/v1/connectors/shared_ftp')
        .reply(200, connector('shared_ftp', {blocked: true}), {etag: '"5"'})
        .post('/v1/connectors/shared_ftp/unblock')
        .reply(...problem(status, code, `Refused with ${code}.`, `corr-${status}`))
      const res = await runCommand(ConnectorUnblock, ['shared_ftp', '--yes', '--json'], p)
      expect(res.code).to.equal(exit)
      expect(p.clock.sleeps).to.deep.equal([])
      expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({code, exitCode: exit, correlationId: `corr-${status}`})
    })
  }

  it('429 on the GET: retried on the fake clock, then exit 9 THROTTLED', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_ftp').times(4).reply(429, '', {'retry-after': '1'})
    const res = await runCommand(ConnectorUnblock, ['shared_ftp', '--yes'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([1000, 1000, 1000])
    expect(res.stderr).to.match(/^Error: .*answered HTTP 429 to 4 attempts; it last asked to wait 1 s\./)
  })

  it('the GET answer is not JSON: exit 9, no POST', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_ftp').reply(200, 'not json', {etag: '"1"'})
    const res = await runCommand(ConnectorUnblock, ['shared_ftp', '--yes'], p)
    expect(res.code).to.equal(9)
    expect(res.stderr).to.contain("Reading connector shared_ftp failed: the platform's answer is not valid JSON.")
  })

  it('several ids, one failing: exit 10, the note on stderr, the table and per-id --json', async () => {
    p = await fakePlatform()
    unblocks('shared_ftp')
    p.cluster.get('/v1/connectors/shared_sql').reply(200, connector('shared_sql'), {etag: '"1"'})
    p.cluster.get('/v1/connectors/shared_gmail').reply(200, connector('shared_gmail', {blocked: true}), {etag: '"8"'})
    p.cluster.post('/v1/connectors/shared_gmail/unblock').reply(...problem(403, 'FORBIDDEN', 'Needs the Admin role.', 'corr-g'))
    const res = await runCommand(ConnectorUnblock, ['shared_ftp', 'shared_sql', 'shared_gmail', '--yes', '--json'], p)
    expect(res.code).to.equal(10)
    expect(res.stderr).to.equal('1 of 3 connectors could not be unblocked; the others were (exit 10).\n')
    const out = jsonAgainst<{results: Result[]; failed: number}>(res, 'connector-unblock')
    expect(out.failed).to.equal(1)
    expect(out.results.map((r) => r.outcome)).to.deep.equal(['unblocked', 'already-unblocked', 'failed'])
    expect(out.results[2]).to.deep.equal({
      id: 'shared_gmail',
      outcome: 'failed',
      error: {
        code: 'FORBIDDEN',
        message: 'Unblocking connector shared_gmail failed: Needs the Admin role.',
        exitCode: 5,
        nextStep: 'Ask an administrator of the tenant for the role this needs.',
        correlationId: 'corr-g',
      },
    })
  })

  it('no id: exit 2 before any request', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorUnblock, ['--yes'], p)
    expect(res.code).to.equal(2)
    expect(res.stdout).to.equal('')
  })

  it('platform text is inert in the table and exact in --json; a hostile problem detail too', async () => {
    p = await fakePlatform({tty: true, columns: 200})
    unblocks('evil', '"6"', {displayName: HOSTILE})
    // A code no request declares a hint for: the platform's own (hostile) words are shown, inert.
    p.cluster.get('/v1/connectors/bad').reply(...problem(404, 'NOT_FOUND', HOSTILE))
    const human = await runCommand(ConnectorUnblock, ['evil', 'bad', '--yes'], p)
    expect(human.code).to.equal(10)
    expect(human.stdout).not.to.match(ACTIVE)
    expect(human.stderr).not.to.match(ACTIVE)
    expect(human.stdout).to.contain('Evil').and.contain('failed: Reading connector bad failed: Evil')
    const q = await fakePlatform({tty: true})
    unblocks('evil', '"6"', {displayName: HOSTILE})
    const json = await runCommand(ConnectorUnblock, ['evil', '--yes', '--json'], q)
    q.cleanup()
    expect(json.stdout).not.to.match(ACTIVE)
    expect(json.json<{results: Result[]}>().results[0].displayName).to.equal(HOSTILE)
  })
})
