// `ppctl auth token` in-process: the token on stdout only, --json, renewal under the lock, and the exit-4 paths.
import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import nock from 'nock'

import AuthToken from '../../../src/commands/auth/token.js'
import {REFRESH_AHEAD_MS} from '../../../src/lib/auth/token-lifecycle.js'
import {runCommand} from '../../helpers/command.js'
import {AUTHORITY, fakePlatform, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectNoSecrets, identityProvider, jwt} from '../../helpers/fake-idp.js'

describe('auth token (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  for (const tty of [false, true]) {
    it(`prints the cached token and nothing else (${tty ? 'terminal' : 'pipe'}), no lock, no request`, async () => {
      p = await fakePlatform({tty})
      const res = await runCommand(AuthToken, [], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.equal('test-access-token\n')
      expect(res.stderr).to.equal('')
      expect(p.credentials.locks).to.equal(0)
      // Its own output is the one place the access token may appear; the refresh token never does.
      expectNoSecrets(res, ['test-refresh-token'])
    })
  }

  it('--json: the token, its type, expiry and profile', async () => {
    p = await fakePlatform()
    const res = await runCommand(AuthToken, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json()).to.deep.equal({
      accessToken: 'test-access-token',
      tokenType: 'Bearer',
      expiresAt: new Date(p.clock.now() + 3600_000).toISOString(),
      profile: 'work',
    })
    expect(res.stderr).to.equal('')
  })

  it('near expiry: refreshed under the lock, the rotated refresh token stored, only the new access token printed', async () => {
    p = await fakePlatform({debug: true})
    p.credentials.entries.set('work', {
      accessToken: 'test-access-token',
      accessTokenExpiresAt: p.clock.now() + REFRESH_AHEAD_MS - 1000,
      refreshToken: 'test-refresh-token',
    })
    let sent: Record<string, string> = {}
    identityProvider()
      .post('/token', (body: Record<string, string>) => ((sent = body), true))
      .reply(200, {access_token: 'new-access-token', token_type: 'Bearer', expires_in: 1800, refresh_token: 'rotated-refresh-token'})
    const res = await runCommand(AuthToken, ['--debug'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal('new-access-token\n')
    expect(sent).to.include({grant_type: 'refresh_token', refresh_token: 'test-refresh-token', client_id: 'ppctl'})
    expect(p.credentials.locks).to.equal(1)
    expect(p.credentials.entries.get('work')).to.include({
      accessToken: 'new-access-token',
      refreshToken: 'rotated-refresh-token',
      accessTokenExpiresAt: p.clock.now() + 1800_000,
    })
    expect((await p.ctx.config().read()).profiles.work.tokenExpiresAt).to.equal(new Date(p.clock.now() + 1800_000).toISOString())
    // --debug traces the requests on stderr: never a secret there, not the old nor the new ones.
    expect(res.stderr).to.contain('/token')
    expect(res.stderr).not.to.contain('new-access-token')
    expectNoSecrets({stdout: '', stderr: res.stderr})
  })

  it('--force-refresh renews a fresh token', async () => {
    p = await fakePlatform()
    identityProvider().post('/token').reply(200, {access_token: 'new-access-token', token_type: 'Bearer', expires_in: 3600})
    const res = await runCommand(AuthToken, ['--force-refresh', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json()).to.include({accessToken: 'new-access-token'})
    // No rotation in the answer: the refresh token is kept.
    expect(p.credentials.entries.get('work')?.refreshToken).to.equal('test-refresh-token')
  })

  it('invalid_grant: exit 4, secrets, routing cache and sign-in facts forgotten; no secret printed, even with --debug', async () => {
    p = await fakePlatform({debug: true})
    p.credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: p.clock.now() - 1, refreshToken: 'test-refresh-token'})
    const cacheDir = join(p.ctx.paths.cache, 'work')
    expect(existsSync(join(cacheDir, 'routes.json'))).to.equal(true)
    identityProvider().post('/token').reply(400, {error: 'invalid_grant', error_description: 'grant request is invalid'}, {'content-type': 'application/json'})
    const res = await runCommand(AuthToken, ['--debug'], p)
    expect(res.code).to.equal(4)
    expect(res.stdout).to.equal('')
    expect(res.stderr)
      .to.match(/^Error: The sign-in of profile "work" has expired or was revoked/m)
      .and.to.match(/Next: .*ppctl auth login/)
    expect(res.stderr).to.contain('[debug] HTTP')
    expect(p.credentials.entries.has('work')).to.equal(false)
    expect(existsSync(cacheDir)).to.equal(false)
    expect((await p.ctx.config().read()).profiles.work).not.to.have.any.keys('account', 'tenantId', 'authMethod', 'tokenExpiresAt')
    expectNoSecrets(res)
  })

  it('invalid_grant under --json: the error document with SESSION_EXPIRED and exit code 4', async () => {
    p = await fakePlatform()
    p.credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: p.clock.now() - 1, refreshToken: 'test-refresh-token'})
    identityProvider().post('/token').reply(400, {error: 'invalid_grant'}, {'content-type': 'application/json'})
    const res = await runCommand(AuthToken, ['--json'], p)
    expect(res.code).to.equal(4)
    expect(res.json<{error: Record<string, unknown>}>().error).to.include({code: 'SESSION_EXPIRED', exitCode: 4})
    expectNoSecrets(res)
  })

  it('expired without a refresh token: exit 4 before any request, and the sign-in is forgotten', async () => {
    p = await fakePlatform()
    p.credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: p.clock.now() - 1})
    const res = await runCommand(AuthToken, [], p)
    expect(res.code).to.equal(4)
    expect(res.stderr).to.contain('cannot be renewed')
    expect(p.credentials.entries.has('work')).to.equal(false)
    expectNoSecrets(res)
  })

  it('not signed in: exit 4 naming the profile, nothing on stdout', async () => {
    p = await fakePlatform()
    await p.ctx.config().update((c) => void delete c.profiles.work.authMethod)
    const res = await runCommand(AuthToken, [], p)
    expect(res.code).to.equal(4)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.contain('Profile "work" is not signed in.').and.to.contain('--profile work')
    expectNoSecrets(res)
  })

  it('tokens of another identity provider: exit 4 IDENTITY_PROVIDER_CHANGED, the token not printed', async () => {
    p = await fakePlatform()
    const foreign = jwt({iss: 'https://login.elsewhere.example.com', tid: 't'})
    p.credentials.entries.set('work', {accessToken: foreign, accessTokenExpiresAt: p.clock.now() + 3600_000, refreshToken: 'test-refresh-token'})
    const res = await runCommand(AuthToken, ['--json'], p)
    expect(res.code).to.equal(4)
    expect(res.json<{error: Record<string, unknown>}>().error).to.include({code: 'IDENTITY_PROVIDER_CHANGED'})
    expect(res.stdout).not.to.contain(foreign)
    expect(res.stdout).to.contain(AUTHORITY)
    expect(nock.pendingMocks()).to.deep.equal([])
  })
})
