// logout: revocation at the provider when offered, secrets and caches deleted even offline, --all, an unreachable keychain.
import {expect} from 'chai'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import nock from 'nock'

import {logout} from '../../../src/lib/auth/logout.js'
import {PpctlError, ExitCode} from '../../../src/lib/errors/index.js'
import {fakeClock} from '../../helpers/fake-clock.js'
import {memoryAccess, testContext, type MemoryAccess, type TestContext} from '../../helpers/context.js'

const ISSUER = 'https://login.example.com'

describe('logout', () => {
  let t: TestContext
  let access: MemoryAccess

  beforeEach(async () => {
    access = memoryAccess()
    t = testContext({profile: 'work', clock: fakeClock(), credentials: access})
    await t.ctx.config().update((c) => {
      c.profiles.work = {authority: ISSUER, clientId: 'ppctl', authMethod: 'device-code', account: 'a@x', tenantId: 't', tokenExpiresAt: 'x', signedInAt: 'y'}
      c.profiles.idle = {authority: ISSUER, clientId: 'ppctl'}
    })
    access.entries.set('work', {accessToken: 'at', refreshToken: 'rt-secret', accessTokenExpiresAt: 1})
    mkdirSync(join(t.ctx.paths.cache, 'work'), {recursive: true})
    writeFileSync(join(t.ctx.paths.cache, 'work', 'routes.json'), '{}')
  })
  afterEach(() => {
    nock.cleanAll()
    t.cleanup()
  })

  it('revokes the refresh token, then deletes the secrets, the cache folder and the sign-in facts', async () => {
    let sent: Record<string, string> = {}
    const scope = nock(ISSUER)
      .get('/.well-known/openid-configuration')
      .reply(200, {issuer: ISSUER, token_endpoint: `${ISSUER}/token`, revocation_endpoint: `${ISSUER}/revoke`})
      .post('/revoke', (body: Record<string, string>) => ((sent = body), true))
      .reply(200)
    const result = await logout(t.ctx)
    expect(result.profiles).to.have.length(1)
    expect(result.profiles[0]).to.include({profile: 'work', revoked: true, credentialsDeleted: true})
    expect(sent).to.include({token: 'rt-secret', token_type_hint: 'refresh_token', client_id: 'ppctl'})
    expect(access.entries.has('work')).to.equal(false)
    expect(existsSync(join(t.ctx.paths.cache, 'work'))).to.equal(false)
    expect((await t.ctx.config().read()).profiles.work).to.deep.equal({authority: ISSUER, clientId: 'ppctl'})
    scope.done()
  })

  it('offline: the revocation fails, everything local is deleted anyway', async () => {
    // Discovery is a GET: the HTTP stack retries it (with the test's fake clock), so every attempt is refused.
    nock(ISSUER)
      .get('/.well-known/openid-configuration')
      .times(4)
      .replyWithError(Object.assign(new Error('ECONNREFUSED'), {code: 'ECONNREFUSED'}))
    const result = await logout(t.ctx)
    expect(result.profiles[0]).to.include({revoked: false, revocationNote: 'revocation failed: CONNECTION_REFUSED', credentialsDeleted: true})
    expect(access.entries.has('work')).to.equal(false)
    expect(existsSync(join(t.ctx.paths.cache, 'work'))).to.equal(false)
  })

  it('a provider without a revocation endpoint: signed out, and says so', async () => {
    nock(ISSUER)
      .get('/.well-known/openid-configuration')
      .reply(200, {issuer: ISSUER, token_endpoint: `${ISSUER}/token`})
    const result = await logout(t.ctx)
    expect(result.profiles[0]).to.include({revoked: false, revocationNote: 'the provider offers no revocation'})
    expect(access.entries.has('work')).to.equal(false)
  })

  it('--all: every profile; a profile that never signed in is not blocked by an unreachable keychain', async () => {
    nock(ISSUER)
      .get('/.well-known/openid-configuration')
      .reply(200, {issuer: ISSUER, token_endpoint: `${ISSUER}/token`})
    const open = access.open
    access.open = async (options) => {
      if (options.profile === 'idle') throw new PpctlError('KEYCHAIN_UNAVAILABLE', 'no D-Bus session bus')
      return open(options)
    }
    const result = await logout(t.ctx, {all: true})
    expect(result.profiles.map((p) => [p.profile, p.credentialsDeleted])).to.deep.equal([
      ['work', true],
      ['idle', false],
    ])
  })

  it('an unknown profile: exit 6', async () => {
    const other = testContext({profile: 'ghost', credentials: access})
    try {
      await logout(other.ctx)
      expect.fail('expected a rejection')
    } catch (err) {
      expect((err as PpctlError).exitCode).to.equal(ExitCode.NOT_FOUND)
    } finally {
      other.cleanup()
    }
  })
})
