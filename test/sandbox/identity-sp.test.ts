// Service principals at the identity: client credentials with a certificate-bound client assertion (private_key_jwt, x5t#S256).
import {expect} from 'chai'
import {createLocalJWKSet, jwtVerify} from 'jose'
import * as client from 'openid-client'

import {API_AUDIENCE} from '../../src/sandbox/seed.js'
import {registerServicePrincipal, startIdentity, type IdentityHarness, type TestServicePrincipal} from '../helpers/identity-server.js'

async function spConfig(h: IdentityHarness, principal: TestServicePrincipal, options: {alg?: 'PS256' | 'RS256'; x5t?: string | null} = {}) {
  const key = await principal.privateKey(options.alg ?? 'PS256')
  const x5t = options.x5t === undefined ? principal.sp.thumbprintS256 : options.x5t
  const auth = client.PrivateKeyJwt(key, {
    [client.modifyAssertion]: (header) => {
      if (x5t !== null) (header as Record<string, unknown>)['x5t#S256'] = x5t
    },
  })
  return client.discovery(new URL(h.issuer), principal.sp.clientId, undefined, auth, {[client.customFetch]: h.fetch})
}

async function refused(promise: Promise<unknown>): Promise<client.ResponseBodyError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).to.be.instanceOf(client.ResponseBodyError)
  return err as client.ResponseBodyError
}

describe('sandbox identity: service principals', () => {
  let h: IdentityHarness
  let principal: TestServicePrincipal

  before(async () => {
    h = await startIdentity()
    principal = registerServicePrincipal(h.directory)
  })

  after(async () => {
    await h?.close()
  })

  it('issues a token for the API to a PS256 assertion carrying the certificate thumbprint', async () => {
    const tokens = await client.clientCredentialsGrant(await spConfig(h, principal))
    const {payload, protectedHeader} = await jwtVerify(tokens.access_token, createLocalJWKSet(h.identity.publicJwks() as never), {
      issuer: h.issuer,
      audience: API_AUDIENCE,
      typ: 'at+jwt',
    })
    expect(protectedHeader.alg).to.equal('PS256')
    const {sp} = principal
    expect(payload).to.include({tid: sp.tenantId, appid: sp.clientId, azp: sp.clientId, client_id: sp.clientId, sub: sp.clientId})
    expect(payload.roles).to.deep.equal(sp.roles)
    expect(payload).not.to.have.property('upn')
    expect(tokens.refresh_token).to.equal(undefined)

    const issued = h.audit.all().find((e) => e.action === 'token.issued' && e.actor.type === 'servicePrincipal')
    expect(issued).to.deep.include({tenantId: sp.tenantId, result: 'succeeded'})
    expect(issued?.actor).to.include({id: sp.clientId, appId: sp.clientId})
    expect(issued?.details).to.include({grantType: 'client_credentials', clientId: sp.clientId})
  })

  it('accepts an RS256 assertion too', async () => {
    const tokens = await client.clientCredentialsGrant(await spConfig(h, principal, {alg: 'RS256'}))
    expect(tokens.access_token).to.be.a('string')
  })

  it('refuses an assertion without x5t#S256 with invalid_client, and audits it', async () => {
    const before = h.audit.all().length
    const err = await refused(client.clientCredentialsGrant(await spConfig(h, principal, {x5t: null})))
    expect(err.error).to.equal('invalid_client')
    const event = h.audit
      .all()
      .slice(before)
      .find((e) => e.action === 'client.auth_failed')
    expect(event).to.include({result: 'failed', tenantId: principal.sp.tenantId})
    expect(String(event?.details?.reason)).to.include('x5t#S256')
  })

  it('refuses an assertion whose x5t#S256 names another certificate', async () => {
    const other = registerServicePrincipal(h.directory, 'other-bot')
    const err = await refused(client.clientCredentialsGrant(await spConfig(h, principal, {x5t: other.sp.thumbprintS256})))
    expect(err.error).to.equal('invalid_client')
  })

  it('refuses an assertion signed by a key other than the registered one', async () => {
    const other = registerServicePrincipal(h.directory, 'third-bot')
    const forged: TestServicePrincipal = {...principal, privateKey: other.privateKey}
    const err = await refused(client.clientCredentialsGrant(await spConfig(h, forged)))
    expect(err.error).to.equal('invalid_client')
  })
})
