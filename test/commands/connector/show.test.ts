// `ppctl connector show` in-process: the key/value block and --json, the ETag header, retries on the fake clock, and errors.
import {expect} from 'chai'
import nock from 'nock'

import ConnectorShow from '../../../src/commands/connector/show.js'
import {runCommand} from '../../helpers/command.js'
import {tsvRecords} from '../../helpers/tsv.js'
import {ROUTE, SECONDARY, fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'
import {ACTIVE, HOSTILE, connector, jsonAgainst} from '../../helpers/connector-fixtures.js'

describe('connector show (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('prints every field, with the ETag from the header and the core-connector note', async () => {
    p = await fakePlatform({tty: true, columns: 120})
    p.cluster
      .get('/v1/connectors/shared_approvals')
      .reply(200, connector('shared_approvals', {unblockable: true, tier: 'standard', description: 'Approvals flows', etag: '"body"'}), {etag: '"7"'})
    const res = await runCommand(ConnectorShow, ['shared_approvals'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.match(/^Id: +shared_approvals/m)
    expect(res.stdout).to.match(/^Name: +Name of shared_approvals/m)
    expect(res.stdout).to.match(/^Tier: +standard/m)
    expect(res.stdout).to.match(/^State: +allowed/m)
    expect(res.stdout).to.match(/^Can be blocked: +no \(core connector\)/m)
    expect(res.stdout).to.match(/^Description: +Approvals flows/m)
    expect(res.stdout).to.match(/^ETag: +"7"/m)
    expect(res.stdout).not.to.contain('Created by')
  })

  it('a custom connector: its maker, blocked, and "yes" for can be blocked (not a terminal: TSV, a header and one line)', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/custom_orders-1a2b')
      .reply(200, connector('custom_orders-1a2b', {tier: 'custom', blocked: true, createdBy: 'maker@contoso.example'}), {etag: '"2"'})
    const res = await runCommand(ConnectorShow, ['custom_orders-1a2b'], p)
    expect(res.code, res.stderr).to.equal(0)
    const [record, ...more] = tsvRecords(res.stdout)
    expect(more).to.deep.equal([])
    expect(record).to.include({Id: 'custom_orders-1a2b', State: 'blocked', 'Can be blocked': 'yes', 'Created by': 'maker@contoso.example', ETag: '"2"'})
  })

  it('--json: the connector as the schema says, its etag the header one, nothing on stderr', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_sql').reply(200, connector('shared_sql', {etag: '"stale"'}), {etag: 'W/"9"'})
    const res = await runCommand(ConnectorShow, ['shared_sql', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(jsonAgainst(res, 'connector-show')).to.deep.equal(connector('shared_sql', {etag: 'W/"9"'}))
  })

  it('an id with / and ? stays one path segment (no request to another endpoint)', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/a%2F..%2Fusers%3Fx').reply(...problem(404, 'NOT_FOUND', 'No connector a/../users?x.'))
    const res = await runCommand(ConnectorShow, ['a/../users?x'], p)
    expect(res.code).to.equal(6)
  })

  it('platform text with escape and bidi characters is inert in the block and exact in --json', async () => {
    p = await fakePlatform({tty: true})
    p.cluster
      .get('/v1/connectors/evil')
      .times(2)
      .reply(200, connector('evil', {displayName: HOSTILE, description: HOSTILE}), {etag: '"1"'})
    const human = await runCommand(ConnectorShow, ['evil'], p)
    expect(human.code, human.stderr).to.equal(0)
    expect(human.stdout).not.to.match(ACTIVE)
    expect(human.stdout).to.contain('Evil')
    expect(human.stdout).to.contain('end')
    const q = await fakePlatform({tty: true})
    const json = await runCommand(ConnectorShow, ['evil', '--json'], q)
    q.cleanup()
    expect(json.code, json.stderr).to.equal(0)
    expect(json.stdout).not.to.match(ACTIVE)
    expect(json.json<{displayName: string; description: string}>()).to.include({displayName: HOSTILE, description: HOSTILE})
  })

  it('404: exit 6 with the platform code in --json (the error schema), stdout only the error', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/nope').reply(...problem(404, 'CONNECTOR_NOT_FOUND', 'No connector nope in this tenant.', 'corr-404'))
    const res = await runCommand(ConnectorShow, ['nope', '--json'], p)
    expect(res.code).to.equal(6)
    const {error} = jsonAgainst<{error: Record<string, unknown>}>(res, 'error')
    expect(error).to.include({code: 'CONNECTOR_NOT_FOUND', exitCode: 6, correlationId: 'corr-404'})
    expect(error.message).to.equal('No connector "nope" in contoso.')
  })

  it('403: exit 5, one error line, a next step and the correlation id; stdout empty', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_sql').reply(...problem(403, 'FORBIDDEN', 'The caller lacks the Admin or Maker role.', 'corr-403'))
    const res = await runCommand(ConnectorShow, ['shared_sql'], p)
    expect(res.code).to.equal(5)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.match(
      /^Error: Reading connector shared_sql failed: The caller lacks the Admin or Maker role\.\n {2}Next: .+\n {2}Correlation id: corr-403\n$/m,
    )
  })

  it('429 on every attempt: retried on the fake clock with Retry-After, then exit 9', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .times(4)
      .reply(
        429,
        {code: 'THROTTLED', correlationId: 'corr-429'},
        {'content-type': 'application/problem+json', 'retry-after': '2', 'x-correlation-id': 'corr-429'},
      )
    const res = await runCommand(ConnectorShow, ['shared_sql'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([2000, 2000, 2000])
    expect(res.stderr)
      .to.match(/^Error: .*HTTP 429 to 4 attempts/m)
      .and.contain('Wait 2 s')
  })

  it('503 twice, then the connector: the retries hide the outage (exit 0)', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .times(2)
      .reply(...problem(503, 'UNAVAILABLE', 'Try later.'))
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql'), {etag: '"1"'})
    const res = await runCommand(ConnectorShow, ['shared_sql', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(p.clock.sleeps).to.have.length(2)
    expect(res.json()).to.include({id: 'shared_sql'})
  })

  it('a 500 is not retried: exit 9 with the platform detail', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_sql').reply(...problem(500, 'INTERNAL', 'Something broke.', 'corr-500'))
    const res = await runCommand(ConnectorShow, ['shared_sql'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([])
    expect(res.stderr).to.contain('Something broke.').and.contain('corr-500')
  })

  it('a 200 whose body is not JSON: exit 9 MALFORMED_RESPONSE, no stack, no body echoed', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .reply(200, '{"id": "shared_sql", SECRET-ish', {'content-type': 'application/json', 'x-correlation-id': 'corr-bad'})
    const res = await runCommand(ConnectorShow, ['shared_sql', '--json'], p)
    expect(res.code).to.equal(9)
    const {error} = jsonAgainst<{error: Record<string, unknown>}>(res, 'error')
    expect(error).to.include({code: 'MALFORMED_RESPONSE', correlationId: 'corr-bad'})
    expect(res.stdout).not.to.contain('SECRET-ish')
  })

  it('a problem answer that does not parse keeps its status exit code (404 → 6)', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_sql').reply(404, '{"code": ', {'content-type': 'application/problem+json'})
    const res = await runCommand(ConnectorShow, ['shared_sql'], p)
    expect(res.code).to.equal(6)
    expect(res.stderr).to.contain('does not parse')
  })

  it('401: exit 4 and the next step is to sign in again', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_sql').reply(...problem(401, 'UNAUTHENTICATED', 'The token was revoked.'))
    const res = await runCommand(ConnectorShow, ['shared_sql'], p)
    expect(res.code).to.equal(4)
    expect(res.stderr).to.contain('Next: Sign in again: ppctl auth login')
  })

  it('421 WRONG_CLUSTER: the route is read again and the connector comes from the new home', async () => {
    p = await fakePlatform()
    const moved = {...ROUTE, home: {clusterId: 'westus-1', region: 'westus', uri: SECONDARY}, secondary: ROUTE.home, epoch: 2}
    p.cluster.get('/v1/connectors/shared_sql').reply(...problem(421, 'WRONG_CLUSTER', 'Not the active cluster.'))
    p.global.get('/v1/me/home').reply(200, moved)
    const secondary = nock(SECONDARY)
      .matchHeader('authorization', 'Bearer test-access-token')
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql'), {etag: '"1"'})
    const res = await runCommand(ConnectorShow, ['shared_sql', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(secondary.isDone()).to.equal(true)
    expect(res.json()).to.include({id: 'shared_sql'})
  })

  it('no id, or two: exit 2 before any request', async () => {
    p = await fakePlatform()
    const none = await runCommand(ConnectorShow, [], p)
    expect(none.code).to.equal(2)
    expect(none.stderr).to.match(/^Error: .*id/m)
    const q = await fakePlatform()
    const two = await runCommand(ConnectorShow, ['a', 'b'], q)
    q.cleanup()
    expect(two.code).to.equal(2)
  })
})
