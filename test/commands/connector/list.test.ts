// `ppctl connector list` in-process: the table and --json, in a terminal and in a pipe, paging, filters, and errors.
import {expect} from 'chai'

import ConnectorList from '../../../src/commands/connector/list.js'
import {runCommand} from '../../helpers/command.js'
import {connector} from '../../helpers/connector-fixtures.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'

describe('connector list (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('follows every page and prints one table with a count', async () => {
    p = await fakePlatform({tty: true, columns: 120})
    p.cluster
      .get('/v1/connectors')
      .query({limit: '200'})
      .reply(200, {items: [connector('shared_sql')], nextCursor: 'c2'})
      .get('/v1/connectors')
      .query({limit: '200', cursor: 'c2'})
      .reply(200, {items: [connector('shared_blob', {blocked: true, tier: 'standard'})], nextCursor: null})
    const res = await runCommand(ConnectorList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/shared_sql +│ Name of shared_sql +│ Contoso +│ premium +│ allowed/)
    expect(res.stdout).to.match(/shared_blob .*│ standard +│ blocked/)
    expect(res.stdout).to.contain('2 connectors')
  })

  it('--json: every item with its ETag, nothing on stderr; filters reach the platform as query parameters', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors')
      .query({tier: 'premium', blocked: 'true', search: 'sql', limit: '200'})
      .reply(200, {items: [connector('shared_sql', {blocked: true})]})
    const res = await runCommand(ConnectorList, ['--tier', 'premium', '--blocked', '--search', 'sql', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.json()).to.deep.equal({count: 1, items: [connector('shared_sql', {blocked: true})]})
  })

  it('platform text with escape sequences is inert in the table', async () => {
    p = await fakePlatform({tty: true})
    p.cluster
      .get('/v1/connectors')
      .query(true)
      .reply(200, {items: [connector('evil', {displayName: 'Bad\u001b]52;c;aGk=\u0007name'})]})
    const res = await runCommand(ConnectorList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).not.to.match(/\u001b\]/)
    expect(res.stdout).to.contain('evil')
  })

  it('403: exit 5 with the platform code, its correlation id and a next step, stdout empty', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors')
      .query(true)
      .reply(...problem(403, 'FORBIDDEN', 'The caller lacks the Admin or Maker role.', 'corr-403'))
    const res = await runCommand(ConnectorList, [], p)
    expect(res.code).to.equal(5)
    expect(res.stdout).to.equal('')
    expect(res.stderr)
      .to.match(/^Error: /)
      .and.contain('corr-403')
  })

  it('as Support (a tenant without a home cluster): exit 6, and the Next line names what Support can do, not a --tenant it lacks', async () => {
    p = await fakePlatform()
    await (await p.ctx.router().cache('work')).clear()
    p.global.get('/v1/me/home').reply(...problem(404, 'TENANT_NOT_FOUND', 'The signed-in tenant has no home cluster.', 'corr-404'))
    const res = await runCommand(ConnectorList, [], p)
    expect(res.code).to.equal(6)
    expect(res.stderr).not.to.contain('--tenant (id or name)')
    expect(res.stderr).to.contain(
      'Next: A Support sign-in reads routes and cluster health, not tenant data: ppctl route show --tenant TENANT, ppctl route diagnose --tenant TENANT',
    )
  })

  it('403 TENANT_DATA_FORBIDDEN (Support on a cluster): exit 5, the Next line names the route commands instead of a role to ask for', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors')
      .query(true)
      .reply(...problem(403, 'TENANT_DATA_FORBIDDEN', 'Support reads routes and health, not tenant data', 'corr-403'))
    const res = await runCommand(ConnectorList, [], p)
    expect(res.code).to.equal(5)
    expect(res.stderr).to.contain(
      'Next: A Support sign-in reads routes and cluster health, not tenant data: ppctl route show --tenant TENANT, ppctl route diagnose --tenant TENANT',
    )
  })

  it('--blocked and --allowed together: exit 2 before any request', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorList, ['--blocked', '--allowed'], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.match(/--allowed|--blocked/)
  })
})
