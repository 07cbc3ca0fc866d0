// `ppctl license list` in-process: the SKU table and --json, platform text made inert, and the error answers.
import {expect} from 'chai'

import LicenseList from '../../../src/commands/license/list.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, ROUTE, type FakePlatform} from '../../helpers/fake-platform.js'
import {EVIL, expectSchema, seats, sku, TERMINAL_CONTROL} from '../../helpers/license-fixtures.js'

describe('license list (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('prints one row per SKU: what it grants and its seats', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    p.cluster.get('/v1/licenses/skus').reply(200, {
      items: [sku('POWERAPPS_PER_USER', {seats: seats(25, 24)}), sku('FLOW_FREE', {grantsPremium: false, capabilities: [], seats: seats(100, 0)})],
      nextCursor: null,
    })
    const res = await runCommand(LicenseList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.match(/Part number +│ Name +│ Grants +│ Enabled +│ Consumed +│ Available/)
    expect(res.stdout).to.match(/POWERAPPS_PER_USER +│ Name of POWERAPPS_PER_USER +│ premium-connectors, custom-connectors +│ +25 +│ +24 +│ +1\b/)
    expect(res.stdout).to.match(/FLOW_FREE +│ Name of FLOW_FREE +│ +│ +100 +│ +0 +│ +100\b/)
  })

  it('--json: the SKUs exactly, matching schemas/license-list.json, nothing on stderr', async () => {
    p = await fakePlatform()
    const items = [sku('POWERAPPS_PER_USER'), sku('FLOW_FREE', {grantsPremium: false, capabilities: []})]
    p.cluster.get('/v1/licenses/skus').reply(200, {items, nextCursor: null})
    const res = await runCommand(LicenseList, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expectSchema(res.json(), 'license-list')
    expect(res.json()).to.deep.equal({count: 2, items})
  })

  it('escape and bidi characters in platform text are inert at a terminal', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    p.cluster.get('/v1/licenses/skus').reply(200, {items: [sku('EVIL_SKU', {displayName: EVIL, capabilities: [`cap${EVIL}`]})], nextCursor: null})
    const res = await runCommand(LicenseList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.contain('EVIL_SKU')
    expect(res.stdout).not.to.match(TERMINAL_CONTROL)
  })

  it('the same text is exact in --json, yet written so a terminal would not act on it', async () => {
    p = await fakePlatform({tty: true})
    p.cluster.get('/v1/licenses/skus').reply(200, {items: [sku('EVIL_SKU', {displayName: EVIL, capabilities: [`cap${EVIL}`]})], nextCursor: null})
    const res = await runCommand(LicenseList, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).not.to.match(TERMINAL_CONTROL)
    const [item] = res.json<{items: Array<{displayName: string; capabilities: string[]}>}>().items
    expect(item.displayName).to.equal(EVIL)
    expect(item.capabilities).to.deep.equal([`cap${EVIL}`])
  })

  it('403: exit 5, the platform code and correlation id on stderr with a next step, stdout empty', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/licenses/skus').reply(...problem(403, 'FORBIDDEN', 'The caller lacks the Admin role.', 'corr-403'))
    const res = await runCommand(LicenseList, [], p)
    expect(res.code).to.equal(5)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.match(/^Error: Listing license SKUs failed: The caller lacks the Admin role\.\n {2}Next: .+\n {2}Correlation id: corr-403\n$/)
  })

  it('429 through every retry: exit 9 after 4 attempts, the waits on the fake clock; --json gives the error document', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/licenses/skus').times(4).reply(429, '', {'retry-after': '2', 'x-correlation-id': 'corr-429'})
    const res = await runCommand(LicenseList, ['--json'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([2000, 2000, 2000])
    const doc = res.json<{error: {code: string; exitCode: number; correlationId: string}}>()
    expectSchema(doc, 'error')
    expect(doc.error).to.include({code: 'THROTTLED', exitCode: 9, correlationId: 'corr-429'})
  })

  it('503 through every retry: the route is re-resolved once, still the same home, so exit 9', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/licenses/skus').times(4).reply(503, '')
    p.global.get('/v1/me/home').reply(200, ROUTE)
    const res = await runCommand(LicenseList, [], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.have.length(3)
    expect(res.stderr).to.match(/^Error: .*HTTP 503 to 4 attempts/)
  })

  it('500 is not retried: one request, exit 9 with the platform detail', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/licenses/skus').reply(...problem(500, 'INTERNAL', 'Something broke.', 'corr-500'))
    const res = await runCommand(LicenseList, [], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([])
    expect(res.stderr).to.contain('Something broke.').and.contain('corr-500')
  })

  it('an answer that is not JSON: exit 9 MALFORMED_RESPONSE, stdout empty', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/licenses/skus').reply(200, '{"items": [', {'content-type': 'application/json', 'x-correlation-id': 'corr-bad'})
    const res = await runCommand(LicenseList, [], p)
    expect(res.code).to.equal(9)
    expect(res.stdout).to.equal('')
    expect(res.stderr)
      .to.match(/^Error: Listing license SKUs failed: the platform's answer is not valid JSON\./)
      .and.contain('corr-bad')
  })

  it('an argument it does not take: exit 2 before any request', async () => {
    p = await fakePlatform()
    const res = await runCommand(LicenseList, ['POWERAPPS_PER_USER'], p)
    expect(res.code).to.equal(2)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.match(/^Error: .*POWERAPPS_PER_USER/)
  })
})
