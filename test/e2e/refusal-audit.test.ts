// Refusals are audited where the tenant sees them: the gateway's 401s (coalesced, in the log of the tid the token claims) and the global service's 403s.
import {expect} from 'chai'
import {generateKeyPairSync} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {SignJWT, decodeJwt, decodeProtectedHeader, importJWK, type JWK} from 'jose'

import {followAudit, waitForOperatorEvents, type FollowedEvent} from '../helpers/audit-follow.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {deviceSignIn} from '../helpers/tokens.js'

const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const FABRIKAM = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'
const OPERATOR = '00000000-0000-4000-8000-0000000000ff'

const total = (events: FollowedEvent[]) => events.reduce((n, e) => n + (e.details?.count as number), 0)

describe('refusal audit (real platform)', function () {
  let platform: TestPlatform
  let client: TestClient
  let contosoAdmin: string
  let fabrikamAdmin: string

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
    contosoAdmin = (await deviceSignIn(client, platform, 'admin@contoso.example')).access_token
    fabrikamAdmin = (await deviceSignIn(client, platform, 'admin@fabrikam.example')).access_token
  })

  after(async () => {
    await platform?.stop()
    await client?.close()
  })

  const home = async (authorization: string, correlationId?: string) => {
    const res = await client.fetch(`${platform.urls.global}/v1/me/home`, {
      headers: {authorization, ...(correlationId ? {'x-correlation-id': correlationId} : {})},
    })
    await res.arrayBuffer()
    return res.status
  }

  /** The admin's token re-signed with a key of the attacker's: the tid still names the admin's tenant. */
  const forge = (token: string) =>
    new SignJWT(decodeJwt(token)).setProtectedHeader(decodeProtectedHeader(token) as never).sign(generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey)

  /** The token with the platform's real key but the given claims (the test reads the key from the data folder). */
  async function reissue(token: string, change: Record<string, unknown>): Promise<string> {
    const jwks = JSON.parse(readFileSync(join(platform.dataDir, 'identity', 'jwks.json'), 'utf8')) as {keys: JWK[]}
    const header = decodeProtectedHeader(token)
    const key = await importJWK(jwks.keys.find((k) => k.kid === header.kid) ?? jwks.keys[0], header.alg)
    return new SignJWT({...decodeJwt(token), ...change}).setProtectedHeader(header as never).sign(key)
  }

  const refusals = (code: string, reason: string) => (events: FollowedEvent[]) => events.filter((e) => e.details?.code === code && e.details?.reason === reason)

  it("records forged tokens naming contoso's tid in contoso's log, anonymously, coalesced with a count", async () => {
    const forged = await forge(contosoAdmin)
    const started = Date.now()
    const statuses = await Promise.all([1, 2, 3].map((i) => home(`Bearer ${forged}`, `forged-${i}`)))
    const elapsed = Date.now() - started
    expect(statuses).to.deep.equal([401, 401, 401])

    const pick = refusals('UNAUTHENTICATED', 'the token signature is invalid')
    const events = pick(await followAudit(platform, client, contosoAdmin, 'request.refused', (seen) => total(pick(seen)) >= 3))
    expect(total(events)).to.equal(3)
    // One event per second of refusals from this source at most: here the three requests took `elapsed` ms.
    expect(events.length).to.be.at.most(Math.ceil(elapsed / 1000) + 1)
    for (const e of events) {
      expect(e).to.deep.include({tenantId: CONTOSO, action: 'request.refused', result: 'failed', actor: {type: 'anonymous'}, clientIp: '127.0.0.1'})
      expect(e.details).to.include({status: 401, host: 'global.sandbox.localhost'})
      expect(e.details?.count).to.be.a('number').and.above(0)
      expect(Date.parse(e.details?.lastAt as string)).to.be.at.least(Date.parse(e.details?.firstAt as string))
      expect(e.correlationId).to.match(/^forged-[123]$/)
    }
  })

  it("records an expired token naming contoso's tid in contoso's log", async () => {
    const now = Math.floor(Date.now() / 1000)
    const expired = await reissue(contosoAdmin, {iat: now - 7200, exp: now - 3600})
    expect(await home(`Bearer ${expired}`, 'expired-1')).to.equal(401)
    const pick = refusals('UNAUTHENTICATED', 'the token has expired')
    const events = pick(await followAudit(platform, client, contosoAdmin, 'request.refused', (seen) => total(pick(seen)) >= 1))
    expect(events).to.have.length(1)
    expect(events[0]).to.deep.include({tenantId: CONTOSO, correlationId: 'expired-1', actor: {type: 'anonymous'}})
    expect(events[0].details).to.include({status: 401, count: 1})
  })

  it('turns a flood of forged tokens into few events whose counts add up to every request', async function () {
    this.timeout(180_000)
    const FLOOD = 1000
    const forged = `Bearer ${await forge(fabrikamAdmin)}`
    const started = Date.now()
    let sent = 0
    const worker = async () => {
      while (sent < FLOOD) {
        sent += 1
        expect(await home(forged)).to.equal(401)
      }
    }
    await Promise.all(Array.from({length: 25}, worker))
    const elapsed = Date.now() - started

    const pick = refusals('UNAUTHENTICATED', 'the token signature is invalid')
    const events = pick(await followAudit(platform, client, fabrikamAdmin, 'request.refused', (seen) => total(pick(seen)) >= FLOOD, 150_000))
    expect(total(events)).to.equal(FLOOD)
    expect(events.every((e) => e.tenantId === FABRIKAM)).to.equal(true)
    // One source, one reason: at most one event for each second the flood lasted (and one for a window it straddled).
    expect(events.length, `${events.length} events for ${FLOOD} requests in ${elapsed} ms`).to.be.at.most(Math.ceil(elapsed / 1000) + 1)
  })

  it("records a token without a usable tid in the operator's log only", async () => {
    for (let i = 0; i < 4; i++) expect(await home('Bearer not.a-jwt.at-all')).to.equal(401)
    const pick = refusals('UNAUTHENTICATED', 'the token is malformed')
    const events = pick(await waitForOperatorEvents(platform, 'request.refused', (seen) => total(pick(seen)) >= 4))
    // Every one of the four is counted here, so none went to a tenant's log.
    expect(total(events)).to.equal(4)
    expect(events.every((e) => e.tenantId === OPERATOR)).to.equal(true)
  })

  it("records the global service's 403 (contoso's app user asking for fabrikam's home) in contoso's log", async () => {
    const appUser = (await deviceSignIn(client, platform, 'user@contoso.example')).access_token
    const res = await client.fetch(`${platform.urls.global}/v1/tenants/${FABRIKAM}/home`, {
      headers: {authorization: `Bearer ${appUser}`, 'x-correlation-id': 'peek-at-fabrikam'},
    })
    expect(res.status).to.equal(403)
    expect(((await res.json()) as {code: string}).code).to.equal('TENANT_ACCESS_DENIED')

    const events = await followAudit(platform, client, contosoAdmin, 'request.refused', (seen) => seen.some((e) => e.correlationId === 'peek-at-fabrikam'))
    const denied = events.find((e) => e.correlationId === 'peek-at-fabrikam')!
    expect(denied).to.deep.include({tenantId: CONTOSO, result: 'failed'})
    expect(denied.actor).to.include({type: 'user', upn: 'user@contoso.example'})
    expect(denied.details).to.deep.include({status: 403, code: 'TENANT_ACCESS_DENIED', method: 'GET', path: `/v1/tenants/${FABRIKAM}/home`})
  })
})
