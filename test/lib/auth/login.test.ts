// login's checks before any request, and the device path writing secrets to the store and only facts to the profile.
import {expect} from 'chai'
import nock from 'nock'

import {login} from '../../../src/lib/auth/login.js'
import {ExitCode} from '../../../src/lib/errors/index.js'
import {fakeClock} from '../../helpers/fake-clock.js'
import {rejection} from '../../helpers/rejection.js'
import {memoryAccess, testContext, type MemoryAccess, type TestContext} from '../../helpers/context.js'

const ISSUER = 'https://login.example.com'
const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')

describe('login', () => {
  let t: TestContext
  let access: MemoryAccess
  const clock = fakeClock()

  beforeEach(() => {
    access = memoryAccess()
    t = testContext({clock, profile: 'work', credentials: access})
  })
  afterEach(() => {
    nock.cleanAll()
    t.cleanup()
  })

  it('refuses an http authority, a missing authority, a missing client id, and a certificate without --client-id/--tenant', async () => {
    expect((await rejection(login(t.ctx, {authority: 'http://login.example.com', clientId: 'x'}))).code).to.equal('INSECURE_AUTHORITY')
    expect((await rejection(login(t.ctx, {}))).code).to.equal('AUTHORITY_REQUIRED')
    expect((await rejection(login(t.ctx, {authority: ISSUER}))).code).to.equal('CLIENT_ID_REQUIRED')
    const cert = await rejection(login(t.ctx, {authority: ISSUER, certificate: 'x.pem', clientId: 'sp'}))
    expect(cert.code).to.equal('CERTIFICATE_FLAGS_REQUIRED')
    expect(cert.exitCode).to.equal(ExitCode.USAGE)
    expect(access.entries.size).to.equal(0)
    expect((await t.ctx.config().read()).profiles).to.deep.equal({})
  })

  it('device code: tokens to the store, who/tenant/expiry to the profile, the code to the caller', async () => {
    const access_token = `${enc({alg: 'none'})}.${enc({tid: 'tenant-1', upn: 'a@contoso.example'})}.sig`
    const scope = nock(ISSUER)
      .get('/.well-known/openid-configuration')
      .reply(200, {issuer: ISSUER, token_endpoint: `${ISSUER}/token`, device_authorization_endpoint: `${ISSUER}/device/auth`})
      .post('/device/auth')
      .reply(200, {device_code: 'dc', user_code: 'ABCD-EFGH', verification_uri: `${ISSUER}/device`, expires_in: 600})
      .post('/token')
      .reply(200, {access_token, token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt'})
    const shown: string[] = []
    const result = await login(t.ctx, {authority: ISSUER, clientId: 'ppctl', onDeviceCode: (info) => shown.push(info.userCode)})
    expect(shown).to.deep.equal(['ABCD-EFGH'])
    expect(result).to.include({profile: 'work', method: 'device-code', account: 'a@contoso.example', tenantId: 'tenant-1', credentialStore: 'memory'})
    expect(access.entries.get('work')).to.include({accessToken: access_token, refreshToken: 'rt'})
    const profile = (await t.ctx.config().read()).profiles.work
    expect(profile).to.include({authority: ISSUER, clientId: 'ppctl', account: 'a@contoso.example', tenantId: 'tenant-1', authMethod: 'device-code'})
    expect(JSON.stringify(profile)).not.to.contain('rt"').and.not.to.contain(access_token)
    expect(access.locks).to.equal(1)
    scope.done()
  })

  it('persists only what the flags say, never PPCTL_* overrides', async () => {
    const env = testContext({
      clock,
      profile: 'work',
      env: {PPCTL_CA_FILE: '/tmp/ca.pem', PPCTL_AUTHORITY: ISSUER, PPCTL_CLIENT_ID: 'ppctl'},
      credentials: access,
    })
    try {
      nock(ISSUER)
        .get('/.well-known/openid-configuration')
        .reply(200, {issuer: ISSUER, token_endpoint: `${ISSUER}/token`, device_authorization_endpoint: `${ISSUER}/device/auth`})
        .post('/device/auth')
        .reply(200, {device_code: 'dc', user_code: 'U', verification_uri: `${ISSUER}/device`, expires_in: 600})
        .post('/token')
        .reply(200, {access_token: 'at', token_type: 'Bearer', expires_in: 3600})
      // The CA file does not exist, so the HTTP stack cannot be built with it: give the context one without it.
      const ctx = {...env.ctx, http: t.ctx.http}
      await login(ctx, {})
      const profile = (await env.ctx.config().read()).profiles.work
      expect(profile).not.to.have.any.keys('caFile', 'authority', 'clientId')
      expect(profile).to.include({authMethod: 'device-code'})
    } finally {
      env.cleanup()
    }
  })
})
