// The cluster API v1 against a real platform: roles, tenant isolation over every endpoint, access checks, seats, ETags.
import {expect} from 'chai'

import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {deviceSignIn} from '../helpers/tokens.js'

const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const C = {admin: 'c0000000-0000-4000-8000-000000000001', maker: 'c0000000-0000-4000-8000-000000000002', user: 'c0000000-0000-4000-8000-000000000003'}
const F = {admin: 'fa000000-0000-4000-8000-000000000001', user: 'fa000000-0000-4000-8000-000000000003'}
const MEMBER = (n: number) => `c0000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('cluster API v1 (real platform)', function () {
  let platform: TestPlatform
  let client: TestClient
  const tokens: Record<string, string> = {}
  let fabrikamCustom: string

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
    for (const upn of [
      'admin@contoso.example',
      'maker@contoso.example',
      'user@contoso.example',
      'admin@fabrikam.example',
      'maker@fabrikam.example',
      'support@operator.example',
    ]) {
      tokens[upn] = (await deviceSignIn(client, platform, upn)).access_token
    }
    const created = await call('admin@fabrikam.example', 'westeurope-1', 'POST', '/v1/connectors', {displayName: 'Fabrikam Secret API'})
    expect(created.status).to.equal(201)
    fabrikamCustom = created.body.id
  })

  after(async () => {
    await client?.close()
    await platform?.stop()
  })

  async function call(upn: string, cluster: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await client.fetch(`https://${cluster}.clusters.sandbox.localhost:${platform.port}${path}`, {
      method,
      headers: {authorization: `Bearer ${tokens[upn]}`, ...(body === undefined ? {} : {'content-type': 'application/json'}), ...headers},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return {status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json}
  }
  const contoso = (upn: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    call(upn, 'eastus-1', method, path, body, headers)

  describe('users and connectors', () => {
    it('lists users with search and paging through an opaque cursor', async () => {
      const first = await contoso('admin@contoso.example', 'GET', '/v1/users?limit=4')
      expect(first.status).to.equal(200)
      expect(first.body.items).to.have.length(4)
      expect(first.body.nextCursor).to.be.a('string')
      const seen = [...first.body.items]
      let cursor = first.body.nextCursor
      while (cursor) {
        const page = await contoso('admin@contoso.example', 'GET', `/v1/users?limit=4&cursor=${encodeURIComponent(cursor)}`)
        seen.push(...page.body.items)
        cursor = page.body.nextCursor
      }
      expect(seen.map((u) => u.upn))
        .to.have.length(9)
        .and.include('admin@contoso.example')
      expect(new Set(seen.map((u) => u.id)).size).to.equal(9)
      expect(seen.every((u) => u.upn.endsWith('@contoso.example'))).to.equal(true)
      const found = await contoso('admin@contoso.example', 'GET', '/v1/users?search=megan')
      expect(found.body.items.map((u: Json) => u.upn)).to.deep.equal(['megan.bowen@contoso.example'])
      expect((await contoso('admin@contoso.example', 'GET', '/v1/users?cursor=nonsense')).body.code).to.equal('INVALID_CURSOR')
    })

    it('gets a user by id or by UPN', async () => {
      const byUpn = await contoso('admin@contoso.example', 'GET', '/v1/users/maker@contoso.example')
      expect(byUpn.status).to.equal(200)
      expect(byUpn.body).to.include({id: C.maker, upn: 'maker@contoso.example'})
      expect((await contoso('admin@contoso.example', 'GET', `/v1/users/${C.maker}`)).body.upn).to.equal('maker@contoso.example')
    })

    it('lists ≥ 40 connectors with tier, blocked and search filters', async () => {
      const all = await contoso('admin@contoso.example', 'GET', '/v1/connectors?limit=200')
      expect(all.body.items.length).to.be.at.least(40)
      const premium = await contoso('admin@contoso.example', 'GET', '/v1/connectors?tier=premium&limit=200')
      expect(premium.body.items.every((c: Json) => c.tier === 'premium')).to.equal(true)
      expect(premium.body.items.map((c: Json) => c.displayName)).to.include.members(['SQL Server', 'HTTP', 'Salesforce', 'Microsoft Dataverse'])
      const search = await contoso('maker@contoso.example', 'GET', '/v1/connectors?search=outlook')
      expect(search.body.items.map((c: Json) => c.id)).to.include('shared_office365')
      const paged = await contoso('admin@contoso.example', 'GET', '/v1/connectors?limit=10')
      expect(paged.body.items).to.have.length(10)
      const next = await contoso('admin@contoso.example', 'GET', `/v1/connectors?limit=10&cursor=${paged.body.nextCursor}`)
      expect(next.body.items[0].id > paged.body.items[9].id).to.equal(true)
      expect((await contoso('admin@contoso.example', 'GET', '/v1/connectors?tier=gold')).status).to.equal(400)
    })
  })

  describe('ETag and If-Match on block and unblock', () => {
    it('requires If-Match (428), refuses a stale one (412), and blocks with the current one', async () => {
      const got = await contoso('admin@contoso.example', 'GET', '/v1/connectors/shared_ftp')
      const etag = got.headers.get('etag') as string
      expect(etag).to.be.a('string')
      const missing = await contoso('admin@contoso.example', 'POST', '/v1/connectors/shared_ftp/block')
      expect(missing.status).to.equal(428)
      expect(missing.body.code).to.equal('PRECONDITION_REQUIRED')
      expect(missing.headers.get('content-type')).to.match(/application\/problem\+json/)
      const blocked = await contoso('admin@contoso.example', 'POST', '/v1/connectors/shared_ftp/block', undefined, {'if-match': etag})
      expect(blocked.status).to.equal(200)
      expect(blocked.body.blocked).to.equal(true)
      expect(blocked.headers.get('etag')).not.to.equal(etag)
      const stale = await contoso('admin@contoso.example', 'POST', '/v1/connectors/shared_ftp/unblock', undefined, {'if-match': etag})
      expect(stale.status).to.equal(412)
      expect(stale.body.code).to.equal('PRECONDITION_FAILED')
      const listed = await contoso('admin@contoso.example', 'GET', '/v1/connectors?blocked=true')
      expect(listed.body.items.map((c: Json) => c.id)).to.deep.equal(['shared_ftp'])
      const unblocked = await contoso('admin@contoso.example', 'POST', '/v1/connectors/shared_ftp/unblock', undefined, {
        'if-match': blocked.headers.get('etag') as string,
      })
      expect(unblocked.body.blocked).to.equal(false)
    })

    it('refuses to block a core connector with 422 UNBLOCKABLE_CONNECTOR', async () => {
      const got = await contoso('admin@contoso.example', 'GET', '/v1/connectors/shared_commondataserviceforapps')
      expect(got.body.unblockable).to.equal(true)
      const res = await contoso('admin@contoso.example', 'POST', '/v1/connectors/shared_commondataserviceforapps/block', undefined, {
        'if-match': got.headers.get('etag') as string,
      })
      expect(res.status).to.equal(422)
      expect(res.body.code).to.equal('UNBLOCKABLE_CONNECTOR')
    })
  })

  describe('access check matrix', () => {
    let custom: string
    before(async () => {
      const created = await contoso('maker@contoso.example', 'POST', '/v1/connectors', {displayName: 'Contoso Orders API'})
      expect(created.status).to.equal(201)
      custom = created.body.id
      const got = await contoso('admin@contoso.example', 'GET', '/v1/connectors/shared_salesforce')
      const blocked = await contoso('admin@contoso.example', 'POST', '/v1/connectors/shared_salesforce/block', undefined, {
        'if-match': got.headers.get('etag') as string,
      })
      expect(blocked.status).to.equal(200)
    })

    // Megan holds per-user premium; Lee holds only Flow Free.
    const LICENSED = MEMBER(1)
    const UNLICENSED = MEMBER(3)
    const cases: Array<[string, string, 'maker' | 'app-user', string, 'allow' | 'deny', string]> = [
      ['standard', 'shared_teams', 'maker', LICENSED, 'allow', 'MAKER_NOT_LICENSE_RESTRICTED'],
      ['standard', 'shared_teams', 'maker', UNLICENSED, 'allow', 'MAKER_NOT_LICENSE_RESTRICTED'],
      ['standard', 'shared_teams', 'app-user', LICENSED, 'allow', 'STANDARD_CONNECTOR'],
      ['standard', 'shared_teams', 'app-user', UNLICENSED, 'allow', 'STANDARD_CONNECTOR'],
      ['premium', 'shared_sql', 'maker', LICENSED, 'allow', 'MAKER_NOT_LICENSE_RESTRICTED'],
      ['premium', 'shared_sql', 'maker', UNLICENSED, 'allow', 'MAKER_NOT_LICENSE_RESTRICTED'],
      ['premium', 'shared_sql', 'app-user', LICENSED, 'allow', 'PREMIUM_LICENSE_HELD'],
      ['premium', 'shared_sql', 'app-user', UNLICENSED, 'deny', 'PREMIUM_LICENSE_REQUIRED'],
      ['custom', 'CUSTOM', 'maker', LICENSED, 'allow', 'MAKER_NOT_LICENSE_RESTRICTED'],
      ['custom', 'CUSTOM', 'maker', UNLICENSED, 'allow', 'MAKER_NOT_LICENSE_RESTRICTED'],
      ['custom', 'CUSTOM', 'app-user', LICENSED, 'allow', 'PREMIUM_LICENSE_HELD'],
      ['custom', 'CUSTOM', 'app-user', UNLICENSED, 'deny', 'PREMIUM_LICENSE_REQUIRED'],
      ['blocked', 'shared_salesforce', 'maker', LICENSED, 'deny', 'CONNECTOR_BLOCKED'],
      ['blocked', 'shared_salesforce', 'maker', UNLICENSED, 'deny', 'CONNECTOR_BLOCKED'],
      ['blocked', 'shared_salesforce', 'app-user', LICENSED, 'deny', 'CONNECTOR_BLOCKED'],
      ['blocked', 'shared_salesforce', 'app-user', UNLICENSED, 'deny', 'CONNECTOR_BLOCKED'],
    ]
    for (const [tier, connector, role, user, decision, reason] of cases) {
      it(`${tier} × ${role} × ${user === LICENSED ? 'licensed' : 'unlicensed'} → ${decision} ${reason}`, async () => {
        const res = await contoso('admin@contoso.example', 'POST', '/v1/access-checks', {
          userId: user,
          connectorId: connector === 'CUSTOM' ? custom : connector,
          role,
        })
        expect(res.status).to.equal(200)
        expect(res.body).to.include({decision, reason})
      })
    }

    it('lets an app user check its own access, and only its own', async () => {
      const own = await contoso('user@contoso.example', 'POST', '/v1/access-checks', {
        userId: 'user@contoso.example',
        connectorId: 'shared_sql',
        role: 'app-user',
      })
      expect(own.status).to.equal(200)
      expect(own.body).to.include({decision: 'deny', reason: 'PREMIUM_LICENSE_REQUIRED'})
      const other = await contoso('user@contoso.example', 'POST', '/v1/access-checks', {userId: C.admin, connectorId: 'shared_sql', role: 'app-user'})
      expect(other.status).to.equal(403)
    })
  })

  describe('licenses and seats', () => {
    it('shows seats, takes one seat per retried assign with the same Idempotency-Key, and refuses past the last seat', async () => {
      const skus = await contoso('admin@contoso.example', 'GET', '/v1/licenses/skus')
      const perUser = skus.body.items.find((s: Json) => s.id === 'POWERAPPS_PER_USER')
      expect(perUser.seats).to.deep.equal({enabled: 3, consumed: 2, available: 1})
      const key = {'idempotency-key': 'assign-lee-1'}
      const first = await contoso('admin@contoso.example', 'POST', `/v1/users/${MEMBER(3)}/licenses`, {skuId: 'POWERAPPS_PER_USER'}, key)
      expect(first.status).to.equal(201)
      const retry = await contoso('admin@contoso.example', 'POST', `/v1/users/${MEMBER(3)}/licenses`, {skuId: 'POWERAPPS_PER_USER'}, key)
      expect(retry.status).to.equal(201)
      expect(retry.headers.get('idempotent-replayed')).to.equal('true')
      expect(retry.body).to.deep.equal(first.body)
      const after = await contoso('admin@contoso.example', 'GET', '/v1/licenses/skus/POWERAPPS_PER_USER')
      expect(after.body.seats).to.deep.equal({enabled: 3, consumed: 3, available: 0})
      const again = await contoso('admin@contoso.example', 'POST', `/v1/users/${MEMBER(3)}/licenses`, {skuId: 'POWERAPPS_PER_USER'})
      expect(again.status).to.equal(200)
      expect(again.body.alreadyAssigned).to.equal(true)
      const full = await contoso(
        'admin@contoso.example',
        'POST',
        `/v1/users/${MEMBER(4)}/licenses`,
        {skuId: 'POWERAPPS_PER_USER'},
        {'idempotency-key': 'assign-nestor'},
      )
      expect(full.status).to.equal(409)
      expect(full.body.code).to.equal('NO_SEATS_AVAILABLE')
      const reused = await contoso('admin@contoso.example', 'POST', `/v1/users/${MEMBER(5)}/licenses`, {skuId: 'FLOW_FREE'}, key)
      expect(reused.status).to.equal(422)
      expect(reused.body.code).to.equal('IDEMPOTENCY_KEY_REUSED')
      const revoke = await contoso('admin@contoso.example', 'DELETE', `/v1/users/${MEMBER(3)}/licenses/POWERAPPS_PER_USER`, undefined, {
        'idempotency-key': 'revoke-lee',
      })
      expect(revoke.status).to.equal(200)
      expect(revoke.body.seats.available).to.equal(1)
      const revokeRetry = await contoso('admin@contoso.example', 'DELETE', `/v1/users/${MEMBER(3)}/licenses/POWERAPPS_PER_USER`, undefined, {
        'idempotency-key': 'revoke-lee',
      })
      expect(revokeRetry.status).to.equal(200)
      expect((await contoso('admin@contoso.example', 'DELETE', `/v1/users/${MEMBER(3)}/licenses/POWERAPPS_PER_USER`)).body.code).to.equal(
        'LICENSE_NOT_ASSIGNED',
      )
    })

    it("lets an app user read its own licenses and nobody else's", async () => {
      const own = await contoso('user@contoso.example', 'GET', '/v1/users/user@contoso.example/licenses')
      expect(own.status).to.equal(200)
      expect(own.body.items.map((l: Json) => l.skuId)).to.deep.equal(['FLOW_FREE'])
      expect((await contoso('user@contoso.example', 'GET', `/v1/users/${C.admin}/licenses`)).status).to.equal(403)
    })
  })

  describe('roles and tenant isolation over every endpoint', () => {
    // [method, path, body, status for: contoso admin, maker, app user, support, fabrikam admin (on contoso's cluster)]
    type Row = [string, string, unknown, number, number, number, number]
    const rows = (): Row[] => [
      ['GET', '/v1/users', undefined, 200, 403, 403, 403],
      ['GET', `/v1/users/${C.user}`, undefined, 200, 403, 200, 403],
      ['GET', `/v1/users/${C.user}/licenses`, undefined, 200, 403, 200, 403],
      ['POST', `/v1/users/${C.user}/licenses`, {skuId: 'FLOW_FREE'}, 200, 403, 403, 403],
      ['DELETE', `/v1/users/${C.maker}/licenses/POWERAPPS_PER_APP`, undefined, 404, 403, 403, 403],
      ['GET', '/v1/licenses/skus', undefined, 200, 403, 403, 403],
      ['GET', '/v1/licenses/skus/FLOW_FREE', undefined, 200, 403, 403, 403],
      ['GET', '/v1/connectors', undefined, 200, 200, 403, 403],
      ['GET', '/v1/connectors/shared_teams', undefined, 200, 200, 403, 403],
      ['POST', '/v1/connectors', {displayName: 'Roles probe'}, 201, 201, 403, 403],
      ['POST', '/v1/connectors/shared_teams/block', undefined, 428, 403, 403, 403],
      ['POST', '/v1/connectors/shared_teams/unblock', undefined, 428, 403, 403, 403],
      ['DELETE', '/v1/connectors/shared_teams', undefined, 422, 422, 403, 403],
      ['POST', '/v1/access-checks', {userId: C.user, connectorId: 'shared_sql', role: 'app-user'}, 200, 403, 200, 403],
      ['GET', '/v1/audit/events', undefined, -1, 403, 403, 403],
    ]
    const who = ['admin@contoso.example', 'maker@contoso.example', 'user@contoso.example', 'support@operator.example'] as const

    it('gives each role exactly what the roles rule says', async () => {
      for (const row of rows()) {
        const [method, path, body] = row
        for (let i = 0; i < who.length; i++) {
          const expected = row[3 + i]
          const res = await contoso(who[i], method, path, body)
          if (expected === -1) expect(res.status, `${who[i]} ${method} ${path}`).to.be.oneOf([200, 501])
          else expect(res.status, `${who[i]} ${method} ${path}: ${JSON.stringify(res.body)}`).to.equal(expected)
          if (who[i].startsWith('support')) expect(res.body.code).to.equal('TENANT_DATA_FORBIDDEN')
        }
      }
    })

    it("never shows tenant B's data to tenant A's admin: B's ids are 404 on A's cluster, B's cluster answers 421 naming A's", async () => {
      const fab = 'admin@fabrikam.example'
      const onOwn: Array<[string, string, unknown]> = [
        ['GET', `/v1/users/${C.user}`, undefined],
        ['GET', '/v1/users/admin@contoso.example', undefined],
        ['GET', `/v1/users/${C.user}/licenses`, undefined],
        ['POST', `/v1/users/${C.user}/licenses`, {skuId: 'FLOW_FREE'}],
        ['DELETE', `/v1/users/${C.admin}/licenses/POWERAPPS_PER_USER`, undefined],
        ['POST', '/v1/access-checks', {userId: C.user, connectorId: 'shared_sql', role: 'app-user'}],
      ]
      for (const [method, path, body] of onOwn) {
        const res = await call(fab, 'westeurope-1', method, path, body)
        expect(res.status, `${method} ${path}`).to.equal(404)
        expect(res.body.code).to.equal('USER_NOT_FOUND')
      }
      // Contoso's own custom connector is invisible from fabrikam, and fabrikam's from contoso.
      const contosoCustom = (await contoso('admin@contoso.example', 'GET', '/v1/connectors?tier=custom')).body.items[0].id as string
      for (const [upn, cluster, id] of [
        [fab, 'westeurope-1', contosoCustom],
        ['admin@contoso.example', 'eastus-1', fabrikamCustom],
      ] as const) {
        expect((await call(upn, cluster, 'GET', `/v1/connectors/${id}`)).status).to.equal(404)
        expect((await call(upn, cluster, 'DELETE', `/v1/connectors/${id}`)).status).to.equal(404)
        expect((await call(upn, cluster, 'POST', `/v1/connectors/${id}/block`, undefined, {'if-match': '"1"'})).status).to.equal(404)
        expect((await call(upn, cluster, 'POST', '/v1/access-checks', {userId: 'admin@contoso.example', connectorId: id, role: 'maker'})).status).to.equal(404)
        const list = await call(upn, cluster, 'GET', '/v1/connectors?tier=custom&limit=200')
        expect(list.body.items.map((c: Json) => c.id)).not.to.include(id)
      }
      expect((await call(fab, 'westeurope-1', 'GET', '/v1/users?limit=200')).body.items.every((u: Json) => u.upn.endsWith('@fabrikam.example'))).to.equal(true)
      // Every endpoint on contoso's cluster (active or passive) with fabrikam's token → 421 to fabrikam's own cluster.
      for (const cluster of ['eastus-1', 'westus-1']) {
        for (const [method, path, body] of rows()) {
          const res = await call(fab, cluster, method, path, body)
          expect(res.status, `${cluster} ${method} ${path}`).to.equal(421)
          expect(res.body.code).to.equal('WRONG_CLUSTER')
          expect(res.body.activeUri).to.equal(`https://westeurope-1.clusters.sandbox.localhost:${platform.port}`)
        }
      }
      void F
    })

    it('gives Support health of any cluster, with every tenant; a tenant sees only its own', async () => {
      for (const cluster of ['eastus-1', 'westus-1', 'westeurope-1', 'northeurope-1']) {
        const res = await call('support@operator.example', cluster, 'GET', '/v1/health')
        expect(res.status).to.equal(200)
        expect(res.body.tenants).to.have.length(1)
      }
      const own = await contoso('admin@contoso.example', 'GET', '/v1/health')
      expect(own.body.tenants).to.deep.include({
        tenantId: CONTOSO,
        role: 'active',
        epoch: 1,
        peer: 'westus-1',
        replicationLagEntries: own.body.tenants[0].replicationLagEntries,
        replicationLagMs: own.body.tenants[0].replicationLagMs,
      })
      expect((await call('admin@contoso.example', 'westeurope-1', 'GET', '/v1/health')).body.tenants).to.deep.equal([])
    })

    it('lets a maker delete only its own custom connectors', async () => {
      const mine = await contoso('maker@contoso.example', 'POST', '/v1/connectors', {displayName: 'Maker Temp'})
      const admins = await contoso('admin@contoso.example', 'POST', '/v1/connectors', {displayName: 'Admin Temp'})
      expect((await contoso('maker@contoso.example', 'DELETE', `/v1/connectors/${admins.body.id}`)).status).to.equal(403)
      expect((await contoso('maker@contoso.example', 'DELETE', `/v1/connectors/${mine.body.id}`)).status).to.equal(204)
      expect((await contoso('admin@contoso.example', 'GET', `/v1/connectors/${mine.body.id}`)).status).to.equal(404)
    })
  })
})
