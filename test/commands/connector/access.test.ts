// `ppctl connector access` in-process: both access checks, the facts around them (each optional for a non-admin), the words, errors.
import {expect} from 'chai'

import ConnectorAccess from '../../../src/commands/connector/access.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'
import {ACTIVE, HOSTILE, connector, jsonAgainst} from '../../helpers/connector-fixtures.js'

const UPN = 'megan.bowen@contoso.example'
const USER_ID = 'c0000000-0000-4000-8000-000000000003'

const decision = (role: string, over: Record<string, unknown> = {}) => ({
  userId: USER_ID,
  upn: UPN,
  connectorId: 'shared_sql',
  tier: 'premium',
  role,
  decision: 'allow',
  reason: 'MAKER_NOT_LICENSE_RESTRICTED',
  ...over,
})
const e3 = {
  skuId: 'ENTERPRISE_E3',
  displayName: 'Office 365 E3',
  grantsPremium: false,
  capabilities: ['standard-connectors'],
  assignedAt: '2026-01-01T00:00:00Z',
}
const sku = (id: string, grantsPremium: boolean, available = 9) => ({
  id,
  displayName: `SKU ${id}`,
  grantsPremium,
  capabilities: [],
  seats: {enabled: 10, consumed: 10 - available, available},
})

describe('connector access (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  /** The platform as an admin sees it: both checks, the connector, the user's licenses, the tenant's SKUs. */
  const admin = (appUser: Record<string, unknown>, over: {connector?: Record<string, unknown>; licenses?: unknown[]; skus?: unknown[]} = {}) =>
    p.cluster
      .post('/v1/access-checks', {userId: UPN, connectorId: 'shared_sql', role: 'app-user'})
      .reply(200, decision('app-user', appUser))
      .post('/v1/access-checks', {userId: UPN, connectorId: 'shared_sql', role: 'maker'})
      .reply(200, decision('maker'))
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql', {displayName: 'SQL Server', ...over.connector}), {etag: '"1"'})
      .get(`/v1/users/${USER_ID}/licenses`)
      .reply(200, {userId: USER_ID, upn: UPN, items: over.licenses ?? [e3]})
      .get('/v1/licenses/skus')
      .reply(200, {items: over.skus ?? [sku('ENTERPRISE_E3', false), sku('POWERAPPS_PER_USER', true), sku('DYNAMICS_365', true)]})

  it('an app user without a premium license: DENY, why, the licenses held and the SKUs to assign', async () => {
    p = await fakePlatform({tty: true, columns: 200})
    admin({decision: 'deny', reason: 'PREMIUM_LICENSE_REQUIRED', requiredCapability: 'premium-connectors'})
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.match(new RegExp(`^Decision: +DENY — ${UPN} as an app user, SQL Server \\(shared_sql\\)$`, 'm'))
    expect(res.stdout).to.match(
      /^Why: +premium connector; megan\.bowen@contoso\.example holds no SKU that grants premium connectors \(holds ENTERPRISE_E3\); a maker would be allowed$/m,
    )
    expect(res.stdout).to.match(/^Reason code: +PREMIUM_LICENSE_REQUIRED$/m)
    expect(res.stdout).to.match(/^Licenses: +ENTERPRISE_E3$/m)
    expect(res.stdout).to.match(
      new RegExp(`^Next: +Assign POWERAPPS_PER_USER or DYNAMICS_365: ppctl license assign --user ${UPN} --sku POWERAPPS_PER_USER$`, 'm'),
    )
  })

  it('advises only SKUs with a seat left, so the command it shows works', async () => {
    p = await fakePlatform()
    const skus = [sku('ENTERPRISE_E3', false), sku('POWERAPPS_PER_USER', true, 0), sku('DYNAMICS_365', true, 1)]
    admin({decision: 'deny', reason: 'PREMIUM_LICENSE_REQUIRED'}, {skus})
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN, '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(jsonAgainst<Record<string, unknown>>(res, 'connector-access')).to.include({
      nextStep: `Assign DYNAMICS_365: ppctl license assign --user ${UPN} --sku DYNAMICS_365`,
    })
  })

  it('every premium SKU fully assigned: the next step is to free a seat, not an assignment that would fail', async () => {
    p = await fakePlatform()
    const skus = [sku('ENTERPRISE_E3', false), sku('POWERAPPS_PER_USER', true, 0), sku('DYNAMICS_365', true, 0)]
    admin({decision: 'deny', reason: 'PREMIUM_LICENSE_REQUIRED'}, {skus})
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN, '-o', 'table'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(
      /^Next: +Every SKU that grants premium connectors \(POWERAPPS_PER_USER, DYNAMICS_365\) has all its seats assigned: revoke one \(ppctl license revoke --user UPN --sku POWERAPPS_PER_USER\) or buy more seats\.$/m,
    )
    expect(res.stdout).not.to.contain('license assign')
  })

  it('--json (not a terminal): the explanation as the schema says, the other role included', async () => {
    p = await fakePlatform()
    admin({decision: 'deny', reason: 'PREMIUM_LICENSE_REQUIRED'}, {licenses: []})
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN, '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(jsonAgainst(res, 'connector-access')).to.deep.equal({
      connectorId: 'shared_sql',
      connectorName: 'SQL Server',
      upn: UPN,
      userId: USER_ID,
      role: 'app-user',
      tier: 'premium',
      decision: 'deny',
      reason: 'PREMIUM_LICENSE_REQUIRED',
      explanation: `premium connector; ${UPN} holds no SKU that grants premium connectors (holds no license at all); a maker would be allowed`,
      otherRole: {role: 'maker', decision: 'allow', reason: 'MAKER_NOT_LICENSE_RESTRICTED'},
      licenses: [],
      premiumSkus: ['POWERAPPS_PER_USER', 'DYNAMICS_365'],
      nextStep: `Assign POWERAPPS_PER_USER or DYNAMICS_365: ppctl license assign --user ${UPN} --sku POWERAPPS_PER_USER`,
    })
  })

  it('a blocked connector: DENY for everyone, and the next step is to unblock it', async () => {
    p = await fakePlatform()
    admin({decision: 'deny', reason: 'CONNECTOR_BLOCKED'}, {connector: {blocked: true}})
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN, '-o', 'table'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/^Why: +SQL Server \(shared_sql\) is blocked in this tenant, for every user and every app$/m)
    expect(res.stdout).to.match(/^Next: +An admin can unblock it: ppctl connector unblock shared_sql$/m)
  })

  it('--as maker, asked by a maker: the reads an admin may make are refused (403) and the answer is still given', async () => {
    p = await fakePlatform()
    p.cluster
      .post('/v1/access-checks', {userId: UPN, connectorId: 'shared_sql', role: 'maker'})
      .reply(200, decision('maker'))
      .post('/v1/access-checks', {userId: UPN, connectorId: 'shared_sql', role: 'app-user'})
      .reply(200, decision('app-user', {decision: 'deny', reason: 'PREMIUM_LICENSE_REQUIRED'}))
      .get('/v1/connectors/shared_sql')
      .reply(...problem(403, 'FORBIDDEN', 'Admin or Maker only.'))
      .get(`/v1/users/${USER_ID}/licenses`)
      .reply(...problem(403, 'FORBIDDEN', 'Admins only.'))
      .get('/v1/licenses/skus')
      .reply(...problem(403, 'FORBIDDEN', 'Admins only.'))
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN, '--as', 'maker', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    const out = jsonAgainst<Record<string, unknown>>(res, 'connector-access')
    expect(out).to.include({decision: 'allow', role: 'maker', reason: 'MAKER_NOT_LICENSE_RESTRICTED'})
    expect(out.explanation).to.equal(
      'premium connector; makers may use every connector that is not blocked, whatever their licenses; an app user would be denied',
    )
    expect(out).not.to.have.any.keys('connectorName', 'premiumSkus', 'nextStep')
  })

  it('the access check answers 403 (asking about someone else, not an admin): exit 5', async () => {
    p = await fakePlatform()
    p.cluster.post('/v1/access-checks').reply(...problem(403, 'FORBIDDEN', 'Only admins ask about other users.', 'corr-a403'))
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', 'someone@contoso.example'], p)
    expect(res.code).to.equal(5)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.equal(
      'Error: Checking access of someone@contoso.example to shared_sql failed: Only admins ask about other users.\n  Next: Ask an administrator of the tenant for the role this needs.\n  Correlation id: corr-a403\n',
    )
  })

  it('an unknown user or connector (404): exit 6 with the platform code in --json', async () => {
    p = await fakePlatform()
    p.cluster.post('/v1/access-checks').reply(...problem(404, 'USER_NOT_FOUND', 'No user nobody@contoso.example.'))
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', 'nobody@contoso.example', '--json'], p)
    expect(res.code).to.equal(6)
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({code: 'USER_NOT_FOUND', exitCode: 6})
  })

  it('a fact read failing other than 403 fails the command (a 404 on the connector: exit 6)', async () => {
    p = await fakePlatform()
    p.cluster
      .post('/v1/access-checks')
      .times(2)
      .reply(200, decision('app-user'))
      .get('/v1/connectors/shared_sql')
      .reply(...problem(404, 'CONNECTOR_NOT_FOUND', 'Gone.'))
      .get(`/v1/users/${USER_ID}/licenses`)
      .optionally()
      .reply(200, {userId: USER_ID, upn: UPN, items: []})
      .get('/v1/licenses/skus')
      .optionally()
      .reply(200, {items: []})
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN], p)
    expect(res.code).to.equal(6)
    expect(res.stderr).to.match(/^Error: No connector "shared_sql" in contoso\.\n {2}Next: See the matches: ppctl connector list --search shared_sql\n/)
  })

  it('429 on the SKU list every time: the reads are retried on the fake clock, then exit 9', async () => {
    p = await fakePlatform()
    p.cluster
      .post('/v1/access-checks')
      .times(2)
      .reply(200, decision('app-user'))
      .get('/v1/connectors/shared_sql')
      .reply(200, connector('shared_sql'), {etag: '"1"'})
      .get(`/v1/users/${USER_ID}/licenses`)
      .reply(200, {userId: USER_ID, upn: UPN, items: []})
      .get('/v1/licenses/skus')
      .times(4)
      .reply(429, {code: 'THROTTLED'}, {'content-type': 'application/problem+json', 'retry-after': '3'})
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN, '--json'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([3000, 3000, 3000])
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({code: 'THROTTLED', exitCode: 9})
  })

  it('503 on the access check (a POST): sent once, exit 9', async () => {
    p = await fakePlatform()
    p.cluster.post('/v1/access-checks').reply(...problem(503, 'UNAVAILABLE', 'Busy.'))
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([])
  })

  it('the access check answer is not JSON: exit 9 MALFORMED_RESPONSE', async () => {
    p = await fakePlatform()
    p.cluster.post('/v1/access-checks').reply(200, 'allow', {'content-type': 'text/plain'})
    const res = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN], p)
    expect(res.code).to.equal(9)
    expect(res.stderr).to.contain(`Checking access of ${UPN} to shared_sql failed: the platform's answer is not valid JSON.`)
  })

  for (const [what, argv, mentions] of [
    ['no --user', ['shared_sql'], /user/],
    ['an unknown role', ['shared_sql', '--user', UPN, '--as', 'admin'], /admin|--as/],
    ['no connector id', ['--user', UPN], /id/],
  ] as const) {
    it(`${what}: exit 2 before any request`, async () => {
      p = await fakePlatform()
      const res = await runCommand(ConnectorAccess, [...argv], p)
      expect(res.code).to.equal(2)
      expect(res.stdout).to.equal('')
      expect(res.stderr)
        .to.match(/^Error: /)
        .and.match(mentions)
    })
  }

  it('platform text is inert in the block and exact in --json', async () => {
    p = await fakePlatform({tty: true, columns: 200})
    admin(
      {decision: 'allow', reason: 'PREMIUM_LICENSE_HELD', skuId: 'POWERAPPS_PER_USER'},
      {connector: {displayName: HOSTILE}, licenses: [{...e3, skuId: 'POWERAPPS_PER_USER', displayName: HOSTILE}]},
    )
    const human = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN], p)
    expect(human.code, human.stderr).to.equal(0)
    expect(human.stdout).not.to.match(ACTIVE)
    expect(human.stdout).to.match(/^Decision: +ALLOW — .* as an app user, Evil.* end \(shared_sql\)$/m)
    const q = await fakePlatform({tty: true})
    admin(
      {decision: 'allow', reason: 'PREMIUM_LICENSE_HELD', skuId: 'POWERAPPS_PER_USER'},
      {connector: {displayName: HOSTILE}, licenses: [{...e3, skuId: 'POWERAPPS_PER_USER', displayName: HOSTILE}]},
    )
    const json = await runCommand(ConnectorAccess, ['shared_sql', '--user', UPN, '--json'], q)
    q.cleanup()
    expect(json.stdout).not.to.match(ACTIVE)
    const out = json.json<{connectorName: string; explanation: string}>()
    expect(out.connectorName).to.equal(HOSTILE)
    expect(out.explanation).to.equal(`premium connector; ${UPN} holds POWERAPPS_PER_USER (${HOSTILE}), which grants premium connectors`)
  })
})
