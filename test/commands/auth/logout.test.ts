// `ppctl auth logout` in-process: revocation at the provider, secrets and caches deleted (offline too), --all, --json.
import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import nock from 'nock'

import AuthLogout from '../../../src/commands/auth/logout.js'
import type {LogoutResult} from '../../../src/lib/auth/logout.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectNoSecrets, identityProvider, METADATA} from '../../helpers/fake-idp.js'

describe('auth logout (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  const signedOut = async (t: FakePlatform, profile = 'work', clientId = 'ppctl') => {
    expect(t.credentials.entries.has(profile), 'secrets kept').to.equal(false)
    expect(existsSync(join(t.ctx.paths.cache, profile)), 'cache folder kept').to.equal(false)
    const stored = (await t.ctx.config().read()).profiles[profile]
    expect(stored).not.to.have.any.keys('account', 'tenantId', 'authMethod', 'tokenExpiresAt')
    // The settings stay: signing in again needs no flags.
    expect(stored).to.include({clientId, globalUrl: 'https://global.example.com'})
  }

  for (const tty of [false, true]) {
    it(`revokes the refresh token, deletes secrets, cache and sign-in facts (${tty ? 'terminal' : 'pipe'}); no secret printed with --debug`, async () => {
      p = await fakePlatform({tty, debug: true})
      let sent: Record<string, string> = {}
      identityProvider()
        .post('/token/revocation', (body: Record<string, string>) => ((sent = body), true))
        .reply(200)
      const res = await runCommand(AuthLogout, ['--debug'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.equal('Signed out of "work": secrets and cache deleted, refresh token revoked.\n')
      expect(sent).to.include({token: 'test-refresh-token', token_type_hint: 'refresh_token', client_id: 'ppctl'})
      expect(res.stderr).to.contain('/token/revocation')
      expect(p.credentials.locks).to.equal(1)
      await signedOut(p)
      expectNoSecrets(res)
    })
  }

  it('--json: the entry per profile; a provider without revocation still signs out', async () => {
    p = await fakePlatform()
    identityProvider(1, {...METADATA, revocation_endpoint: undefined})
    const res = await runCommand(AuthLogout, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<LogoutResult>()).to.deep.equal({
      profiles: [
        {
          profile: 'work',
          revoked: false,
          revocationNote: 'the provider offers no revocation',
          credentialsDeleted: true,
          cacheDeleted: join(p.ctx.paths.cache, 'work'),
        },
      ],
    })
    await signedOut(p)
  })

  it('the provider is down (5xx on discovery): signed out anyway, the note says revocation failed', async () => {
    p = await fakePlatform()
    nock('https://login.example.com').get('/.well-known/openid-configuration').reply(503, 'down').persist()
    const res = await runCommand(AuthLogout, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/^Signed out of "work": secrets and cache deleted \(not revoked: revocation failed: [A-Z_]+\)\.$/m)
    await signedOut(p)
    expectNoSecrets(res)
  })

  it('no refresh token: no request at all, signed out', async () => {
    p = await fakePlatform()
    p.credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: p.clock.now() + 3600_000})
    const res = await runCommand(AuthLogout, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.contain('(not revoked: no refresh token)')
    await signedOut(p)
  })

  it('--all: every profile, each at its own provider', async () => {
    p = await fakePlatform()
    await p.ctx.config().update(
      (c) =>
        void (c.profiles.other = {
          authority: 'https://login.other.example.com',
          clientId: 'other-app',
          authMethod: 'device-code',
          globalUrl: 'https://global.example.com',
        }),
    )
    p.credentials.entries.set('other', {accessToken: 'x', refreshToken: 'other-refresh', accessTokenExpiresAt: p.clock.now() + 3600_000})
    identityProvider().post('/token/revocation').reply(200)
    let sent: Record<string, string> = {}
    nock('https://login.other.example.com')
      .get('/.well-known/openid-configuration')
      .reply(200, {
        issuer: 'https://login.other.example.com',
        token_endpoint: 'https://login.other.example.com/token',
        revocation_endpoint: 'https://login.other.example.com/revoke',
      })
      .post('/revoke', (body: Record<string, string>) => ((sent = body), true))
      .reply(200)
    const res = await runCommand(AuthLogout, ['--all', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<LogoutResult>().profiles.map((x) => [x.profile, x.revoked])).to.deep.equal([
      ['work', true],
      ['other', true],
    ])
    expect(sent).to.include({token: 'other-refresh', client_id: 'other-app'})
    await signedOut(p)
    await signedOut(p, 'other', 'other-app')
  })

  it('a profile that does not exist: exit 6, nothing deleted', async () => {
    p = await fakePlatform({profile: 'nope'})
    const res = await runCommand(AuthLogout, [], p)
    expect(res.code).to.equal(6)
    expect(res.stderr).to.contain('There is no profile "nope".')
    expect(p.credentials.entries.has('work')).to.equal(true)
  })
})
