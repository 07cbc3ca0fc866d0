// Real answers of a local platform started in this process (audit routes wired) checked against docs/openapi.yaml.
import {expect} from 'chai'
import {createParser} from 'eventsource-parser'

import {createAuditRoutes} from '../../src/sandbox/audit/routes.js'
import type {RunningPlatform} from '../../src/sandbox/server.js'
import type {TestClient} from '../helpers/https.js'
import {startLocalPlatform, type LocalPlatform} from '../helpers/local-platform.js'
import {assertMatchesOpenApi, formatErrors, schemaValidator} from '../helpers/openapi.js'

describe('OpenAPI contract against a real platform', function () {
  let local: LocalPlatform
  let platform: RunningPlatform
  let client: TestClient
  let admin: string
  let cluster: string

  before(async () => {
    local = await startLocalPlatform({rateLimit: {rps: 1000, burst: 1000}, auditRoutes: createAuditRoutes({heartbeatMs: 50})})
    platform = local.platform
    client = local.client
    admin = await local.signIn('admin@contoso.example')
    cluster = `https://eastus-1.clusters.sandbox.localhost:${platform.port}`
  })

  after(() => local?.close(100))

  const call = async (method: string, url: string, template: string, expected: number, init: {body?: unknown; headers?: Record<string, string>} = {}) => {
    const res = await client.fetch(url, {
      method,
      headers: {authorization: `Bearer ${admin}`, ...(init.body ? {'content-type': 'application/json'} : {}), ...init.headers},
      body: init.body ? JSON.stringify(init.body) : undefined,
    })
    const text = await res.text()
    expect(res.status, `${method} ${url}: ${text}`).to.equal(expected)
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined
    if (body !== undefined) assertMatchesOpenApi(method, template, res.status, body)
    return {res, body: body as Record<string, never>}
  }

  it('global service, gateway and cluster health', async () => {
    await call('GET', `${platform.urls.global}/v1/me/home`, '/v1/me/home', 200)
    await call('GET', `${platform.urls.global}/v1/tenants/fabrikam/home`, '/v1/tenants/{tenantId}/home', 403)
    await call('GET', `${platform.urls.global}/v1/tenants/nope/home`, '/v1/tenants/{tenantId}/home', 404)
    await call('GET', `${platform.urls.gateway}/healthz`, '/healthz', 200)
    await call('GET', `${cluster}/v1/health`, '/v1/health', 200)
    const res = await client.fetch(`${platform.urls.global}/v1/me/home`)
    expect(res.status).to.equal(401)
    assertMatchesOpenApi('GET', '/v1/me/home', 401, await res.json())
  })

  it('users and licenses', async () => {
    const users = await call('GET', `${cluster}/v1/users?limit=2`, '/v1/users', 200)
    expect(users.body.nextCursor).to.be.a('string')
    await call('GET', `${cluster}/v1/users/admin@contoso.example`, '/v1/users/{userId}', 200)
    await call('GET', `${cluster}/v1/users/nobody@contoso.example`, '/v1/users/{userId}', 404)
    await call('GET', `${cluster}/v1/users/admin@contoso.example/licenses`, '/v1/users/{userId}/licenses', 200)
    await call('GET', `${cluster}/v1/licenses/skus`, '/v1/licenses/skus', 200)
    await call('GET', `${cluster}/v1/licenses/skus/POWERAPPS_PER_APP`, '/v1/licenses/skus/{skuId}', 200)
    const assigned = await call('POST', `${cluster}/v1/users/maker@contoso.example/licenses`, '/v1/users/{userId}/licenses', 201, {
      body: {skuId: 'POWERAPPS_PER_APP'},
      headers: {'idempotency-key': 'contract-1'},
    })
    expect(assigned.body.alreadyAssigned).to.equal(false)
    await call('POST', `${cluster}/v1/users/maker@contoso.example/licenses`, '/v1/users/{userId}/licenses', 200, {body: {skuId: 'POWERAPPS_PER_APP'}})
    await call('DELETE', `${cluster}/v1/users/maker@contoso.example/licenses/POWERAPPS_PER_APP`, '/v1/users/{userId}/licenses/{skuId}', 200)
    await call('DELETE', `${cluster}/v1/users/maker@contoso.example/licenses/POWERAPPS_PER_APP`, '/v1/users/{userId}/licenses/{skuId}', 404)
    await call('POST', `${cluster}/v1/users/user@contoso.example/licenses`, '/v1/users/{userId}/licenses', 400, {body: {}})
  })

  it('connectors and access checks', async () => {
    const list = await call('GET', `${cluster}/v1/connectors?tier=premium`, '/v1/connectors', 200)
    const premium = (list.body.items as Array<{id: string; unblockable: boolean}>).find((c) => !c.unblockable)!
    await call('GET', `${cluster}/v1/connectors?tier=gold`, '/v1/connectors', 400)
    const one = await call('GET', `${cluster}/v1/connectors/${premium.id}`, '/v1/connectors/{connectorId}', 200)
    await call('POST', `${cluster}/v1/connectors/${premium.id}/block`, '/v1/connectors/{connectorId}/block', 428)
    await call('POST', `${cluster}/v1/connectors/${premium.id}/block`, '/v1/connectors/{connectorId}/block', 412, {headers: {'if-match': '"999"'}})
    const blocked = await call('POST', `${cluster}/v1/connectors/${premium.id}/block`, '/v1/connectors/{connectorId}/block', 200, {
      headers: {'if-match': one.res.headers.get('etag')!},
    })
    await call('POST', `${cluster}/v1/access-checks`, '/v1/access-checks', 200, {
      body: {userId: 'user@contoso.example', connectorId: premium.id, role: 'app-user'},
    })
    await call('POST', `${cluster}/v1/connectors/${premium.id}/unblock`, '/v1/connectors/{connectorId}/unblock', 200, {
      headers: {'if-match': blocked.res.headers.get('etag')!},
    })
    await call('POST', `${cluster}/v1/access-checks`, '/v1/access-checks', 400, {body: {userId: 'x'}})
    const core = (await call('GET', `${cluster}/v1/connectors?limit=200`, '/v1/connectors', 200)).body.items as Array<{
      id: string
      unblockable: boolean
      etag: string
    }>
    const unblockable = core.find((c) => c.unblockable)!
    await call('POST', `${cluster}/v1/connectors/${unblockable.id}/block`, '/v1/connectors/{connectorId}/block', 422, {headers: {'if-match': unblockable.etag}})
    const created = await call('POST', `${cluster}/v1/connectors`, '/v1/connectors', 201, {
      body: {displayName: 'Contract API', description: 'made by the contract test'},
    })
    await call('DELETE', `${cluster}/v1/connectors/${created.body.id}`, '/v1/connectors/{connectorId}', 204)
    await call('GET', `${cluster}/v1/connectors/none`, '/v1/connectors/{connectorId}', 404)
    await call('GET', `https://westus-1.clusters.sandbox.localhost:${platform.port}/v1/connectors`, '/v1/connectors', 421)
  })

  it('groups, environments, flows, DLP policies, the batch apply and the evaluation', async () => {
    await call('GET', `${cluster}/v1/groups`, '/v1/groups', 200)
    await call('GET', `${cluster}/v1/groups/grp-finance`, '/v1/groups/{groupId}', 200)
    await call('GET', `${cluster}/v1/groups/nope`, '/v1/groups/{groupId}', 404)
    await call('GET', `${cluster}/v1/environments`, '/v1/environments', 200)
    const env = await call('POST', `${cluster}/v1/environments`, '/v1/environments', 201, {
      body: {displayName: 'Contract env', type: 'sandbox', securityGroupId: 'grp-finance'},
      headers: {'idempotency-key': 'contract-env'},
    })
    await call('POST', `${cluster}/v1/environments`, '/v1/environments', 409, {body: {displayName: 'Contract env', type: 'sandbox'}})
    await call('POST', `${cluster}/v1/environments`, '/v1/environments', 422, {body: {displayName: 'Dev', type: 'developer', securityGroupId: 'grp-finance'}})
    await call('POST', `${cluster}/v1/environments`, '/v1/environments', 400, {body: {displayName: 'X', type: 'default'}})
    const envId = env.body.id as string
    await call('GET', `${cluster}/v1/environments/${envId}`, '/v1/environments/{environmentId}', 200)
    await call('PATCH', `${cluster}/v1/environments/${envId}`, '/v1/environments/{environmentId}', 428, {body: {displayName: 'Renamed'}})
    const renamed = await call('PATCH', `${cluster}/v1/environments/${envId}`, '/v1/environments/{environmentId}', 200, {
      body: {displayName: 'Contract env renamed'},
      headers: {'if-match': env.body.etag},
    })
    await call('DELETE', `${cluster}/v1/environments/default`, '/v1/environments/{environmentId}', 422)
    const policy = await call('POST', `${cluster}/v1/dlp/policies`, '/v1/dlp/policies', 201, {
      body: {displayName: 'Contract policy', environmentScope: 'only', environments: [envId], defaultGroup: 'nonBusiness', groups: {business: ['shared_sql']}},
      headers: {'idempotency-key': 'contract-policy'},
    })
    await call('POST', `${cluster}/v1/dlp/policies`, '/v1/dlp/policies', 422, {
      body: {displayName: 'Bad', environmentScope: 'all', defaultGroup: 'business', groups: {blocked: ['shared_approvals']}},
    })
    await call('GET', `${cluster}/v1/dlp/policies?environment=${envId}`, '/v1/dlp/policies', 200)
    await call('GET', `${cluster}/v1/dlp/policies/tenant-blocked-connectors`, '/v1/dlp/policies/{policyId}', 200)
    await call('DELETE', `${cluster}/v1/environments/${envId}`, '/v1/environments/{environmentId}', 409)
    const flow = await call('POST', `${cluster}/v1/flows`, '/v1/flows', 201, {
      body: {displayName: 'Contract flow', environmentId: envId, connectors: [{id: 'shared_sql', actions: ['GetItems']}]},
    })
    await call('POST', `${cluster}/v1/flows`, '/v1/flows', 403, {
      body: {displayName: 'Contract leak', environmentId: envId, connectors: [{id: 'shared_sql'}, {id: 'shared_twitter'}]},
    })
    await call('POST', `${cluster}/v1/flows`, '/v1/flows', 422, {
      body: {displayName: 'Bad', connectors: [{id: 'shared_rss', endpoints: ['https://x.example']}]},
    })
    await call('GET', `${cluster}/v1/flows?environment=${envId}`, '/v1/flows', 200)
    const flowId = flow.body.id as string
    const patched = await call('PATCH', `${cluster}/v1/flows/${flowId}`, '/v1/flows/{flowId}', 200, {
      body: {displayName: 'Contract flow renamed'},
      headers: {'if-match': flow.body.etag},
    })
    await call('GET', `${cluster}/v1/flows/${flowId}`, '/v1/flows/{flowId}', 200)
    await call('POST', `${cluster}/v1/dlp/evaluate`, '/v1/dlp/evaluate', 200, {body: {environmentId: envId, connectors: ['shared_sql', 'shared_twitter']}})
    await call('POST', `${cluster}/v1/dlp/evaluate`, '/v1/dlp/evaluate', 400, {body: {environmentId: envId}})
    await call('POST', `${cluster}/v1/access-checks`, '/v1/access-checks', 200, {
      body: {userId: 'user@contoso.example', role: 'app-user', environmentId: envId, connectorIds: ['shared_sql', 'shared_twitter']},
    })
    const batch = {
      operations: [
        {
          op: 'update',
          id: policy.body.id,
          etag: policy.body.etag,
          policy: {displayName: 'Contract policy', environmentScope: 'only', environments: [envId], defaultGroup: 'blocked'},
        },
      ],
    }
    const plan = await call('POST', `${cluster}/v1/dlp/apply`, '/v1/dlp/apply', 200, {body: {...batch, dryRun: true}})
    expect(plan.body.suspended).to.have.length(1)
    await call('POST', `${cluster}/v1/dlp/apply`, '/v1/dlp/apply', 412, {body: {operations: [{...batch.operations[0], etag: '"99"'}]}})
    await call('POST', `${cluster}/v1/dlp/apply`, '/v1/dlp/apply', 200, {body: batch})
    const current = await call('GET', `${cluster}/v1/dlp/policies/${policy.body.id}`, '/v1/dlp/policies/{policyId}', 200)
    await call('PUT', `${cluster}/v1/dlp/policies/${policy.body.id}`, '/v1/dlp/policies/{policyId}', 200, {
      body: {displayName: 'Contract policy', environmentScope: 'only', environments: [envId], defaultGroup: 'business'},
      headers: {'if-match': current.res.headers.get('etag')!},
    })
    // Suspended by the apply and resumed by the PUT: its ETag moved twice since the PATCH.
    await call('DELETE', `${cluster}/v1/flows/${flowId}`, '/v1/flows/{flowId}', 412, {headers: {'if-match': patched.body.etag}})
    const resumed = await call('GET', `${cluster}/v1/flows/${flowId}`, '/v1/flows/{flowId}', 200)
    expect(resumed.body.state).to.equal('on')
    await call('DELETE', `${cluster}/v1/flows/${flowId}`, '/v1/flows/{flowId}', 204, {headers: {'if-match': resumed.body.etag}})
    await call('DELETE', `${cluster}/v1/dlp/policies/${policy.body.id}`, '/v1/dlp/policies/{policyId}', 428)
    const last = await call('GET', `${cluster}/v1/dlp/policies/${policy.body.id}`, '/v1/dlp/policies/{policyId}', 200)
    await call('DELETE', `${cluster}/v1/dlp/policies/${policy.body.id}`, '/v1/dlp/policies/{policyId}', 204, {headers: {'if-match': last.body.etag}})
    await call('DELETE', `${cluster}/v1/environments/${envId}`, '/v1/environments/{environmentId}', 204, {
      headers: {'if-match': (renamed.body.environment as {etag: string}).etag},
    })
  })

  it('audit pages and stream events', async () => {
    const page = await call('GET', `${cluster}/v1/audit/events?limit=5`, '/v1/audit/events', 200)
    expect((page.body.items as unknown[]).length).to.be.greaterThan(0)
    await call('GET', `${cluster}/v1/audit/events?action=connector.*&result=succeeded`, '/v1/audit/events', 200)
    await call('GET', `${cluster}/v1/audit/events?since=never`, '/v1/audit/events', 400)
    const res = await client.fetch(`${cluster}/v1/audit/stream`, {headers: {authorization: `Bearer ${admin}`}})
    expect(res.status).to.equal(200)
    expect(res.headers.get('content-type')).to.match(/^text\/event-stream/)
    const validate = schemaValidator('#/components/schemas/AuditEvent')
    const seqs: number[] = []
    let heartbeats = 0
    const parser = createParser({
      onEvent: (m) => {
        const e = JSON.parse(m.data) as {seq: number}
        expect(validate(e), formatErrors(validate.errors)).to.equal(true)
        seqs.push(e.seq)
      },
      onComment: (c) => void (c.trim().startsWith('heartbeat') && heartbeats++),
    })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    while (seqs.length < 3 || heartbeats < 1) {
      const {value, done} = await reader.read()
      if (done) break
      parser.feed(decoder.decode(value, {stream: true}))
    }
    await reader.cancel()
    expect(seqs.slice(0, 3)).to.deep.equal([1, 2, 3])
  })
})
