// getAccessToken: the cache, refresh 5 minutes ahead under the lock, re-reading after the lock, invalid_grant.
import {expect} from 'chai'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import nock from 'nock'

import {REFRESH_AHEAD_MS} from '../../../src/lib/auth/token-lifecycle.js'
import {ExitCode} from '../../../src/lib/errors/index.js'
import {fakeClock} from '../../helpers/fake-clock.js'
import {rejection} from '../../helpers/rejection.js'
import {memoryAccess, testContext, type MemoryAccess, type TestContext} from '../../helpers/context.js'

const ISSUER = 'https://login.example.com'
const METADATA = {issuer: ISSUER, token_endpoint: `${ISSUER}/token`, revocation_endpoint: `${ISSUER}/token/revocation`}

describe('token lifecycle', () => {
  let t: TestContext
  let access: MemoryAccess
  const clock = fakeClock()

  beforeEach(async () => {
    access = memoryAccess()
    t = testContext({clock, profile: 'work', credentials: access})
    await t.ctx.config().update((c) => {
      c.profiles.work = {authority: ISSUER, clientId: 'ppctl', authMethod: 'device-code', account: 'a@contoso.example', tokenExpiresAt: 'x'}
    })
  })
  afterEach(() => {
    nock.cleanAll()
    t.cleanup()
  })

  it('returns the cached token while it has more than 5 minutes left, without the lock or the network', async () => {
    access.entries.set('work', {accessToken: 'cached', accessTokenExpiresAt: clock.now() + REFRESH_AHEAD_MS + 1000, refreshToken: 'rt'})
    const token = await t.ctx.tokens().get()
    expect(token).to.include({token: 'cached', source: 'cache', profile: 'work'})
    expect(access.locks).to.equal(0)
  })

  it('refreshes 5 minutes ahead of expiry, under the lock, and keeps the rotated refresh token', async () => {
    access.entries.set('work', {accessToken: 'old', accessTokenExpiresAt: clock.now() + REFRESH_AHEAD_MS - 1000, refreshToken: 'rt-1', idToken: 'id-1'})
    let sent: Record<string, string> = {}
    const scope = nock(ISSUER)
      .get('/.well-known/openid-configuration')
      .reply(200, METADATA)
      .post('/token', (body: Record<string, string>) => ((sent = body), true))
      .reply(200, {access_token: 'new', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-2'})
    const token = await t.ctx.tokens().get()
    expect(token).to.include({token: 'new', source: 'refreshed'})
    expect(sent).to.include({grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'ppctl'})
    expect(access.locks).to.equal(1)
    expect(access.entries.get('work')).to.deep.equal({accessToken: 'new', accessTokenExpiresAt: clock.now() + 3600_000, refreshToken: 'rt-2', idToken: 'id-1'})
    const profile = (await t.ctx.config().read()).profiles.work
    expect(profile.tokenExpiresAt).to.equal(new Date(clock.now() + 3600_000).toISOString())
    expect(JSON.stringify(profile)).not.to.match(/rt-2|new"/)
    scope.done()
  })

  it('re-reads the store after taking the lock: another process refreshed, so no request is made', async () => {
    access.entries.set('work', {accessToken: 'old', accessTokenExpiresAt: clock.now() - 1, refreshToken: 'rt-1'})
    const inner = access.withLock
    access.withLock = async (profile, fn) => {
      access.entries.set('work', {accessToken: 'by-other', accessTokenExpiresAt: clock.now() + 3600_000, refreshToken: 'rt-2'})
      return inner(profile, fn)
    }
    const token = await t.ctx.tokens().get()
    expect(token).to.include({token: 'by-other', source: 'cache'})
    expect(nock.pendingMocks()).to.deep.equal([])
  })

  it('invalid_grant: exit 4 "sign in again", tokens, cache folder and sign-in facts deleted', async () => {
    access.entries.set('work', {accessToken: 'old', accessTokenExpiresAt: clock.now() - 1, refreshToken: 'revoked'})
    const cacheDir = join(t.ctx.paths.cache, 'work')
    mkdirSync(cacheDir, {recursive: true})
    writeFileSync(join(cacheDir, 'routes.json'), '{}')
    const scope = nock(ISSUER)
      .get('/.well-known/openid-configuration')
      .reply(200, METADATA)
      .post('/token')
      .reply(400, {error: 'invalid_grant', error_description: 'grant request is invalid'}, {'content-type': 'application/json'})
    const err = await rejection(t.ctx.tokens().get())
    expect(err.code).to.equal('SESSION_EXPIRED')
    expect(err.exitCode).to.equal(ExitCode.AUTH_REQUIRED)
    expect(err.nextStep).to.equal('sign in again: ppctl auth login')
    expect(access.entries.has('work')).to.equal(false)
    expect(existsSync(cacheDir)).to.equal(false)
    const profile = (await t.ctx.config().read()).profiles.work
    expect(profile).to.deep.equal({authority: ISSUER, clientId: 'ppctl'})
    scope.done()
  })

  it('a profile that never signed in: exit 4 NOT_SIGNED_IN naming the profile', async () => {
    await t.ctx.config().update((c) => {
      c.profiles.work = {authority: ISSUER, clientId: 'ppctl'}
    })
    const fresh = testContext({clock, profile: 'work', credentials: access})
    try {
      await fresh.ctx.config().update((c) => {
        c.profiles.work = {authority: ISSUER}
      })
      const err = await rejection(fresh.ctx.tokens().get())
      expect(err.code).to.equal('NOT_SIGNED_IN')
      expect(err.exitCode).to.equal(ExitCode.AUTH_REQUIRED)
      expect(err.message).to.contain('"work"')
      expect(err.nextStep).to.equal('sign in again: ppctl auth login --profile work')
    } finally {
      fresh.cleanup()
    }
  })

  it('a network failure during refresh keeps the tokens and exits 8', async () => {
    access.entries.set('work', {accessToken: 'old', accessTokenExpiresAt: clock.now() - 1, refreshToken: 'rt-1'})
    nock(ISSUER)
      .get('/.well-known/openid-configuration')
      .reply(200, METADATA)
      .post('/token')
      .replyWithError(Object.assign(new Error('ECONNRESET'), {code: 'ECONNRESET'}))
    const err = await rejection(t.ctx.tokens().get())
    expect(err.exitCode).to.equal(ExitCode.UNREACHABLE)
    expect(access.entries.get('work')?.refreshToken).to.equal('rt-1')
  })
})
