// `ppctl auth status` in-process: every profile's sign-in, offline; --json; exit 4 when the identity provider changed.
import {expect} from 'chai'
import nock from 'nock'

import AuthStatus from '../../../src/commands/auth/status.js'
import type {StatusResult} from '../../../src/lib/auth/status.js'
import {runCommand} from '../../helpers/command.js'
import {tsvRecords} from '../../helpers/tsv.js'
import {AUTHORITY, fakePlatform, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectNoSecrets, jwt} from '../../helpers/fake-idp.js'

describe('auth status (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  /** A second profile, never signed in, that is not the active one. */
  const addOther = (t: FakePlatform) =>
    t.ctx.config().update((c) => void (c.profiles.other = {authority: 'https://login.other.example.com', clientId: 'ppctl'}))

  it('in a pipe: TSV, one line per profile, the active one marked', async () => {
    p = await fakePlatform({columns: 120})
    await addOther(p)
    const res = await runCommand(AuthStatus, [], p)
    expect(res.code, res.stderr).to.equal(0)
    const rows = tsvRecords(res.stdout)
    expect(rows.map((r) => [r.Profile, r.Active, r['Signed in'], r.Account, r.Tenant])).to.deep.equal([
      ['other', 'no', 'no', '-', '-'],
      ['work', 'yes', 'yes', 'admin@contoso.example', TENANT],
    ])
    expectNoSecrets(res)
  })

  {
    const tty = true
    it(`shows each profile, the active one marked, without a secret or a request (${tty ? 'terminal' : 'pipe'})`, async () => {
      p = await fakePlatform({tty, columns: 120, debug: true})
      await addOther(p)
      const res = await runCommand(AuthStatus, ['--debug'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.match(/^\* work \(active\)$/m)
      expect(res.stdout).to.match(/^ {2}other$/m)
      expect(res.stdout).to.match(/Signed in: +yes/)
      expect(res.stdout).to.match(/Signed in: +no\n/)
      expect(res.stdout).to.match(/Account: +admin@contoso\.example/)
      expect(res.stdout).to.match(new RegExp(`Tenant: +${TENANT}`))
      expect(res.stdout).to.contain(`Token expires:     ${new Date(p.clock.now() + 3600_000).toISOString()} (renewed automatically)`)
      expect(res.stdout).to.match(/Credential store: +memory \(memory \(test\)\)/)
      expect(res.stdout).to.match(/Routing cache: +\d+ s old/)
      expect(res.stdout).to.match(/Routing cache: +none/)
      expect(res.stdout).not.to.match(/\u001b/)
      expectNoSecrets(res)
      expect(nock.pendingMocks()).to.deep.equal([])
    })
  }

  it('--json: every profile with its facts; nothing on stderr', async () => {
    p = await fakePlatform()
    await addOther(p)
    const res = await runCommand(AuthStatus, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    const out = res.json<StatusResult>()
    expect(out.mode).to.equal('profile')
    expect(out.profiles.map((x) => x.profile)).to.deep.equal(['other', 'work'])
    const work = out.profiles.find((x) => x.profile === 'work')!
    expect(work).to.deep.include({
      active: true,
      signedIn: true,
      account: 'admin@contoso.example',
      tenantId: TENANT,
      method: 'device-code',
      hasRefreshToken: true,
      authority: AUTHORITY,
    })
    expect(work.tokenExpiresAt).to.equal(new Date(p.clock.now() + 3600_000).toISOString())
    expect(work.credentialStore).to.deep.equal({kind: 'memory', location: 'memory (test)'})
    expect(work.routingCacheAgeSeconds).to.be.a('number')
    expect(work).not.to.have.property('problem')
    expect(out.profiles.find((x) => x.profile === 'other')).to.deep.include({active: false, signedIn: false, method: null, routingCacheAgeSeconds: null})
    expectNoSecrets(res)
  })

  it('signed out (no tokens, no sign-in method): exit 0, "Signed in no"', async () => {
    p = await fakePlatform()
    p.credentials.entries.delete('work')
    await p.ctx.config().update((c) => void delete c.profiles.work.authMethod)
    const res = await runCommand(AuthStatus, ['--json'], p)
    expect(res.code).to.equal(0)
    expect(res.json<StatusResult>().profiles[0]).to.include({profile: 'work', signedIn: false})
  })

  it('the identity provider changed: exit 4 via the result, the status still printed, the error and its next step on stderr', async () => {
    p = await fakePlatform({tty: true})
    p.credentials.entries.set('work', {
      accessToken: jwt({iss: 'https://127.0.0.1:50123/oidc'}),
      accessTokenExpiresAt: p.clock.now() + 3600_000,
      refreshToken: 'test-refresh-token',
    })
    const res = await runCommand(AuthStatus, [], p)
    expect(res.code).to.equal(4)
    expect(res.stdout).to.match(/Signed in: +no \(the identity provider changed: sign in again\)/)
    expect(res.stderr).to.match(
      /^Error: The platform's identity provider changed \(was https:\/\/127\.0\.0\.1:50123\/oidc, now https:\/\/login\.example\.com\)/,
    )
    expect(res.stderr).to.contain('ppctl auth login --profile work')
    expectNoSecrets(res)
  })

  it('the identity provider changed, --json: the document with `problem`, exit 4, stderr empty', async () => {
    p = await fakePlatform()
    p.credentials.entries.set('work', {
      accessToken: 'test-access-token',
      idToken: jwt({iss: 'https://login.old.example.com'}),
      accessTokenExpiresAt: p.clock.now() + 3600_000,
    })
    const res = await runCommand(AuthStatus, ['--json'], p)
    expect(res.code).to.equal(4)
    expect(res.stderr).to.equal('')
    const work = res.json<StatusResult>().profiles[0]
    expect(work.signedIn).to.equal(false)
    expect(work.problem).to.deep.include({code: 'IDENTITY_PROVIDER_CHANGED', exitCode: 4})
    expectNoSecrets(res)
  })

  it('another profile with a changed provider does not fail the active one: exit 0', async () => {
    p = await fakePlatform()
    await p.ctx.config().update((c) => void (c.profiles.other = {authority: 'https://login.other.example.com', clientId: 'ppctl', authMethod: 'device-code'}))
    p.credentials.entries.set('other', {accessToken: jwt({iss: 'https://login.before.example.com'}), accessTokenExpiresAt: p.clock.now() + 3600_000})
    const res = await runCommand(AuthStatus, ['--json'], p)
    expect(res.code).to.equal(0)
    expect(res.json<StatusResult>().profiles.find((x) => x.profile === 'other')?.problem?.code).to.equal('IDENTITY_PROVIDER_CHANGED')
  })

  it('CI mode (PPCTL_CLIENT_ID, PPCTL_TENANT_ID, a certificate variable): mode "environment", the store never opened', async () => {
    p = await fakePlatform({env: {PPCTL_CLIENT_ID: 'sp-ci', PPCTL_TENANT_ID: 'contoso', PPCTL_CERTIFICATE_PATH: '/nonexistent/ci.pem'}})
    p.credentials.open = async () => {
      throw new Error('auth status opened the credential store in CI mode')
    }
    const res = await runCommand(AuthStatus, ['--json'], p)
    expect(res.code, res.stdout).to.equal(0)
    const out = res.json<StatusResult>()
    expect(out.mode).to.equal('environment')
    expect(out.profiles).to.have.length(1)
    expect(out.profiles[0]).to.deep.include({
      profile: 'work',
      active: true,
      signedIn: true,
      account: 'sp-ci',
      tenantId: 'contoso',
      method: 'certificate',
      credentialStore: {kind: 'none', location: null},
    })
    // The test context's streams keep everything written so far: the second run's output follows the first's.
    const human = await runCommand(AuthStatus, [], p)
    expect(human.stdout.slice(res.stdout.length)).to.match(/^CI mode: signing in on demand from PPCTL_CLIENT_ID, PPCTL_TENANT_ID/)
  })

  it('no profiles at all: says how to sign in, exit 0', async () => {
    p = await fakePlatform()
    await p.ctx.config().update((c) => void (c.profiles = {}))
    const res = await runCommand(AuthStatus, [], p)
    expect(res.code).to.equal(0)
    expect(res.stdout).to.contain('No profiles yet. Sign in with: ppctl auth login')
  })
})
