// Environments, flows, DLP policies, the batch apply and block/unblock as the managed policy, against a real platform (its data replicated like any tenant data).
// One platform for the file: each test makes its own environments, policies and flows (scoped to its own environments), so none sees another's.
import {expect} from 'chai'
import {randomUUID} from 'node:crypto'

import {caughtUp, CONTOSO, startClusterPlatform, type ClusterPlatform, type Json} from '../helpers/cluster-platform.js'
import {deviceSignIn} from '../helpers/tokens.js'

const ADMIN = 'admin@contoso.example'
const MAKER = 'maker@contoso.example'

describe('governance API: environments, flows and DLP policies (real platform)', function () {
  // A platform and several sign-ins on a loaded machine: a limit, not a threshold.
  this.timeout(300_000)
  let c: ClusterPlatform

  before(async () => {
    // Hundreds of requests from one token: the documented setting raises the gateway's rate limit for this platform.
    c = await startClusterPlatform({PPCTL_SANDBOX_RATE_LIMIT: '1000:2000'})
    c.tokens[MAKER] = (await deviceSignIn(c.client, c.platform, MAKER)).access_token
  })
  after(async () => c?.stop())

  async function call(upn: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, cluster = 'eastus-1') {
    const res = await c.client.fetch(`https://${c.host(cluster)}${path}`, {
      method,
      headers: {authorization: `Bearer ${c.tokens[upn]}`, ...(body === undefined ? {} : {'content-type': 'application/json'}), ...headers},
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await res.text()
    return {
      status: res.status,
      headers: res.headers as unknown as Headers,
      type: res.headers.get('content-type') ?? '',
      body: (text ? JSON.parse(text) : {}) as Json,
    }
  }
  const admin = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(ADMIN, method, path, body, headers)
  const maker = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(MAKER, method, path, body, headers)
  const unique = (name: string) => `${name} ${randomUUID().slice(0, 8)}`

  async function newEnv(name: string, extra: Json = {}): Promise<Json> {
    const res = await admin('POST', '/v1/environments', {displayName: unique(name), type: 'production', ...extra})
    expect(res.status, JSON.stringify(res.body)).to.equal(201)
    return res.body
  }
  async function newFlow(upn: string, env: string, connectors: Json[], name = 'Flow'): Promise<Json> {
    const res = await call(upn, 'POST', '/v1/flows', {displayName: unique(name), environmentId: env, connectors})
    expect(res.status, JSON.stringify(res.body)).to.equal(201)
    return res.body
  }
  const onlyIn = (env: string, p: Json): Json => ({environmentScope: 'only', environments: [env], defaultGroup: 'nonBusiness', ...p})
  async function newPolicy(p: Json): Promise<Json> {
    const res = await admin('POST', '/v1/dlp/policies', p)
    expect(res.status, JSON.stringify(res.body)).to.equal(201)
    return res.body
  }
  const flowOf = async (id: string) => (await admin('GET', `/v1/flows/${id}`)).body
  const lastSeq = async () => {
    let after = 0
    for (;;) {
      const page = await admin('GET', `/v1/audit/events?after=${after}&limit=200`)
      if (page.body.items.length === 0) return after
      after = page.body.items.at(-1).seq
    }
  }
  const auditAfter = async (seq: number, action: string) =>
    (await admin('GET', `/v1/audit/events?after=${seq}&action=${encodeURIComponent(action)}&limit=200`)).body.items as Json[]

  describe('environments', () => {
    it('every tenant has exactly one default environment, which cannot be deleted; the seed has flows in it', async () => {
      const list = await maker('GET', '/v1/environments?limit=200')
      expect(list.status).to.equal(200)
      const defaults = list.body.items.filter((e: Json) => e.isDefault)
      expect(defaults).to.have.length(1)
      expect(defaults[0]).to.include({id: 'default', type: 'default', securityGroupId: null, createdBy: 'system'})
      expect(list.body.items[0].id).to.equal('default')
      const del = await admin('DELETE', '/v1/environments/default')
      expect(del.status).to.equal(422)
      expect(del.body.code).to.equal('DEFAULT_ENVIRONMENT')
      expect(del.type).to.contain('application/problem+json')
      const flows = await maker('GET', '/v1/flows?environment=default&limit=200')
      expect(flows.body.items.map((f: Json) => f.id)).to.include.members([
        'flow-invoice-approvals',
        'flow-social-digest',
        'flow-order-sync',
        'flow-file-backup',
      ])
      const groups = await admin('GET', '/v1/groups/grp-finance')
      expect(groups.body.members.map((m: Json) => m.upn))
        .to.include(ADMIN)
        .and.not.include(MAKER)
    })

    it('creates under an Idempotency-Key (a retry replays), reads with an ETag, is Admin-only to write, refuses bad input with 4xx', async () => {
      const key = randomUUID()
      const name = unique('Finance')
      const body = {displayName: name, type: 'production', securityGroupId: 'grp-finance'}
      const first = await admin('POST', '/v1/environments', body, {'idempotency-key': key})
      expect(first.status).to.equal(201)
      expect(first.body).to.include({
        displayName: name,
        type: 'production',
        securityGroupId: 'grp-finance',
        isDefault: false,
        createdBy: 'c0000000-0000-4000-8000-000000000001',
      })
      expect(first.headers.get('etag')).to.equal(first.body.etag)
      const again = await admin('POST', '/v1/environments', body, {'idempotency-key': key})
      expect(again.status).to.equal(201)
      expect(again.body.id).to.equal(first.body.id)
      expect(again.headers.get('idempotent-replayed')).to.equal('true')
      const byName = await maker('GET', `/v1/environments/${encodeURIComponent(name.toUpperCase())}`)
      expect(byName.body.id).to.equal(first.body.id)
      expect(byName.headers.get('etag')).to.equal('"1"')

      expect((await maker('POST', '/v1/environments', {displayName: unique('Nope'), type: 'sandbox'})).body.code).to.equal('ROLE_FORBIDDEN')
      const refusals: Array<[Json | string, number, string]> = [
        [{displayName: name, type: 'sandbox'}, 409, 'ENVIRONMENT_EXISTS'],
        [{displayName: unique('Dev'), type: 'developer', securityGroupId: 'grp-finance'}, 422, 'SECURITY_GROUP_NOT_ALLOWED'],
        [{displayName: unique('X'), type: 'production', securityGroupId: 'grp-nope'}, 422, 'GROUP_NOT_FOUND'],
        [{displayName: unique('X'), type: 'default'}, 400, 'INVALID_BODY'],
        [{displayName: '', type: 'production'}, 400, 'INVALID_BODY'],
        [{displayName: unique('X'), type: 'production', id: 'Bad Id'}, 400, 'INVALID_BODY'],
        [{displayName: unique('X'), type: 'production', color: 'red'}, 400, 'INVALID_BODY'],
        ['[1, 2', 400, 'INVALID_BODY'],
      ]
      for (const [input, status, code] of refusals) {
        const res = await admin('POST', '/v1/environments', input)
        expect([res.status, res.body.code], JSON.stringify(input)).to.deep.equal([status, code])
        expect(res.type).to.contain('application/problem+json')
      }

      const patchNoEtag = await admin('PATCH', `/v1/environments/${first.body.id}`, {displayName: unique('Renamed')})
      expect(patchNoEtag.status).to.equal(428)
      const stale = await admin('PATCH', `/v1/environments/${first.body.id}`, {displayName: unique('Renamed')}, {'if-match': '"9"'})
      expect([stale.status, stale.body.code, stale.body.currentEtag]).to.deep.equal([412, 'PRECONDITION_FAILED', '"1"'])
      const del = await admin('DELETE', `/v1/environments/${first.body.id}`, undefined, {'if-match': '"1"'})
      expect(del.status).to.equal(204)
      expect((await maker('GET', `/v1/environments/${first.body.id}`)).body.code).to.equal('ENVIRONMENT_NOT_FOUND')
    })

    it('custom connectors belong to an environment (the default one unless told); deleting one takes it out of every policy', async () => {
      const env = await newEnv('Custom')
      const made = await maker('POST', '/v1/connectors', {displayName: 'Billing API', environmentId: env.id, hostUrl: 'https://billing.contoso.example/v2'})
      expect(made.status, JSON.stringify(made.body)).to.equal(201)
      expect(made.body).to.include({tier: 'custom', environmentId: env.id, hostUrl: 'https://billing.contoso.example', endpointFiltering: false})
      const plain = await maker('POST', '/v1/connectors', {displayName: 'Plain API'})
      expect(plain.body.environmentId).to.equal('default')
      const inEnv = (await maker('GET', `/v1/connectors?environment=${env.id}&tier=custom&limit=200`)).body.items.map((x: Json) => x.id)
      expect(inEnv).to.include(made.body.id).and.not.include(plain.body.id)
      const elsewhere = await maker('POST', '/v1/flows', {displayName: 'Elsewhere', connectors: [{id: made.body.id}]})
      expect([elsewhere.status, elsewhere.body.code]).to.deep.equal([422, 'CONNECTOR_NOT_IN_ENVIRONMENT'])
      const policy = await newPolicy(onlyIn(env.id, {displayName: unique('Custom'), groups: {business: [made.body.id, 'shared_sql']}}))
      const seq = await lastSeq()
      expect((await maker('DELETE', `/v1/connectors/${made.body.id}`)).status).to.equal(204)
      const after = (await admin('GET', `/v1/dlp/policies/${policy.id}`)).body
      expect(after.groups.business).to.deep.equal(['shared_sql'])
      expect(after.etag).to.equal('"2"')
      const [event] = await auditAfter(seq, 'dlp.policy.updated')
      expect(event.details).to.deep.include({cause: 'connector.deleted', connectors: [made.body.id]})
      expect(event.details.before.groups.business).to.include(made.body.id)
      expect((await maker('POST', '/v1/connectors', {displayName: 'Bad host', hostUrl: 'http://plain.example'})).body.code).to.equal('INVALID_BODY')
      expect((await maker('POST', '/v1/connectors', {displayName: 'No env', environmentId: 'nope'})).body.code).to.equal('ENVIRONMENT_NOT_FOUND')
    })

    it('changing the security group is audited with before and after, suspends the flows of non-members and resumes them', async () => {
      const env = await newEnv('Restrictable')
      const flow = await newFlow(MAKER, env.id, [{id: 'shared_planner'}])
      const seq = await lastSeq()
      const restrict = await admin('PATCH', `/v1/environments/${env.id}`, {securityGroupId: 'grp-finance'}, {'if-match': env.etag})
      expect(restrict.status, JSON.stringify(restrict.body)).to.equal(200)
      expect(restrict.body.environment.securityGroupId).to.equal('grp-finance')
      expect(restrict.body.suspended.map((f: Json) => f.id)).to.deep.equal([flow.id])
      expect(restrict.body.suspended[0]).to.include({reason: 'SECURITY_GROUP', ownerUpn: MAKER})
      const [updated] = await auditAfter(seq, 'environment.updated')
      expect(updated.details.before.securityGroupId).to.equal(null)
      expect(updated.details.after.securityGroupId).to.equal('grp-finance')
      expect((await flowOf(flow.id)).suspension.reason).to.equal('SECURITY_GROUP')
      const suspended = await auditAfter(seq, 'flow.suspended')
      expect(suspended.map((e) => e.target.id)).to.deep.equal([flow.id])

      const open = await admin('PATCH', `/v1/environments/${env.id}`, {securityGroupId: null}, {'if-match': restrict.body.environment.etag})
      expect(open.body.resumed.map((f: Json) => f.id)).to.deep.equal([flow.id])
      expect((await flowOf(flow.id)).state).to.equal('on')
      expect((await auditAfter(seq, 'flow.resumed')).map((e) => e.target.id)).to.deep.equal([flow.id])
    })
  })

  describe('flows', () => {
    it("refuses a flow whose owner the environment's security group does not admit, and takes one from a member", async () => {
      const env = await newEnv('Finance only', {securityGroupId: 'grp-finance'})
      const refused = await maker('POST', '/v1/flows', {displayName: 'Budget', environmentId: env.id, connectors: [{id: 'shared_sql'}]})
      expect(refused.status).to.equal(403)
      expect(refused.body).to.include({code: 'ENVIRONMENT_ACCESS_DENIED', environmentId: env.id, securityGroupId: 'grp-finance'})
      expect(refused.type).to.contain('application/problem+json')
      const byAdmin = await newFlow(ADMIN, env.id, [{id: 'shared_sql'}], 'Budget')
      expect(byAdmin).to.include({environmentId: env.id, ownerUpn: ADMIN, state: 'on', suspension: null})
      // An Admin naming a non-member as owner is refused the same way.
      const forMaker = await admin('POST', '/v1/flows', {displayName: 'For maker', environmentId: env.id, ownerId: MAKER, connectors: [{id: 'shared_sql'}]})
      expect(forMaker.body.code).to.equal('ENVIRONMENT_ACCESS_DENIED')
    })

    it('refuses a flow a policy of its environment forbids with 403 DLP_VIOLATION naming the policy, the groups and the connectors', async () => {
      const env = await newEnv('Strict')
      const policy = await newPolicy(
        onlyIn(env.id, {displayName: unique('Strict'), groups: {business: ['shared_sharepointonline'], nonBusiness: ['shared_twitter']}}),
      )
      const refused = await maker('POST', '/v1/flows', {
        displayName: 'Leak',
        environmentId: env.id,
        connectors: [{id: 'shared_sharepointonline'}, {id: 'shared_twitter'}],
      })
      expect(refused.status).to.equal(403)
      expect(refused.body).to.include({code: 'DLP_VIOLATION', policyId: policy.id, policyName: policy.displayName})
      expect(refused.body.groups).to.deep.equal({shared_sharepointonline: 'business', shared_twitter: 'nonBusiness'})
      expect(refused.body.connectors).to.deep.equal(['shared_sharepointonline', 'shared_twitter'])
      expect(refused.body.violations[0].fixes).to.have.length(2)
      // The same connectors in another environment are fine: the policy is only this one's.
      const other = await newEnv('Lenient')
      await newFlow(MAKER, other.id, [{id: 'shared_sharepointonline'}, {id: 'shared_twitter'}])
      // A change to a flow is checked too.
      const ok = await newFlow(MAKER, env.id, [{id: 'shared_sharepointonline'}])
      const change = await maker('PATCH', `/v1/flows/${ok.id}`, {connectors: [{id: 'shared_sharepointonline'}, {id: 'shared_twitter'}]}, {'if-match': ok.etag})
      expect([change.status, change.body.code]).to.deep.equal([403, 'DLP_VIOLATION'])
      expect((await flowOf(ok.id)).connectors).to.deep.equal([{id: 'shared_sharepointonline'}])
    })

    it('suspends existing flows a policy change makes non-compliant (audited with before/after) and resumes them when compliant again', async () => {
      const env = await newEnv('Suspending')
      const mixed = await newFlow(MAKER, env.id, [{id: 'shared_sharepointonline'}, {id: 'shared_gmail'}], 'Mixed')
      const clean = await newFlow(MAKER, env.id, [{id: 'shared_sharepointonline'}], 'Clean')
      const seq = await lastSeq()
      const policy = await newPolicy(onlyIn(env.id, {displayName: unique('No gmail with SharePoint'), groups: {business: ['shared_sharepointonline']}}))
      const created = await auditAfter(seq, 'dlp.policy.created')
      expect(created.map((e) => e.target.id)).to.deep.equal([policy.id])
      expect(created[0].details.after.groups.business).to.deep.equal(['shared_sharepointonline'])
      const suspended = await flowOf(mixed.id)
      expect(suspended.state).to.equal('suspended')
      expect(suspended.suspension).to.include({reason: 'DLP_VIOLATION', policyId: policy.id, policyName: policy.displayName})
      expect((await flowOf(clean.id)).state).to.equal('on')
      const events = await auditAfter(seq, 'flow.suspended')
      expect(events.map((e) => e.target.id)).to.deep.equal([mixed.id])
      expect(events[0].details).to.deep.include({reason: 'DLP_VIOLATION', policyId: policy.id, before: {state: 'on'}})
      expect(events[0].details.after).to.deep.equal({state: 'suspended', reason: 'DLP_VIOLATION', policyId: policy.id})
      const listed = await maker('GET', `/v1/flows?environment=${env.id}&state=suspended`)
      expect(listed.body.items.map((f: Json) => f.id)).to.deep.equal([mixed.id])

      const fixed = await admin(
        'PUT',
        `/v1/dlp/policies/${policy.id}`,
        onlyIn(env.id, {displayName: policy.displayName, groups: {business: ['shared_sharepointonline', 'shared_gmail']}}),
        {'if-match': policy.etag},
      )
      expect(fixed.status, JSON.stringify(fixed.body)).to.equal(200)
      expect(fixed.headers.get('etag')).to.equal('"2"')
      const [updated] = await auditAfter(seq, 'dlp.policy.updated')
      expect(updated.details.before.groups.business).to.deep.equal(['shared_sharepointonline'])
      expect(updated.details.after.groups.business).to.deep.equal(['shared_sharepointonline', 'shared_gmail'])
      expect((await flowOf(mixed.id)).state).to.equal('on')
      expect((await auditAfter(seq, 'flow.resumed')).map((e) => e.target.id)).to.deep.equal([mixed.id])
    })

    it('explains a decision: policy, groups, pair and what would make it pass, for a connector list and for a flow by name', async () => {
      const env = await newEnv('Explained')
      const policy = await newPolicy(
        onlyIn(env.id, {
          displayName: unique('Explain'),
          groups: {business: ['shared_sql'], blocked: ['shared_dropbox']},
          connectorRules: [
            {
              connectorId: 'shared_webcontents',
              endpointRules: [
                {order: 1, endpoint: 'https://*.contoso.example/*', behavior: 'allow'},
                {order: 2, endpoint: '*', behavior: 'deny'},
              ],
            },
          ],
        }),
      )
      const res = await maker('POST', '/v1/dlp/evaluate', {environmentId: env.id, connectors: ['shared_sql', 'shared_twitter', 'shared_dropbox']})
      expect(res.status).to.equal(200)
      expect(res.body.allowed).to.equal(false)
      expect(res.body.violations.map((v: Json) => `${v.kind} ${v.policyId} ${v.connectors.join(',')}`)).to.deep.equal([
        `CONNECTOR_BLOCKED ${policy.id} shared_dropbox`,
        `GROUP_CONFLICT ${policy.id} shared_sql,shared_twitter`,
      ])
      expect(res.body.policies.find((p: Json) => p.id === policy.id).groups).to.deep.equal({
        shared_sql: 'business',
        shared_twitter: 'nonBusiness',
        shared_dropbox: 'blocked',
      })
      expect(res.body.violations[1].fixes[0]).to.contain('move it to the business group')
      const endpoint = await maker('POST', '/v1/dlp/evaluate', {
        environmentId: env.id,
        connectors: [{id: 'shared_webcontents', endpoints: ['https://paste.example/x']}],
      })
      expect(endpoint.body.violations[0]).to.include({kind: 'ENDPOINT_BLOCKED', endpoint: 'https://paste.example/x'})
      expect(endpoint.body.violations[0].rule).to.deep.equal({order: 2, endpoint: '*', behavior: 'deny'})
      const flow = await newFlow(MAKER, env.id, [{id: 'shared_sql'}], 'Explain me')
      const byName = await maker('POST', '/v1/dlp/evaluate', {flow: flow.displayName})
      expect(byName.body).to.include({flowId: flow.id, environmentId: env.id, allowed: true})
    })

    it('the access check takes an environment and a connector set, and gives licence, security group and DLP together', async () => {
      const env = await newEnv('Access', {securityGroupId: 'grp-finance'})
      await newPolicy(onlyIn(env.id, {displayName: unique('Access'), groups: {business: ['shared_sql']}}))
      const res = await admin('POST', '/v1/access-checks', {
        userId: 'user@contoso.example',
        role: 'app-user',
        environmentId: env.id,
        connectorIds: ['shared_sql', 'shared_rss'],
      })
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body).to.include({environmentId: env.id, decision: 'deny'})
      expect(res.body.reasons).to.have.members(['PREMIUM_LICENSE_REQUIRED', 'DLP_VIOLATION', 'ENVIRONMENT_ACCESS_DENIED'])
      expect(res.body.environment).to.deep.equal({allowed: false, securityGroupId: 'grp-finance', reason: 'NOT_A_MEMBER'})
      expect(res.body.licenses.map((l: Json) => `${l.connectorId} ${l.reason}`)).to.deep.equal([
        'shared_sql PREMIUM_LICENSE_REQUIRED',
        'shared_rss STANDARD_CONNECTOR',
      ])
      expect(res.body.dlp.violations[0]).to.include({kind: 'GROUP_CONFLICT'})
      // The single-connector form keeps its answer.
      const single = await admin('POST', '/v1/access-checks', {userId: 'user@contoso.example', role: 'app-user', connectorId: 'shared_rss'})
      expect(single.body).to.deep.equal({
        userId: 'c0000000-0000-4000-8000-000000000003',
        upn: 'user@contoso.example',
        connectorId: 'shared_rss',
        tier: 'standard',
        role: 'app-user',
        decision: 'allow',
        reason: 'STANDARD_CONNECTOR',
      })
    })
  })

  describe('DLP policies and the batch apply', () => {
    it('validates a policy: a connector in two groups, an unblockable one blocked, endpoint rules not ending in *, unknown names', async () => {
      const env = await newEnv('Validated')
      const base = onlyIn(env.id, {displayName: unique('Bad')})
      const cases: Array<[Json, number, string]> = [
        [{...base, groups: {business: ['shared_sql'], nonBusiness: ['shared_sql']}}, 400, 'INVALID_BODY'],
        [{...base, groups: {blocked: ['shared_approvals']}}, 422, 'UNBLOCKABLE_CONNECTOR'],
        [
          {...base, connectorRules: [{connectorId: 'shared_webcontents', endpointRules: [{order: 1, endpoint: 'https://a.example/*', behavior: 'allow'}]}]},
          400,
          'INVALID_BODY',
        ],
        [
          {...base, connectorRules: [{connectorId: 'shared_rss', endpointRules: [{order: 1, endpoint: '*', behavior: 'deny'}]}]},
          422,
          'ENDPOINT_FILTERING_UNSUPPORTED',
        ],
        [{...base, groups: {business: ['shared_nope']}}, 422, 'CONNECTOR_NOT_FOUND'],
        [{...base, environments: ['no-such-env']}, 422, 'ENVIRONMENT_NOT_FOUND'],
        [{...base, environmentScope: 'all'}, 400, 'INVALID_BODY'],
        [{...base, environmentScope: 'some'}, 400, 'INVALID_BODY'],
        [{...base, defaultGroup: 'secret'}, 400, 'INVALID_BODY'],
        [{...base, customConnectorUrlPatterns: [{order: 1, hostUrlPattern: 'https://*.contoso.example', dataGroup: 'business'}]}, 400, 'INVALID_BODY'],
        [{...base, extra: 1}, 400, 'INVALID_BODY'],
        [{...base, id: 'Not Valid'}, 400, 'INVALID_BODY'],
      ]
      for (const [input, status, code] of cases) {
        const res = await admin('POST', '/v1/dlp/policies', input)
        expect([res.status, res.body.code], JSON.stringify(input)).to.deep.equal([status, code])
        expect(res.type).to.contain('application/problem+json')
      }
      const taken = await newPolicy({...base, id: `taken-${randomUUID().slice(0, 8)}`})
      expect((await admin('POST', '/v1/dlp/policies', {...base, id: taken.id})).body.code).to.equal('POLICY_EXISTS')
      expect((await admin('PUT', `/v1/dlp/policies/${taken.id}`, base)).status).to.equal(428)
      expect((await admin('DELETE', `/v1/dlp/policies/${taken.id}`, undefined, {'if-match': '"7"'})).body).to.include({
        status: 412,
        policyId: taken.id,
        currentEtag: '"1"',
      })
      expect((await maker('GET', '/v1/dlp/policies')).body.code).to.equal('ROLE_FORBIDDEN')
      expect((await admin('GET', '/v1/dlp/policies/no-such-policy')).body.code).to.equal('POLICY_NOT_FOUND')
    })

    it('applies all or nothing: a stale ETag answers 412 naming the policy and nothing is applied', async () => {
      const env = await newEnv('Batch')
      const a = await newPolicy(onlyIn(env.id, {displayName: unique('A')}))
      const b = await newPolicy(onlyIn(env.id, {displayName: unique('B')}))
      const flow = await newFlow(MAKER, env.id, [{id: 'shared_sharepointonline'}, {id: 'shared_gmail'}])
      const seq = await lastSeq()
      const res = await admin('POST', '/v1/dlp/apply', {
        operations: [
          {op: 'create', policy: onlyIn(env.id, {displayName: unique('New'), groups: {business: ['shared_sharepointonline']}})},
          {op: 'update', id: a.id, etag: a.etag, policy: onlyIn(env.id, {displayName: a.displayName, groups: {blocked: ['shared_gmail']}})},
          {op: 'delete', id: b.id, etag: '"5"'},
        ],
      })
      expect(res.status).to.equal(412)
      expect(res.body).to.include({code: 'PRECONDITION_FAILED', policyId: b.id, currentEtag: '"1"', operationIndex: 2})
      expect(res.body.detail).to.contain('Nothing was applied')
      expect((await admin('GET', `/v1/dlp/policies?environment=${env.id}`)).body.items.map((p: Json) => p.id)).to.have.members([
        a.id,
        b.id,
        'tenant-blocked-connectors',
      ])
      expect((await admin('GET', `/v1/dlp/policies/${a.id}`)).body.etag).to.equal('"1"')
      expect((await flowOf(flow.id)).state).to.equal('on')
      expect(await lastSeq()).to.equal(seq + 1) // only the refusal's request.refused
      expect((await auditAfter(seq, 'request.refused'))[0].details).to.include({status: 412, code: 'PRECONDITION_FAILED'})
    })

    it('dryRun gives the same answer as the apply and changes nothing; the apply then lists what changed and the flows suspended', async () => {
      const env = await newEnv('Plan')
      const a = await newPolicy(onlyIn(env.id, {displayName: unique('A'), groups: {business: ['shared_sharepointonline', 'shared_gmail']}}))
      const flow = await newFlow(MAKER, env.id, [{id: 'shared_sharepointonline'}, {id: 'shared_gmail'}])
      const operations = [
        {op: 'update', id: a.id, etag: a.etag, policy: onlyIn(env.id, {displayName: a.displayName, groups: {business: ['shared_sharepointonline']}})},
        {op: 'create', policy: onlyIn(env.id, {id: `new-${randomUUID().slice(0, 8)}`, displayName: unique('New'), groups: {blocked: ['shared_ftp']}})},
      ]
      const seq = await lastSeq()
      const plan = await admin('POST', '/v1/dlp/apply', {dryRun: true, operations})
      expect(plan.status, JSON.stringify(plan.body)).to.equal(200)
      expect(plan.body.dryRun).to.equal(true)
      expect(plan.body.changes.map((ch: Json) => `${ch.op} ${ch.id} ${ch.changed}`)).to.deep.equal([
        `update ${a.id} true`,
        `create ${operations[1].policy.id} true`,
      ])
      expect(plan.body.changes[0].before.groups.business).to.deep.equal(['shared_sharepointonline', 'shared_gmail'])
      expect(plan.body.changes[0].after.groups.business).to.deep.equal(['shared_sharepointonline'])
      expect(plan.body.suspended.map((f: Json) => f.id)).to.deep.equal([flow.id])
      // Nothing changed: the policy, the flow, the audit log.
      expect((await admin('GET', `/v1/dlp/policies/${a.id}`)).body.etag).to.equal(a.etag)
      expect((await admin('GET', `/v1/dlp/policies/${operations[1].policy.id}`)).status).to.equal(404)
      expect((await flowOf(flow.id)).state).to.equal('on')
      const afterPlan = await lastSeq()
      expect(afterPlan).to.equal(seq + 1) // the 404 just above
      const applied = await admin('POST', '/v1/dlp/apply', {operations}, {'idempotency-key': randomUUID()})
      expect(applied.status).to.equal(200)
      // The same answer but for the times of the change (and so nothing else): what changed and the flows suspended.
      const gist = (r: Json) => ({
        changes: r.changes.map((ch: Json) => ({op: ch.op, id: ch.id, changed: ch.changed, etag: ch.etag, groups: ch.after?.groups})),
        suspended: r.suspended,
        resumed: r.resumed,
      })
      expect(gist(applied.body)).to.deep.equal(gist(plan.body))
      expect(applied.body.dryRun).to.equal(false)
      expect((await flowOf(flow.id)).suspension.policyId).to.equal(a.id)
      const actions = (await admin('GET', `/v1/audit/events?after=${afterPlan}&limit=200`)).body.items.map((e: Json) => e.action)
      expect(actions).to.deep.equal(['dlp.policy.updated', 'dlp.policy.created', 'flow.suspended', 'dlp.batch.applied'])
      // The same plan again: the update is unchanged; the create now collides and nothing is applied.
      const twice = await admin('POST', '/v1/dlp/apply', {dryRun: true, operations: [{...operations[0], etag: applied.body.changes[0].etag}]})
      expect(twice.body.changes.map((ch: Json) => ch.changed)).to.deep.equal([false])
      expect(twice.body.suspended).to.deep.equal([])
      expect((await admin('POST', '/v1/dlp/apply', {operations})).body.code).to.equal('PRECONDITION_FAILED')
    })

    it('refuses bad batches with 4xx naming the operation', async () => {
      const env = await newEnv('Bad batch')
      const a = await newPolicy(onlyIn(env.id, {displayName: unique('A')}))
      const cases: Array<[unknown, number, string]> = [
        [{operations: 'all'}, 400, 'INVALID_BODY'],
        [{operations: [{op: 'rename', id: a.id}]}, 400, 'INVALID_BODY'],
        [{operations: [{op: 'update', id: a.id, policy: {}}]}, 400, 'INVALID_BODY'],
        [
          {
            operations: [
              {op: 'delete', id: a.id, etag: a.etag},
              {op: 'delete', id: a.id, etag: a.etag},
            ],
          },
          400,
          'DUPLICATE_OPERATION',
        ],
        [{operations: [{op: 'delete', id: 'tenant-blocked-connectors', etag: '"1"'}]}, 422, 'MANAGED_POLICY'],
        [{operations: [{op: 'delete', id: 'no-such', etag: '"1"'}]}, 404, 'POLICY_NOT_FOUND'],
        [{operations: [{op: 'create', policy: {displayName: 'x'}}]}, 400, 'INVALID_BODY'],
        [{dryRun: 'yes', operations: []}, 400, 'INVALID_BODY'],
      ]
      for (const [input, status, code] of cases) {
        const res = await admin('POST', '/v1/dlp/apply', input)
        expect([res.status, res.body.code], JSON.stringify(input)).to.deep.equal([status, code])
        expect(res.type).to.contain('application/problem+json')
      }
      expect((await admin('GET', `/v1/dlp/policies/${a.id}`)).status).to.equal(200)
    })
  })

  describe('block and unblock edit the managed tenant-wide policy', () => {
    it('blocking puts the connector in its blocked group (one source of truth), suspends the flows using it; unblocking resumes them', async () => {
      const env = await newEnv('Ftp users')
      const flow = await newFlow(MAKER, env.id, [{id: 'shared_ftp'}])
      const connector = (await admin('GET', '/v1/connectors/shared_ftp')).body
      const policy = (await admin('GET', '/v1/dlp/policies/tenant-blocked-connectors')).body
      expect(policy).to.include({managed: true, environmentScope: 'all'})
      const seq = await lastSeq()
      const blocked = await admin('POST', '/v1/connectors/shared_ftp/block', undefined, {'if-match': connector.etag})
      expect(blocked.status).to.equal(200)
      expect(blocked.body.blocked).to.equal(true)
      expect(blocked.headers.get('etag')).to.not.equal(connector.etag)
      const after = (await admin('GET', '/v1/dlp/policies/tenant-blocked-connectors')).body
      expect(after.groups.blocked).to.include('shared_ftp')
      expect(after.etag).to.not.equal(policy.etag)
      expect((await admin('GET', '/v1/connectors?blocked=true&limit=200')).body.items.map((x: Json) => x.id)).to.include('shared_ftp')
      expect((await admin('GET', '/v1/connectors?blocked=false&limit=200')).body.items.map((x: Json) => x.id)).to.not.include('shared_ftp')
      expect((await flowOf(flow.id)).suspension).to.include({reason: 'DLP_VIOLATION', policyId: 'tenant-blocked-connectors'})
      const actions = (await admin('GET', `/v1/audit/events?after=${seq}&limit=200`)).body.items.map((e: Json) => e.action)
      expect(actions).to.deep.equal(['dlp.policy.updated', 'flow.suspended', 'connector.blocked'])
      const [policyEvent] = await auditAfter(seq, 'dlp.policy.updated')
      expect(policyEvent.details.before.groups.blocked).to.not.include('shared_ftp')
      expect(policyEvent.details.after.groups.blocked).to.include('shared_ftp')
      // The managed policy is read only through the policy endpoints.
      const put = await admin(
        'PUT',
        '/v1/dlp/policies/tenant-blocked-connectors',
        {displayName: 'x', environmentScope: 'all', defaultGroup: 'business'},
        {'if-match': after.etag},
      )
      expect([put.status, put.body.code]).to.deep.equal([422, 'MANAGED_POLICY'])

      const unblocked = await admin('POST', '/v1/connectors/shared_ftp/unblock', undefined, {'if-match': blocked.headers.get('etag') as string})
      expect(unblocked.body.blocked).to.equal(false)
      expect((await admin('GET', '/v1/dlp/policies/tenant-blocked-connectors')).body.groups.blocked).to.not.include('shared_ftp')
      expect((await flowOf(flow.id)).state).to.equal('on')
    })
  })

  describe('bad input', () => {
    it('every new endpoint answers malformed bodies and parameters with a 4xx problem, never a 500', async () => {
      const env = await newEnv('Fuzzed')
      const flow = await newFlow(ADMIN, env.id, [{id: 'shared_planner'}])
      const policy = await newPolicy(onlyIn(env.id, {displayName: unique('Fuzzed')}))
      const bodies: unknown[] = [
        [],
        'text',
        42,
        null,
        {displayName: {}},
        {displayName: 'x', type: ['production']},
        {connectors: 5},
        {connectors: [null]},
        {connectors: [{id: 7}]},
        {connectors: [{id: 'shared_sql', actions: 'all'}]},
        {connectors: [{id: 'shared_sql', endpoints: [1]}]},
        {connectors: ['shared_sql'], environmentId: 12},
        {securityGroupId: 5},
        {operations: [null]},
        {operations: [{op: 'create', policy: []}]},
        {operations: [{op: 'update', id: 5, etag: '"1"', policy: {}}]},
        {environmentScope: 'only', environments: 'all', displayName: 'x', defaultGroup: 'business'},
        {displayName: 'x', environmentScope: 'all', defaultGroup: 'business', groups: {business: 'shared_sql'}},
        {displayName: 'x', environmentScope: 'all', defaultGroup: 'business', connectorRules: [{connectorId: 'shared_sql', actionRules: [{}]}]},
        {
          displayName: 'x',
          environmentScope: 'all',
          defaultGroup: 'business',
          connectorRules: [{connectorId: 'shared_webcontents', endpointRules: [{order: 'first', endpoint: '*', behavior: 'deny'}]}],
        },
        {
          displayName: 'x',
          environmentScope: 'all',
          defaultGroup: 'business',
          customConnectorUrlPatterns: [{order: 1, hostUrlPattern: '*', dataGroup: 'secret'}],
        },
        {flow: ['x']},
        {userId: 'user@contoso.example', role: 'maker', connectorIds: 'shared_sql'},
        {userId: 'user@contoso.example', role: 'maker', connectorIds: ['shared_sql'], connectorId: 'shared_sql'},
      ]
      const targets: Array<[string, string, Record<string, string>]> = [
        ['POST', '/v1/environments', {}],
        ['PATCH', `/v1/environments/${env.id}`, {'if-match': env.etag}],
        ['POST', '/v1/flows', {}],
        ['PATCH', `/v1/flows/${flow.id}`, {'if-match': flow.etag}],
        ['POST', '/v1/dlp/policies', {}],
        ['PUT', `/v1/dlp/policies/${policy.id}`, {'if-match': policy.etag}],
        ['POST', '/v1/dlp/apply', {}],
        ['POST', '/v1/dlp/evaluate', {}],
        ['POST', '/v1/access-checks', {}],
      ]
      for (const [method, path, headers] of targets) {
        for (const body of bodies) {
          const res = await admin(method, path, JSON.stringify(body), headers)
          expect(res.status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).to.be.within(400, 499)
          expect(res.type).to.contain('application/problem+json')
          expect(res.body.code).to.match(/^[A-Z][A-Z0-9_]*$/)
        }
      }
      for (const path of [
        '/v1/flows?state=off',
        '/v1/flows?environment=nope',
        '/v1/flows?owner=nobody',
        '/v1/flows?cursor=zz',
        '/v1/environments?limit=0',
        '/v1/dlp/policies?environment=nope',
        '/v1/connectors?environment=nope',
        '/v1/groups?cursor=%',
      ]) {
        const res = await admin('GET', path)
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.be.within(400, 499)
      }
      // Nothing above changed them.
      expect((await flowOf(flow.id)).etag).to.equal(flow.etag)
      expect((await admin('GET', `/v1/dlp/policies/${policy.id}`)).body.etag).to.equal(policy.etag)
    })
  })

  describe('replication', () => {
    it('environments, flows and policies replicate to the secondary cluster like the rest of the tenant data', async () => {
      const env = await newEnv('Replicated')
      const policy = await newPolicy(onlyIn(env.id, {displayName: unique('Replicated'), groups: {business: ['shared_sql']}}))
      const flow = await newFlow(MAKER, env.id, [{id: 'shared_sql'}])
      await c.replicationOf(CONTOSO, caughtUp)
      const read = (cluster: string) =>
        c.sqlite(cluster, (db) => ({
          env: db.prepare('SELECT * FROM environments WHERE tenant_id = ? AND id = ?').get(CONTOSO, env.id),
          policy: db.prepare('SELECT * FROM dlp_policies WHERE tenant_id = ? AND id = ?').get(CONTOSO, policy.id),
          flow: db.prepare('SELECT * FROM flows WHERE tenant_id = ? AND id = ?').get(CONTOSO, flow.id),
          groups: db.prepare('SELECT COUNT(*) AS n FROM group_members WHERE tenant_id = ?').get(CONTOSO),
        }))
      const primary = await read('eastus-1')
      expect(primary.env).to.not.equal(undefined)
      expect(await read('westus-1')).to.deep.equal(primary)
    })
  })
})
