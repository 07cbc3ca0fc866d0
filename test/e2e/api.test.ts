// `ppctl api` against a real platform: every cluster and global endpoint of docs/openapi.yaml, answers checked against the document, --paginate over real pages.
import {expect} from 'chai'

import {API_ENDPOINTS} from '../../src/lib/platform/endpoints.generated.js'
import {runCli, type CliEnv, type CliResult} from '../helpers/cli.js'
import {assertMatchesOpenApi} from '../helpers/openapi.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {signedInMachines} from '../helpers/sign-in.js'

const FABRIKAM = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'

interface Answer extends CliResult {
  status?: number
  body: unknown
}

describe('ppctl api (real CLI, real platform)', function () {
  let platform: TestPlatform
  let admin: CliEnv
  let support: CliEnv
  before(async () => {
    // Encryption at rest on, so the tenant key endpoints have keys to manage.
    platform = await startTestPlatform({PPCTL_SANDBOX_ENCRYPTION: 'on'})
    ;[admin, support] = await signedInMachines(platform, ['admin@contoso.example', 'support@operator.example'])
  })
  after(async () => {
    admin?.cleanup()
    support?.cleanup()
    await platform?.stop()
  })

  /** `ppctl api -i …`: the status from -i's stderr line, the body parsed when it is JSON. */
  async function api(cli: CliEnv, args: string[], input?: string): Promise<Answer> {
    const res = await runCli(['api', '-i', ...args], cli.env, input)
    const status = /^HTTP (\d{3})$/m.exec(res.stderr)?.[1]
    let body: unknown = res.stdout
    try {
      body = res.stdout.trim() === '' ? undefined : JSON.parse(res.stdout)
    } catch {
      // a text answer (the event stream) stays text
    }
    return {...res, status: status === undefined ? undefined : Number(status), body}
  }

  type Ok = (cli: CliEnv, template: string, args: string[], input?: string) => Promise<Answer>

  /** The endpoints each test calls, declared, so one test below can check that together they are all of docs/openapi.yaml's. */
  const covers: string[][] = []

  /**
   * A test body that must call (with a 2xx answer, matching the document) exactly the endpoints it declares: `ok`
   * checks the status and the body's schema, and that the path given is one of the template's.
   */
  function calling(templates: string[], body: (ok: Ok) => Promise<void>): () => Promise<void> {
    covers.push(templates)
    return async () => {
      const called = new Set<string>()
      const ok: Ok = async (cli, template, args, input) => {
        const [method, path] = template.split(' ')
        const given = args.find((a) => a.startsWith('/'))!.split('?')[0]
        expect(given, template).to.match(new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`))
        const answer = await api(cli, args, input)
        expect(answer.code, `${template}: ${answer.stderr}`).to.equal(0)
        expect(answer.status, answer.stderr).to.be.within(200, 299)
        if (answer.status !== 204 && typeof answer.body === 'object') assertMatchesOpenApi(method.toLowerCase(), path, answer.status!, answer.body)
        called.add(template)
        return answer
      }
      await body(ok)
      expect([...called].sort()).to.deep.equal([...templates].sort())
    }
  }

  it(
    'the global service: the own route, another tenant only for Support (exit 5 otherwise)',
    calling(['GET /v1/me/home', 'GET /v1/tenants/{tenantId}/home'], async (ok) => {
      const me = await ok(admin, 'GET /v1/me/home', ['--global', '/v1/me/home'])
      expect(me.body).to.include({tenantName: 'contoso'})
      const own = await ok(admin, 'GET /v1/tenants/{tenantId}/home', ['--global', '/v1/tenants/contoso/home'])
      expect(own.body).to.deep.include({home: (me.body as {home: unknown}).home})
      const denied = await api(admin, ['--global', `/v1/tenants/${FABRIKAM}/home`])
      expect(denied.code, denied.stderr).to.equal(5)
      const other = await ok(support, 'GET /v1/tenants/{tenantId}/home', ['--global', `/v1/tenants/${FABRIKAM}/home`])
      expect(other.body).to.include({tenantId: FABRIKAM, tenantName: 'fabrikam'})
    }),
  )

  it(
    "cluster health: the own tenant's home; Support reaches another tenant's home with --tenant",
    calling(['GET /v1/health'], async (ok) => {
      const health = await ok(admin, 'GET /v1/health', ['/v1/health'])
      expect(health.body).to.include({clusterId: 'eastus-1'})
      const fabrikam = await ok(support, 'GET /v1/health', ['/v1/health', '--tenant', 'fabrikam'])
      expect(fabrikam.body).to.include({clusterId: 'westeurope-1'})
    }),
  )

  it(
    'users and their licenses: list, show, assign (a POST from -f), revoke (DELETE), 404 → exit 6',
    calling(
      [
        'GET /v1/users',
        'GET /v1/users/{userId}',
        'GET /v1/licenses/skus',
        'GET /v1/licenses/skus/{skuId}',
        'POST /v1/users/{userId}/licenses',
        'GET /v1/users/{userId}/licenses',
        'DELETE /v1/users/{userId}/licenses/{skuId}',
        'POST /v1/users/{userId}/revoke-sessions',
        'POST /v1/licenses/lookup',
      ],
      async (ok) => {
        const users = await ok(admin, 'GET /v1/users', ['/v1/users'])
        const user = (users.body as {items: Array<{id: string; upn: string}>}).items.find((u) => u.upn === 'user@contoso.example')!
        expect(user).not.to.equal(undefined)
        await ok(admin, 'GET /v1/users/{userId}', [`/v1/users/${user.id}`])
        const skus = await ok(admin, 'GET /v1/licenses/skus', ['/v1/licenses/skus'])
        const sku = (skus.body as {items: Array<{id: string; seats: {available: number}}>}).items.find((s) => s.id === 'POWERAPPS_PER_USER')!
        expect(sku.seats.available).to.be.greaterThan(0)
        await ok(admin, 'GET /v1/licenses/skus/{skuId}', [`/v1/licenses/skus/${sku.id}`])
        const assigned = await ok(admin, 'POST /v1/users/{userId}/licenses', [
          `/v1/users/${user.id}/licenses`,
          '-f',
          `skuId=${sku.id}`,
          '-H',
          'Idempotency-Key: e2e-assign-1',
        ])
        expect(assigned.status).to.equal(201)
        const held = await ok(admin, 'GET /v1/users/{userId}/licenses', [`/v1/users/${user.id}/licenses`])
        expect((held.body as {items: Array<{skuId: string}>}).items.map((l) => l.skuId)).to.include(sku.id)
        const looked = await ok(
          admin,
          'POST /v1/licenses/lookup',
          ['POST', '/v1/licenses/lookup', '--input', '-'],
          JSON.stringify({users: [user.upn, 'nobody@contoso.example']}),
        )
        const lookup = looked.body as {count: number; items: Array<{user: string; found: boolean; items?: Array<{skuId: string}>}>}
        expect(lookup.count).to.equal(2)
        expect(lookup.items[0]).to.include({user: user.upn, found: true})
        expect(lookup.items[0].items!.map((l) => l.skuId)).to.include(sku.id)
        expect(lookup.items[1]).to.deep.equal({user: 'nobody@contoso.example', found: false})
        const revoked = await ok(admin, 'DELETE /v1/users/{userId}/licenses/{skuId}', ['DELETE', `/v1/users/${user.id}/licenses/${sku.id}`])
        expect(revoked.status).to.be.oneOf([200, 204])
        const ended = await ok(admin, 'POST /v1/users/{userId}/revoke-sessions', ['POST', `/v1/users/${user.id}/revoke-sessions`])
        expect(ended.status).to.equal(200)
        const gone = await api(admin, ['/v1/users/no-such-user'])
        expect(gone.code, gone.stderr).to.equal(6)
      },
    ),
  )

  it(
    'connectors: create from stdin, show with its ETag, block and unblock with If-Match (a stale one → exit 7), access check, delete',
    calling(
      [
        'POST /v1/connectors',
        'GET /v1/connectors/{connectorId}',
        'POST /v1/connectors/{connectorId}/block',
        'POST /v1/connectors/{connectorId}/unblock',
        'POST /v1/access-checks',
        'DELETE /v1/connectors/{connectorId}',
      ],
      async (ok) => {
        const created = await ok(
          admin,
          'POST /v1/connectors',
          ['/v1/connectors', '--input', '-'],
          JSON.stringify({displayName: 'E2E raw', description: 'from ppctl api'}),
        )
        expect(created.status).to.equal(201)
        const id = (created.body as {id: string}).id
        const shown = await ok(admin, 'GET /v1/connectors/{connectorId}', [`/v1/connectors/${id}`])
        const etag = /^etag: (.+)$/m.exec(shown.stderr)?.[1]
        expect(etag, shown.stderr).to.match(/^"\d+"$/)
        const blocked = await ok(admin, 'POST /v1/connectors/{connectorId}/block', ['POST', `/v1/connectors/${id}/block`, '-H', `If-Match: ${etag}`])
        expect(blocked.body).to.include({blocked: true})
        const stale = await api(admin, ['POST', `/v1/connectors/${id}/unblock`, '-H', `If-Match: ${etag}`])
        expect(stale.code, stale.stderr).to.equal(7)
        const fresh = (blocked.body as {etag: string}).etag
        const unblocked = await ok(admin, 'POST /v1/connectors/{connectorId}/unblock', ['POST', `/v1/connectors/${id}/unblock`, '-H', `If-Match: ${fresh}`])
        expect(unblocked.body).to.include({blocked: false})
        const check = await ok(admin, 'POST /v1/access-checks', [
          '/v1/access-checks',
          '-f',
          'userId=user@contoso.example',
          '-f',
          'connectorId=shared_sql',
          '-f',
          'role=app-user',
        ])
        expect(check.body).to.include({connectorId: 'shared_sql', role: 'app-user'})
        const deleted = await ok(admin, 'DELETE /v1/connectors/{connectorId}', [
          'DELETE',
          `/v1/connectors/${id}`,
          '-H',
          `If-Match: ${(unblocked.body as {etag: string}).etag}`,
        ])
        expect(deleted.status).to.equal(204)
        const missing = await api(admin, [`/v1/connectors/${id}`])
        expect(missing.code, missing.stderr).to.equal(6)
      },
    ),
  )

  it(
    'environments, flows and DLP policies: create, read, change under If-Match, plan and apply, evaluate, delete',
    calling(
      [
        'GET /v1/groups',
        'GET /v1/groups/{groupId}',
        'GET /v1/environments',
        'POST /v1/environments',
        'GET /v1/environments/{environmentId}',
        'PATCH /v1/environments/{environmentId}',
        'DELETE /v1/environments/{environmentId}',
        'GET /v1/flows',
        'POST /v1/flows',
        'GET /v1/flows/{flowId}',
        'PATCH /v1/flows/{flowId}',
        'DELETE /v1/flows/{flowId}',
        'GET /v1/dlp/policies',
        'POST /v1/dlp/policies',
        'GET /v1/dlp/policies/{policyId}',
        'PUT /v1/dlp/policies/{policyId}',
        'DELETE /v1/dlp/policies/{policyId}',
        'POST /v1/dlp/apply',
        'POST /v1/dlp/evaluate',
      ],
      async (ok) => {
        type J = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
        const send = (template: string, args: string[], body: unknown) => ok(admin, template, [...args, '--input', '-'], JSON.stringify(body))
        const groups = (await ok(admin, 'GET /v1/groups', ['/v1/groups'])).body as J
        expect(groups.items.map((g: J) => g.id)).to.include('grp-finance')
        await ok(admin, 'GET /v1/groups/{groupId}', ['/v1/groups/grp-finance'])
        expect(((await ok(admin, 'GET /v1/environments', ['/v1/environments'])).body as J).items[0].id).to.equal('default')
        const env = (await send('POST /v1/environments', ['/v1/environments'], {displayName: 'E2E env', type: 'sandbox'})).body as J
        await ok(admin, 'GET /v1/environments/{environmentId}', [`/v1/environments/${env.id}`])
        const changed = (
          await send('PATCH /v1/environments/{environmentId}', ['PATCH', `/v1/environments/${env.id}`, '-H', `If-Match: ${env.etag}`], {
            displayName: 'E2E env 2',
          })
        ).body as J
        const policyBody = {
          displayName: 'E2E policy',
          environmentScope: 'only',
          environments: [env.id],
          defaultGroup: 'nonBusiness',
          groups: {business: ['shared_sql']},
        }
        const policy = (await send('POST /v1/dlp/policies', ['/v1/dlp/policies'], policyBody)).body as J
        expect(((await ok(admin, 'GET /v1/dlp/policies', [`/v1/dlp/policies?environment=${env.id}`])).body as J).items.map((p: J) => p.id)).to.include(
          policy.id,
        )
        const flow = (await send('POST /v1/flows', ['/v1/flows'], {displayName: 'E2E flow', environmentId: env.id, connectors: [{id: 'shared_sql'}]})).body as J
        const leak = await api(
          admin,
          ['/v1/flows', '--input', '-'],
          JSON.stringify({displayName: 'Leak', environmentId: env.id, connectors: [{id: 'shared_sql'}, {id: 'shared_rss'}]}),
        )
        expect(leak.code, leak.stderr).to.equal(5)
        expect(((await ok(admin, 'GET /v1/flows', [`/v1/flows?environment=${env.id}`])).body as J).items.map((f: J) => f.id)).to.deep.equal([flow.id])
        const renamed = (await send('PATCH /v1/flows/{flowId}', ['PATCH', `/v1/flows/${flow.id}`, '-H', `If-Match: ${flow.etag}`], {displayName: 'E2E flow 2'}))
          .body as J
        const operations = [{op: 'update', id: policy.id, etag: policy.etag, policy: {...policyBody, groups: {blocked: ['shared_sql']}}}]
        const plan = (await send('POST /v1/dlp/apply', ['/v1/dlp/apply'], {dryRun: true, operations})).body as J
        expect(plan.suspended.map((f: J) => f.id)).to.deep.equal([flow.id])
        expect(((await ok(admin, 'GET /v1/flows/{flowId}', [`/v1/flows/${flow.id}`])).body as J).etag).to.equal(renamed.etag)
        const evaluated = (await send('POST /v1/dlp/evaluate', ['/v1/dlp/evaluate'], {environmentId: env.id, connectors: ['shared_sql', 'shared_rss']}))
          .body as J
        expect(evaluated.violations[0]).to.include({kind: 'GROUP_CONFLICT', policyId: policy.id})
        const replaced = (
          await send('PUT /v1/dlp/policies/{policyId}', ['PUT', `/v1/dlp/policies/${policy.id}`, '-H', `If-Match: ${policy.etag}`], {
            ...policyBody,
            displayName: 'E2E policy 2',
          })
        ).body as J
        await ok(admin, 'GET /v1/dlp/policies/{policyId}', [`/v1/dlp/policies/${policy.id}`])
        await ok(admin, 'DELETE /v1/dlp/policies/{policyId}', ['DELETE', `/v1/dlp/policies/${policy.id}`, '-H', `If-Match: ${replaced.etag}`])
        await ok(admin, 'DELETE /v1/flows/{flowId}', ['DELETE', `/v1/flows/${flow.id}`, '-H', `If-Match: ${renamed.etag}`])
        await ok(admin, 'DELETE /v1/environments/{environmentId}', ['DELETE', `/v1/environments/${env.id}`, '-H', `If-Match: ${changed.environment.etag}`])
        const gone = await api(admin, [`/v1/environments/${env.id}`])
        expect(gone.code, gone.stderr).to.equal(6)
      },
    ),
  ).timeout(300_000) // some twenty CLI runs on a loaded machine: a limit, not a threshold

  it(
    'the IP firewall (the tenant default and an environment policy, a decision, a dry run), the sign-in policy and tenant isolation',
    calling(
      [
        'GET /v1/firewall',
        'PUT /v1/firewall',
        'POST /v1/firewall/test',
        'GET /v1/firewall/self',
        'POST /v1/firewall/dry-run',
        'GET /v1/environments/{environmentId}/firewall',
        'PUT /v1/environments/{environmentId}/firewall',
        'GET /v1/signin-policy',
        'PUT /v1/signin-policy',
        'GET /v1/isolation',
        'PUT /v1/isolation',
        'GET /v1/isolation/report',
      ],
      async (ok) => {
        type J = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
        const send = (template: string, args: string[], body: unknown) => ok(admin, template, [...args, '--input', '-'], JSON.stringify(body))
        const current = (await ok(admin, 'GET /v1/firewall', ['/v1/firewall'])).body as J
        expect(current).to.include({scope: 'tenant', enabled: false})
        // Audit-only, so this file's other tests (from 127.0.0.1 too) are never refused.
        const set = (
          await send('PUT /v1/firewall', ['PUT', '/v1/firewall', '-H', `If-Match: ${current.etag}`], {
            enabled: true,
            auditOnly: true,
            allowedRanges: ['127.0.0.1'],
          })
        ).body as J
        expect(set.allowedRanges).to.deep.equal(['127.0.0.1/32'])
        const decision = (await send('POST /v1/firewall/test', ['/v1/firewall/test'], {ip: '203.0.113.7'})).body as J
        expect(decision).to.include({outcome: 'would-block', clientIp: '203.0.113.7'})
        expect((await ok(admin, 'GET /v1/firewall/self', ['/v1/firewall/self'])).body).to.include({outcome: 'allowed', clientIp: '127.0.0.1'})
        const dry = (await send('POST /v1/firewall/dry-run', ['/v1/firewall/dry-run'], {days: 1, policy: {enabled: true, allowedRanges: ['127.0.0.1']}}))
          .body as J
        expect(dry.callerWouldBeBlocked).to.equal(false)
        const env = (await ok(admin, 'GET /v1/environments/{environmentId}/firewall', ['/v1/environments/default/firewall'])).body as J
        expect(env).to.include({scope: 'environment', environmentId: 'default', inheritsTenantDefault: true})
        await send('PUT /v1/environments/{environmentId}/firewall', ['PUT', '/v1/environments/default/firewall', '-H', `If-Match: ${env.etag}`], {
          enabled: false,
        })
        await api(admin, ['PUT', '/v1/firewall', '-H', `If-Match: ${set.etag}`, '--input', '-'], JSON.stringify({enabled: false}))
        // The sign-in policy: a change that blocks nothing this file does (sign-in from anywhere, device code allowed).
        const policy = (await ok(admin, 'GET /v1/signin-policy', ['/v1/signin-policy'])).body as J
        expect(policy).to.include({configured: false})
        const changed = (
          await send('PUT /v1/signin-policy', ['PUT', '/v1/signin-policy', '-H', `If-Match: ${policy.etag}`], {
            blockDeviceCode: {enabled: false, groups: ['grp-finance']},
          })
        ).body as J
        expect(changed.blockDeviceCode).to.deep.equal({enabled: false, groups: ['grp-finance']})
        // Tenant isolation: a partner allowed, isolation left off (nothing this file does is refused); the report.
        const isolation = (await ok(admin, 'GET /v1/isolation', ['/v1/isolation'])).body as J
        const allowed = (
          await send('PUT /v1/isolation', ['PUT', '/v1/isolation', '-H', `If-Match: ${isolation.etag}`], {
            enabled: false,
            allowedTenants: [{tenantId: 'fabrikam.example', inbound: true, outbound: true}],
          })
        ).body as J
        expect(allowed.allowedTenants[0]).to.include({tenantId: FABRIKAM})
        expect((await ok(admin, 'GET /v1/isolation/report', ['/v1/isolation/report'])).body).to.include({isolationEnabled: false})
      },
    ),
  ).timeout(300_000) // some ten CLI runs on a loaded machine: a limit, not a threshold

  it(
    '--paginate follows real pages: every connector, in pages of 5, the same as one page of 200',
    calling(['GET /v1/connectors'], async (ok) => {
      const one = await ok(admin, 'GET /v1/connectors', ['/v1/connectors?limit=200'])
      const all = (one.body as {items: Array<{id: string}>; nextCursor: string | null}).items
      expect((one.body as {nextCursor: string | null}).nextCursor).to.equal(null)
      expect(all.length).to.be.greaterThan(10)
      const paged = await api(admin, ['/v1/connectors?limit=5', '--paginate'])
      expect(paged.code, paged.stderr).to.equal(0)
      // -i prints each page's status line: one per page, so more than one page was fetched
      expect(paged.stderr.match(/^HTTP 200$/gm)).to.have.length(Math.ceil(all.length / 5))
      expect((paged.body as Array<{id: string}>).map((c) => c.id)).to.deep.equal(all.map((c) => c.id))
    }),
  )

  it(
    'the audit log: events paged with --paginate --ndjson, and the event stream up to its head as text',
    calling(['GET /v1/audit/events', 'GET /v1/audit/stream'], async (ok) => {
      const page = await ok(admin, 'GET /v1/audit/events', ['/v1/audit/events?limit=1000'])
      const events = (page.body as {items: Array<{seq: number}>}).items
      expect(events.length).to.be.greaterThan(2)
      const paged = await runCli(['api', 'GET', '/v1/audit/events', '-f', 'limit=2', '--paginate', '--ndjson'], admin.env)
      expect(paged.code, paged.stderr).to.equal(0)
      const seqs = paged.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as {seq: number}).seq)
      // new events may have been written since (this test's own calls are audited): the first page's are all there, in order
      expect(seqs.slice(0, events.length)).to.deep.equal(events.map((e) => e.seq))
      const stream = await ok(admin, 'GET /v1/audit/stream', ['/v1/audit/stream?end=head'])
      expect(stream.body)
        .to.be.a('string')
        .and.match(/^event: end$/m)
    }),
  )

  it(
    "the tenant's keys: status, rotate, lock (423 for the rest of the tenant) and unlock",
    calling(['GET /v1/keys', 'POST /v1/keys/rotate', 'POST /v1/keys/lock', 'POST /v1/keys/unlock'], async (ok) => {
      const status = (await ok(admin, 'GET /v1/keys', ['/v1/keys'])).body as {state: string; keyVersion: number}
      expect(status.state).to.equal('active')
      const rotated = (await ok(admin, 'POST /v1/keys/rotate', ['POST', '/v1/keys/rotate'])).body as {keyVersion: number}
      expect(rotated.keyVersion).to.equal(status.keyVersion + 1)
      expect(((await ok(admin, 'POST /v1/keys/lock', ['POST', '/v1/keys/lock'])).body as {state: string}).state).to.equal('locked')
      const refused = await api(admin, ['/v1/connectors'])
      // Exit 7 (a state to change), with what the admin can do.
      expect(refused.code, refused.stderr).to.equal(7)
      expect(refused.stderr)
        .to.match(/locked/)
        .and.match(/ppctl keys unlock/)
      expect(((await ok(admin, 'POST /v1/keys/unlock', ['POST', '/v1/keys/unlock'])).body as {state: string}).state).to.equal('active')
      expect((await api(admin, ['/v1/connectors'])).status).to.equal(200)
    }),
  ).timeout(120_000)

  it('together the tests above call every cluster and global endpoint of docs/openapi.yaml', () => {
    expect([...new Set(covers.flat())].sort()).to.deep.equal(API_ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort())
  })
})
