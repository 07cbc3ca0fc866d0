// `ppctl connector delete` in-process: the confirmation, custom connectors only, DELETE with If-Match, retries and errors.
import {expect} from 'chai'

import ConnectorDelete from '../../../src/commands/connector/delete.js'
import {runCommand} from '../../helpers/command.js'
import {ROUTE, fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'
import {ACTIVE, HOSTILE, answering, connector, jsonAgainst} from '../../helpers/connector-fixtures.js'

const ID = 'custom_orders-api-1a2b3c'

describe('connector delete (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  const reads = (over: Record<string, unknown> = {}, etag = '"4"') =>
    p.cluster
      .get(`/v1/connectors/${ID}`)
      .reply(200, connector(ID, {tier: 'custom', displayName: 'Orders API', createdBy: 'maker@contoso.example', etag, ...over}), {etag})

  it('--yes: reads the ETag, deletes with If-Match, says what was deleted', async () => {
    p = await fakePlatform()
    reads()
    p.cluster.delete(`/v1/connectors/${ID}`).matchHeader('if-match', '"4"').reply(204)
    const res = await runCommand(ConnectorDelete, [ID, '--yes'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.equal(`Deleted Orders API (${ID}).\n`)
  })

  it('--json: the deleted connector as the schema says, nothing on stderr', async () => {
    p = await fakePlatform()
    reads()
    p.cluster.delete(`/v1/connectors/${ID}`).matchHeader('if-match', '"4"').reply(204)
    const res = await runCommand(ConnectorDelete, [ID, '-y', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(jsonAgainst(res, 'connector-delete')).to.deep.equal({id: ID, displayName: 'Orders API', deleted: true})
  })

  it('without a terminal and without --yes: exit 2 naming --yes, before any request', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorDelete, [ID], p)
    expect(res.code).to.equal(2)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.equal('Error: No terminal to ask on, and --yes was not given.\n  Next: Pass --yes.\n')
  })

  it('at a terminal: asks, naming the connector and the consequence; "y" deletes', async () => {
    p = await fakePlatform({tty: true})
    reads()
    p.cluster.delete(`/v1/connectors/${ID}`).reply(204)
    const res = await answering(p, () => runCommand(ConnectorDelete, [ID], p), 'y')
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.contain(`Delete the custom connector ${ID}? Apps that use it stop`)
    expect(res.stdout).to.equal(`Deleted Orders API (${ID}).\n`)
  })

  it('at a terminal: "n" cancels with exit 3, nothing requested (not even the read)', async () => {
    p = await fakePlatform({tty: true})
    const res = await answering(p, () => runCommand(ConnectorDelete, [ID, '--json'], p), 'n')
    expect(res.code).to.equal(3)
    // Under --json the error is the document on stdout, after nothing else.
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({code: 'CANCELLED', exitCode: 3})
  })

  it('a standard or premium connector: exit 7 NOT_CUSTOM_CONNECTOR, "block it instead", no DELETE', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors/shared_sql').reply(200, connector('shared_sql', {displayName: 'SQL Server'}), {etag: '"1"'})
    const res = await runCommand(ConnectorDelete, ['shared_sql', '--yes'], p)
    expect(res.code).to.equal(7)
    expect(res.stderr).to.equal(
      'Error: SQL Server (shared_sql) is a premium connector; only custom connectors can be deleted.\n  Next: Block it instead: ppctl connector block shared_sql\n',
    )
  })

  for (const [status, code, exit] of [
    [403, 'FORBIDDEN', 5],
    [404, 'CONNECTOR_NOT_FOUND', 6],
    [409, 'CONNECTOR_IN_USE', 7],
    [412, 'PRECONDITION_FAILED', 7],
    [422, 'UNPROCESSABLE', 7],
  ] as const) {
    it(`the DELETE answers ${status} ${code}: exit ${exit} with the platform's code, not retried`, async () => {
      p = await fakePlatform()
      reads()
      p.cluster.delete(`/v1/connectors/${ID}`).reply(...problem(status, code, `Refused with ${code}.`, `corr-${status}`))
      const res = await runCommand(ConnectorDelete, [ID, '--yes', '--json'], p)
      expect(res.code).to.equal(exit)
      expect(p.clock.sleeps).to.deep.equal([])
      expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({
        code,
        exitCode: exit,
        message: `Deleting connector ${ID} failed: Refused with ${code}.`,
        correlationId: `corr-${status}`,
      })
    })
  }

  it('the read answers 404: exit 6, no DELETE', async () => {
    p = await fakePlatform()
    p.cluster.get(`/v1/connectors/${ID}`).reply(...problem(404, 'CONNECTOR_NOT_FOUND', 'No such connector.', 'corr-r'))
    const res = await runCommand(ConnectorDelete, [ID, '--yes'], p)
    expect(res.code).to.equal(6)
    expect(res.stderr)
      .to.match(/^Error: No connector "custom_orders-api-1a2b3c" in contoso\.\n/)
      .and.contain('Correlation id: corr-r')
  })

  it('503 then 204: the DELETE (idempotent) is retried on the fake clock and succeeds', async () => {
    p = await fakePlatform()
    reads()
    p.cluster
      .delete(`/v1/connectors/${ID}`)
      .reply(...problem(503, 'UNAVAILABLE', 'Busy.'))
      .delete(`/v1/connectors/${ID}`)
      .matchHeader('if-match', '"4"')
      .reply(204)
    const res = await runCommand(ConnectorDelete, [ID, '--yes'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(p.clock.sleeps).to.have.length(1)
  })

  it('503 on every attempt: exit 9 after the retries and one look at the route', async () => {
    p = await fakePlatform()
    reads()
    p.cluster
      .delete(`/v1/connectors/${ID}`)
      .times(4)
      .reply(...problem(503, 'UNAVAILABLE', 'Busy.'))
    p.global.get('/v1/me/home').reply(200, ROUTE)
    const res = await runCommand(ConnectorDelete, [ID, '--yes'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.have.length(3)
    expect(res.stderr).to.equal(
      'Error: eastus-1.clusters.example.com answered HTTP 503 to 4 attempts.\n  Next: Try again in a minute.\n  Correlation id: corr-test-1\n',
    )
  })

  it('the read answers malformed JSON: exit 9, no DELETE', async () => {
    p = await fakePlatform()
    p.cluster.get(`/v1/connectors/${ID}`).reply(200, '{"id":', {'content-type': 'application/json'})
    const res = await runCommand(ConnectorDelete, [ID, '--yes', '--json'], p)
    expect(res.code).to.equal(9)
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({code: 'MALFORMED_RESPONSE'})
  })

  it('no id, or an unknown flag: exit 2 before any request', async () => {
    p = await fakePlatform()
    const none = await runCommand(ConnectorDelete, ['--yes'], p)
    expect(none.code).to.equal(2)
    const q = await fakePlatform()
    const bad = await runCommand(ConnectorDelete, [ID, '--force'], q)
    q.cleanup()
    expect(bad.code).to.equal(2)
    expect(bad.stderr).to.contain('--force')
  })

  it('platform text is inert in the human line and exact in --json', async () => {
    p = await fakePlatform({tty: true})
    reads({displayName: HOSTILE})
    p.cluster.delete(`/v1/connectors/${ID}`).reply(204)
    const human = await runCommand(ConnectorDelete, [ID, '--yes'], p)
    expect(human.code, human.stderr).to.equal(0)
    expect(human.stdout).not.to.match(ACTIVE)
    expect(human.stdout).to.match(/^Deleted Evil.* end \(custom_orders-api-1a2b3c\)\.\n$/)
    const q = await fakePlatform({tty: true})
    reads({displayName: HOSTILE})
    q.cluster.delete(`/v1/connectors/${ID}`).reply(204)
    const json = await runCommand(ConnectorDelete, [ID, '--yes', '--json'], q)
    q.cleanup()
    expect(json.stdout).not.to.match(ACTIVE)
    expect(json.json()).to.deep.equal({id: ID, displayName: HOSTILE, deleted: true})
  })
})
