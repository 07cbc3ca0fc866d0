// The IP firewall against a real platform, from real source addresses on the loopback range (127.0.0.2, .3, …): allowed, blocked, audit-only, and X-Forwarded-For honoured only from a trusted proxy.
import {expect} from 'chai'
import {Agent, fetch as undiciFetch} from 'undici'

import {localhostLookup} from '../../src/lib/http/localhost-lookup.js'
import {startClusterPlatform, type ClusterPlatform, type Json} from '../helpers/cluster-platform.js'

const ADMIN = 'admin@contoso.example'
const FABRIKAM_ADMIN = 'admin@fabrikam.example'

describe('IP firewall (real platform, real source addresses)', function () {
  // A platform and two sign-ins on a loaded machine: a limit, not a threshold.
  this.timeout(300_000)
  let c: ClusterPlatform
  const agents = new Map<string, Agent>()

  before(async () => {
    c = await startClusterPlatform({PPCTL_SANDBOX_RATE_LIMIT: '1000:2000'})
  })
  after(async () => {
    for (const a of agents.values()) await a.close()
    await c?.stop()
  })

  /** A request whose TCP connection comes from `from` (bound with localAddress), as `upn`. */
  async function call(from: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, upn = ADMIN, cluster = 'eastus-1') {
    let agent = agents.get(from)
    if (!agent) {
      agent = new Agent({localAddress: from, connect: {ca: c.platform.caPem, lookup: localhostLookup as never}})
      agents.set(from, agent)
    }
    const res = await undiciFetch(`https://${c.host(cluster)}${path}`, {
      method,
      dispatcher: agent,
      headers: {authorization: `Bearer ${c.tokens[upn]}`, ...(body === undefined ? {} : {'content-type': 'application/json'}), ...headers},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return {status: res.status, etag: res.headers.get('etag') ?? '', type: res.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Json}
  }
  const put = async (from: string, path: string, policy: Json, query = '') => {
    const current = await call(from, 'GET', path)
    expect(current.status, JSON.stringify(current.body)).to.equal(200)
    return call(from, 'PUT', `${path}${query}`, policy, {'if-match': current.etag})
  }
  const audit = async (from: string, action: string) =>
    (await call(from, 'GET', `/v1/audit/events?action=${action}&limit=500`)).body.items as Array<{action: string; clientIp?: string; details?: Json}>

  it('allowed, blocked (403 IP_BLOCKED, audited), audit-only (passes, request.would_block), from real addresses; other tenants untouched', async () => {
    // Off by default: any address passes.
    expect((await call('127.0.0.3', 'GET', '/v1/users')).status).to.equal(200)

    // Enforce 127.0.0.2/32 from .2 itself: the caller is allowed, so no lockout guard.
    const set = await put('127.0.0.2', '/v1/firewall', {enabled: true, allowedRanges: ['127.0.0.2', '2001:db8::/32']})
    expect(set.status, JSON.stringify(set.body)).to.equal(200)
    expect(set.body.allowedRanges).to.deep.equal(['127.0.0.2/32', '2001:db8::/32'])

    expect((await call('127.0.0.2', 'GET', '/v1/users')).status).to.equal(200)
    const blocked = await call('127.0.0.3', 'GET', '/v1/users')
    expect(blocked.status).to.equal(403)
    expect(blocked.type).to.contain('application/problem+json')
    expect(blocked.body.code).to.equal('IP_BLOCKED')
    expect(blocked.body.detail).to.equal('blocked by the IP firewall of Contoso: your address 127.0.0.3 is not in the allowed ranges')
    expect(blocked.body.clientIp).to.equal('127.0.0.3')
    // Every API request of the tenant: the audit API and the global service's tenant calls too.
    expect((await call('127.0.0.3', 'GET', '/v1/audit/events?limit=1')).body.code).to.equal('IP_BLOCKED')
    // Another tenant's requests from the same address are not this tenant's firewall's business.
    expect((await call('127.0.0.3', 'GET', '/v1/users', undefined, {}, FABRIKAM_ADMIN, 'westus-1')).status).to.not.equal(403)

    // Audit-only: .3 passes, and the log says it would have been blocked.
    const auditOnly = await put('127.0.0.2', '/v1/firewall', {enabled: true, auditOnly: true, allowedRanges: ['127.0.0.2']})
    expect(auditOnly.status, JSON.stringify(auditOnly.body)).to.equal(200)
    expect((await call('127.0.0.3', 'GET', '/v1/users')).status).to.equal(200)
    const would = await audit('127.0.0.2', 'request.would_block')
    expect(would.some((e) => e.clientIp === '127.0.0.3' && e.details?.path === '/v1/users')).to.equal(true)
    // The refusal of the enforcing phase was audited (coalesced per window, so waited for by condition).
    let refused: Array<{details?: Json; clientIp?: string}> = []
    // Each poll is a real request; the test's timeout bounds the wait.
    while (!refused.some((e) => e.details?.code === 'IP_BLOCKED')) refused = await audit('127.0.0.2', 'request.refused')
    const ipRefusal = refused.find((e) => e.details?.code === 'IP_BLOCKED')
    expect(ipRefusal?.clientIp).to.equal('127.0.0.3')
    expect(ipRefusal?.details?.status).to.equal(403)

    // Changes audited with before and after.
    const changes = await audit('127.0.0.2', 'firewall.updated')
    expect(changes.at(-1)?.details?.before?.auditOnly).to.equal(false)
    expect(changes.at(-1)?.details?.after?.auditOnly).to.equal(true)

    // Back to off for the other tests.
    expect((await put('127.0.0.2', '/v1/firewall', {enabled: false})).status).to.equal(200)
  })

  it('X-Forwarded-For is honoured from the trusted proxy only, and a stale ETag is 412', async () => {
    const set = await put('127.0.0.4', '/v1/firewall', {enabled: true, allowedRanges: ['127.0.0.4', '198.51.100.0/24'], trustedProxies: ['127.0.0.5']})
    expect(set.status, JSON.stringify(set.body)).to.equal(200)
    // The proxy (.5) forwards for an allowed client → in; for a blocked one → out, named by its forwarded address.
    expect((await call('127.0.0.5', 'GET', '/v1/users', undefined, {'x-forwarded-for': '198.51.100.7'})).status).to.equal(200)
    const viaProxy = await call('127.0.0.5', 'GET', '/v1/users', undefined, {'x-forwarded-for': '198.51.100.7, 203.0.113.9'})
    expect(viaProxy.status).to.equal(403)
    expect(viaProxy.body.clientIp).to.equal('203.0.113.9')
    // The same header from anyone else is ignored: .6 is judged by its own address.
    const forged = await call('127.0.0.6', 'GET', '/v1/users', undefined, {'x-forwarded-for': '198.51.100.7'})
    expect(forged.status).to.equal(403)
    expect(forged.body.clientIp).to.equal('127.0.0.6')

    const stale = await call('127.0.0.4', 'PUT', '/v1/firewall', {enabled: false}, {'if-match': '"1"'})
    expect(stale.status).to.equal(412)
    expect(stale.body.code).to.equal('PRECONDITION_FAILED')
    expect((await put('127.0.0.4', '/v1/firewall', {enabled: false})).status).to.equal(200)
  })

  it('refuses a policy that would lock the caller out unless forced; validates ranges with their position; explains a decision; dry-runs against the audit log', async () => {
    const lockout = await put('127.0.0.7', '/v1/firewall', {enabled: true, allowedRanges: ['10.0.0.0/8']})
    expect(lockout.status).to.equal(409)
    expect(lockout.body.code).to.equal('FIREWALL_SELF_LOCKOUT')
    expect(lockout.body.clientIp).to.equal('127.0.0.7')

    const bad = await put('127.0.0.7', '/v1/firewall', {enabled: true, allowedRanges: ['127.0.0.0/8', '10.0.0.0/33']})
    expect(bad.status).to.equal(400)
    expect(bad.body.code).to.equal('INVALID_FIREWALL_POLICY')
    expect(bad.body.index).to.equal(1)
    expect(bad.body.detail).to.equal('allowedRanges[1]: prefix length 33 is over 32 for an IPv4 address')
    const tooMany = await put('127.0.0.7', '/v1/firewall', {enabled: true, allowedRanges: Array.from({length: 201}, (_, i) => `10.0.${i}.0/24`)})
    expect(tooMany.status).to.equal(400)

    // An environment of its own: its policy applies to requests about it, the tenant default to the rest.
    const env = await call('127.0.0.7', 'POST', '/v1/environments', {displayName: `Firewalled ${Date.now()}`, type: 'sandbox'})
    expect(env.status, JSON.stringify(env.body)).to.equal(201)
    const envPath = `/v1/environments/${env.body.id}/firewall`
    expect((await put('127.0.0.7', envPath, {enabled: true, allowedRanges: ['127.0.0.7']})).status).to.equal(200)
    expect((await call('127.0.0.8', 'GET', `/v1/environments/${env.body.id}`)).body.code).to.equal('IP_BLOCKED')
    expect((await call('127.0.0.8', 'GET', '/v1/environments')).status).to.equal(200)

    // A deleted environment takes its policy with it (the tenant default no longer lists it).
    const other = await call('127.0.0.7', 'POST', '/v1/environments', {displayName: `Short-lived ${Date.now()}`, type: 'sandbox'})
    const otherPath = `/v1/environments/${other.body.id}/firewall`
    expect((await put('127.0.0.7', otherPath, {enabled: true, allowedRanges: ['127.0.0.7']})).status).to.equal(200)
    expect((await call('127.0.0.7', 'GET', '/v1/firewall')).body.environmentOverrides).to.include(other.body.id)
    expect((await call('127.0.0.7', 'DELETE', `/v1/environments/${other.body.id}`, undefined, {'if-match': other.body.etag})).status).to.equal(204)
    expect((await call('127.0.0.7', 'GET', '/v1/firewall')).body.environmentOverrides).to.not.include(other.body.id)

    const test = await call('127.0.0.7', 'POST', '/v1/firewall/test', {ip: '127.0.0.8', environmentId: env.body.id})
    expect(test.status).to.equal(200)
    expect(test.body).to.include({outcome: 'blocked', policyScope: 'environment', clientIp: '127.0.0.8'})
    const sp = await call('127.0.0.7', 'POST', '/v1/firewall/test', {ip: 'not-an-ip'})
    expect(sp.status).to.equal(400)

    // A change made from .9 is in the audit log with its address: the dry run finds it.
    expect((await call('127.0.0.9', 'POST', '/v1/environments', {displayName: `From nine ${Date.now()}`, type: 'sandbox'})).status).to.equal(201)
    const dry = await call('127.0.0.7', 'POST', '/v1/firewall/dry-run', {days: 1, policy: {enabled: true, allowedRanges: ['127.0.0.7']}})
    expect(dry.status, JSON.stringify(dry.body)).to.equal(200)
    expect((dry.body.wouldBlock as Array<{ip: string}>).map((w) => w.ip)).to.include('127.0.0.9')
    expect(dry.body.callerWouldBeBlocked).to.equal(false)
  })
})
