// Contract: platform error answers (409, 412, 422, 429, 5xx, malformed JSON, HTML) → a clear message and the right exit code.
import {expect} from 'chai'
import nock from 'nock'

import type {PpctlError} from '../../src/lib/errors/index.js'
import {blockConnectors, getConnector, setConnectorBlocked} from '../../src/lib/platform/connectors.js'
import {changeLicense, changeLicenses, type LicenseRowInput} from '../../src/lib/platform/licenses.js'
import {fakeClock} from '../helpers/fake-clock.js'
import {memoryAccess, testContext, type TestContext} from '../helpers/context.js'

const CLUSTER = 'https://eastus-1.clusters.example.com'
const TENANT = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const connector = (over: Record<string, unknown> = {}) => ({
  id: 'shared_sql',
  displayName: 'SQL Server',
  publisher: 'Microsoft',
  tier: 'premium',
  blocked: false,
  unblockable: false,
  description: '',
  createdAt: 'x',
  updatedAt: 'x',
  etag: '"1"',
  ...over,
})

const assignLicenses = async (ctx: Parameters<typeof changeLicenses>[0], rows: LicenseRowInput[]) => (await changeLicenses(ctx, rows, 'assign')).results

describe('connector and license contract (nock)', () => {
  let t: TestContext
  let clock = fakeClock()

  beforeEach(async () => {
    clock = fakeClock()
    const access = memoryAccess()
    t = testContext({clock, profile: 'work', credentials: access})
    await t.ctx.config().update((c) => {
      c.profiles.work = {
        globalUrl: 'https://global.example.com',
        authority: 'https://login.example.com',
        clientId: 'ppctl',
        authMethod: 'device-code',
        clusterAllowList: ['*.clusters.example.com'],
      }
    })
    access.entries.set('work', {accessToken: 'at', accessTokenExpiresAt: clock.now() + 30 * 86400_000, refreshToken: 'rt'})
    const route = {
      tenantId: TENANT,
      home: {clusterId: 'eastus-1', region: 'eastus', uri: CLUSTER},
      secondary: {clusterId: 'westus-1', region: 'westus', uri: 'https://westus-1.clusters.example.com', mode: 'passive'},
      epoch: 1,
      ttlSeconds: 3600,
    }
    await (await t.ctx.router().cache('work')).put(['me', TENANT], {route, fetchedAt: clock.now(), expiresAt: clock.now() + 30 * 86400_000})
  })
  afterEach(() => {
    nock.cleanAll()
    t.cleanup()
  })

  async function rejection(p: Promise<unknown>): Promise<PpctlError> {
    try {
      await p
    } catch (err) {
      return err as PpctlError
    }
    throw new Error('expected a rejection')
  }
  const problem = (status: number, code: string, detail: string) =>
    [status, {status, code, title: code, detail}, {'content-type': 'application/problem+json', 'x-correlation-id': 'corr-1'}] as const

  it('412 on block: reads again once and retries with the new ETag', async () => {
    const scope = nock(CLUSTER)
      .get('/v1/connectors/shared_sql')
      .reply(200, connector(), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .matchHeader('if-match', '"1"')
      .reply(...problem(412, 'PRECONDITION_FAILED', 'Current ETag is "2"; read it again.'))
      .get('/v1/connectors/shared_sql')
      .reply(200, connector({etag: '"2"'}), {etag: '"2"'})
      .post('/v1/connectors/shared_sql/block')
      .matchHeader('if-match', '"2"')
      .reply(200, connector({blocked: true, etag: '"3"'}))
    expect(await setConnectorBlocked(t.ctx, 'shared_sql', true)).to.include({outcome: 'blocked', etag: '"3"'})
    scope.done()
  })

  it('412, then someone else already blocked it: no second POST, reported as already blocked', async () => {
    const scope = nock(CLUSTER)
      .get('/v1/connectors/shared_sql')
      .reply(200, connector(), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .reply(...problem(412, 'PRECONDITION_FAILED', 'changed'))
      .get('/v1/connectors/shared_sql')
      .reply(200, connector({blocked: true, etag: '"2"'}), {etag: '"2"'})
    expect(await setConnectorBlocked(t.ctx, 'shared_sql', true)).to.include({outcome: 'already-blocked'})
    scope.done()
  })

  it('412 twice: exit 7 with the message and correlation id', async () => {
    nock(CLUSTER)
      .get('/v1/connectors/shared_sql')
      .twice()
      .reply(200, connector(), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .twice()
      .reply(...problem(412, 'PRECONDITION_FAILED', 'The connector changed since you read it'))
    const err = await rejection(setConnectorBlocked(t.ctx, 'shared_sql', true))
    expect(err).to.include({code: 'PRECONDITION_FAILED', exitCode: 7, correlationId: 'corr-1'})
    expect(err.message).to.equal('Blocking connector shared_sql failed: The connector changed since you read it')
  })

  it('422 unblockable from the platform: exit 7 with its reason; several ids go on past it', async () => {
    nock(CLUSTER)
      .get('/v1/connectors/shared_sql')
      .reply(200, connector(), {etag: '"1"'})
      .post('/v1/connectors/shared_sql/block')
      .reply(...problem(422, 'UNBLOCKABLE_CONNECTOR', 'Core connectors stay available to every app.'))
      .get('/v1/connectors/shared_rss')
      .reply(200, connector({id: 'shared_rss'}), {etag: '"1"'})
      .post('/v1/connectors/shared_rss/block')
      .reply(200, connector({id: 'shared_rss', blocked: true}))
    const {results} = await blockConnectors(t.ctx, ['shared_sql', 'shared_rss'], true)
    expect(results.map((r) => [r.outcome, r.error?.exitCode])).to.deep.equal([
      ['failed', 7],
      ['blocked', undefined],
    ])
    expect(results[0].error?.message).to.contain('Core connectors stay available to every app.')
  })

  it('409 no seats on assign: exit 7 per row, the next rows still run', async () => {
    const sku = {id: 'P1', displayName: 'P', grantsPremium: true, capabilities: [], seats: {enabled: 3, consumed: 2, available: 1}}
    nock(CLUSTER)
      .get('/v1/licenses/skus')
      .reply(200, {items: [sku], nextCursor: null})
      .post('/v1/users/a%40c.example/licenses')
      .matchHeader('idempotency-key', /^ppctl-assign-/)
      .reply(...problem(409, 'NO_SEATS_AVAILABLE', '3 of 3 seats are assigned'))
      .post('/v1/users/b%40c.example/licenses')
      .reply(200, {userId: 'u2', skuId: 'P1', assignedAt: 'x', alreadyAssigned: true, seats: {enabled: 3, consumed: 3, available: 0}})
    const rows = await assignLicenses(t.ctx, [
      {upn: 'a@c.example', sku: 'P1'},
      {upn: 'b@c.example', sku: 'P1'},
    ])
    expect(rows.map((r) => [r.outcome, r.error?.exitCode])).to.deep.equal([
      ['failed', 7],
      ['already-assigned', undefined],
    ])
    expect(rows[0].error?.message).to.equal('Assigning P1 to a@c.example failed: 3 of 3 seats are assigned')
  })

  it('the same assign always carries the same Idempotency-Key', async () => {
    const keys: string[] = []
    const sku = {id: 'P1', displayName: 'P', grantsPremium: true, capabilities: [], seats: {enabled: 3, consumed: 0, available: 3}}
    for (let i = 0; i < 2; i++) {
      nock(CLUSTER)
        .get('/v1/licenses/skus/P1')
        .reply(200, sku)
        .get('/v1/users/a%40c.example/licenses')
        .reply(200, {userId: 'u1', upn: 'a@c.example', items: []})
        .post('/v1/users/u1/licenses')
        .reply(function () {
          keys.push(String(this.req.headers['idempotency-key']))
          return [201, {userId: 'u1', skuId: 'P1', assignedAt: 'x', alreadyAssigned: false, seats: sku.seats}]
        })
      await changeLicense(t.ctx, {upn: 'a@c.example', sku: 'P1'}, 'assign')
    }
    expect(keys[0]).to.match(/^ppctl-assign-/)
    expect(keys[1]).to.equal(keys[0])
  })

  it('404 for something named: No connector "nope" in <tenant>, where to look, and the platform code kept', async () => {
    nock(CLUSTER)
      .get('/v1/connectors/nope')
      .reply(...problem(404, 'CONNECTOR_NOT_FOUND', 'nope'))
    const connector = await rejection(getConnector(t.ctx, 'nope'))
    expect(connector).to.include({
      code: 'CONNECTOR_NOT_FOUND',
      exitCode: 6,
      message: `No connector "nope" in ${TENANT}.`,
      nextStep: 'See the matches: ppctl connector list --search nope',
      correlationId: 'corr-1',
    })
    nock(CLUSTER)
      .get('/v1/licenses/skus')
      .reply(200, {items: [{id: 'P1', seats: {enabled: 3, consumed: 0, available: 3}}], nextCursor: null})
      .post('/v1/users/nobody%40c.example/licenses')
      .reply(...problem(404, 'USER_NOT_FOUND', 'nobody@c.example'))
    const [row] = await assignLicenses(t.ctx, [{upn: 'nobody@c.example', sku: 'P1'}])
    expect(row.error).to.include({
      code: 'USER_NOT_FOUND',
      exitCode: 6,
      message: `No user "nobody@c.example" in ${TENANT}.`,
      nextStep: 'See the matches: ppctl user list --search nobody',
    })
    // A 404 the request did not expect (another code) keeps the platform's own words.
    nock(CLUSTER)
      .get('/v1/connectors/x')
      .reply(...problem(404, 'NOT_FOUND', 'No such endpoint'))
    expect((await rejection(getConnector(t.ctx, 'x'))).message).to.equal('Reading connector x failed: No such endpoint')
  })

  it('429 and 503 are retried, then exit 9 with a next step', async () => {
    nock(CLUSTER).get('/v1/connectors/shared_sql').times(4).reply(429, {code: 'THROTTLED'}, {'content-type': 'application/json', 'retry-after': '1'})
    const err = await rejection(getConnector(t.ctx, 'shared_sql'))
    expect(err.exitCode).to.equal(9)
    nock(CLUSTER).get('/v1/connectors/shared_sql').times(4).reply(503, 'down')
    expect((await rejection(getConnector(t.ctx, 'shared_sql'))).exitCode).to.equal(9)
  })

  it('a 500 problem: exit 9, the detail and the correlation id', async () => {
    nock(CLUSTER)
      .get('/v1/connectors/shared_sql')
      .reply(...problem(500, 'INTERNAL', 'See the platform log for the trace id.'))
    const err = await rejection(getConnector(t.ctx, 'shared_sql'))
    expect(err).to.include({exitCode: 9, correlationId: 'corr-1'})
    expect(err.message).to.equal('Reading connector shared_sql failed: See the platform log for the trace id.')
  })

  it('malformed JSON in a 200 answer: exit 9, "not valid JSON"', async () => {
    nock(CLUSTER).get('/v1/connectors/shared_sql').reply(200, '{"id": ', {'content-type': 'application/json'})
    const err = await rejection(getConnector(t.ctx, 'shared_sql'))
    expect(err).to.include({code: 'MALFORMED_RESPONSE', exitCode: 9})
    expect(err.message).to.contain('not valid JSON')
  })

  it('an HTML error page (a proxy): says so, exit 9, no HTML in the message', async () => {
    nock(CLUSTER)
      .get('/v1/connectors/shared_sql')
      .reply(500, '<html><head><title>Internal Server Error</title></head><body>nginx</body></html>', {'content-type': 'text/html'})
    const err = await rejection(getConnector(t.ctx, 'shared_sql'))
    expect(err.exitCode).to.equal(9)
    expect(err.message).to.contain('HTML page ("Internal Server Error")').and.not.to.contain('<html')
  })

  it('an escape-laden connector name from the platform is returned exact (tables sanitize it)', async () => {
    const evil = 'Evil\x1b]52;c;aGVsbG8=\x07\x1b[2J\r\u202Egnp.exe'
    nock(CLUSTER)
      .get('/v1/connectors/shared_sql')
      .reply(200, connector({displayName: evil}), {etag: '"1"'})
    expect((await getConnector(t.ctx, 'shared_sql')).displayName).to.equal(evil)
    const {renderTable} = await import('../../src/lib/output/table.js')
    const table = renderTable(['Name'], [[evil]], {columns: 80, color: false}).text
    expect(table)
      .to.contain('Evilgnp.exe')
      .and.not.to.match(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/)
  })
})
