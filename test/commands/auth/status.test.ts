// `ppctl auth status` in-process: the profile in use first and alone (--all for every one), offline or checked with the platform; --json; exit codes.
import {expect} from 'chai'
import nock from 'nock'

import AuthStatus from '../../../src/commands/auth/status.js'
import type {ProfileStatus} from '../../../src/lib/auth/status.js'
import {runCommand} from '../../helpers/command.js'
import {tsvRecords} from '../../helpers/tsv.js'
import {AUTHORITY, fakePlatform, problem, ROUTE, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectNoSecrets, jwt, METADATA} from '../../helpers/fake-idp.js'

type AllResult = {items: ProfileStatus[]; count: number}

/** The provider's discovery with an introspection endpoint, and its answer for the stored refresh token. */
function introspection(active: boolean) {
  return nock(AUTHORITY)
    .get('/.well-known/openid-configuration')
    .reply(200, {...METADATA, introspection_endpoint: `${AUTHORITY}/token/introspection`})
    .post('/token/introspection', (body: Record<string, string>) => body.token === 'test-refresh-token' && body.client_id === 'ppctl')
    .reply(200, {active})
}

describe('auth status (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  /** A second profile, never signed in, that is not the active one. */
  const addOther = (t: FakePlatform) =>
    t.ctx.config().update((c) => void (c.profiles.other = {authority: 'https://login.other.example.com', clientId: 'ppctl'}))

  it('default (-o table in a pipe): the profile in use alone, first, with its facts, no request, and how to see the others', async () => {
    p = await fakePlatform({columns: 120, debug: true})
    await addOther(p)
    const res = await runCommand(AuthStatus, ['--debug', '-o', 'table'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout.split('\n')[0]).to.equal('work (in use)')
    expect(res.stdout).not.to.match(/^ *other/m)
    expect(res.stdout).to.match(/Signed in: +yes\n/)
    expect(res.stdout).to.match(/Account: +admin@contoso\.example/)
    expect(res.stdout).to.match(new RegExp(`Tenant: +${TENANT}`))
    expect(res.stdout).to.contain(`Token expires:     ${new Date(p.clock.now() + 3600_000).toISOString()} (renewed automatically)`)
    expect(res.stdout).to.match(/Credential store: +memory \(memory \(test\)\)/)
    expect(res.stdout).to.match(/Routing cache: +\d+ s old/)
    expect(res.stdout).to.contain('1 other profile: ppctl auth status --all')
    expectNoSecrets(res)
    expect(nock.pendingMocks()).to.deep.equal([])
  })

  it('in a pipe: TSV, one line for the profile in use; how to see the others on stderr', async () => {
    p = await fakePlatform({columns: 120})
    await addOther(p)
    const res = await runCommand(AuthStatus, [], p)
    expect(res.code, res.stderr).to.equal(0)
    const rows = tsvRecords(res.stdout)
    expect(rows.map((r) => [r.Profile, r['In use'], r['Signed in'], r.Account, r.Tenant])).to.deep.equal([
      ['work', 'yes', 'yes', 'admin@contoso.example', TENANT],
    ])
    expect(res.stderr).to.contain('1 other profile: ppctl auth status --all')
    // The context's stdout holds both runs: the second run's records are what it added.
    const all = tsvRecords((await runCommand(AuthStatus, ['--all'], p)).stdout.slice(res.stdout.length))
    expect(all.map((r) => [r.Profile, r['In use']])).to.deep.equal([
      ['work', 'yes'],
      ['other', 'no'],
    ])
    expectNoSecrets(res)
  })

  it('another profile in use (as --profile chooses it): that one alone; --all shows every profile, the one in use first and marked', async () => {
    p = await fakePlatform({columns: 120, profile: 'other'})
    await addOther(p)
    await p.ctx.config().update((c) => void (c.profiles.aaa = {authority: 'https://login.aaa.example.com', clientId: 'ppctl'}))
    const chosen = await runCommand(AuthStatus, ['-o', 'table'], p)
    expect(chosen.code, chosen.stderr).to.equal(0)
    expect(chosen.stdout.split('\n')[0]).to.equal('other (in use)')
    expect(chosen.stdout).to.match(/Signed in: +no\n/)
    expect(chosen.stdout).to.contain('2 other profiles: ppctl auth status --all')
    const all = await runCommand(AuthStatus, ['-o', 'table', '--all'], p)
    const out = all.stdout.slice(chosen.stdout.length)
    expect(out.match(/^[* ] [^\s:]+( \(in use\))?$/gm)).to.deep.equal(['* other (in use)', '  aaa', '  work'])
    expect(out).not.to.contain('other profile')
  })

  it('at a terminal: checked with the platform by default (discovery, introspection, /v1/me/home), the tenant named', async () => {
    p = await fakePlatform({tty: true, columns: 120})
    introspection(true)
    p.global.get('/v1/me/home').matchHeader('authorization', 'Bearer test-access-token').reply(200, ROUTE)
    const res = await runCommand(AuthStatus, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/Signed in: +yes \(the platform accepts it\)/)
    expect(res.stdout).to.contain(`contoso (${TENANT})`)
    expect(res.stdout).not.to.match(/\u001b/)
    expectNoSecrets(res)
  })

  it('at a terminal with CI set, or with --no-check: no request at all', async () => {
    p = await fakePlatform({tty: true, env: {CI: 'true'}})
    expect((await runCommand(AuthStatus, [], p)).code).to.equal(0)
    expect((await runCommand(AuthStatus, ['--no-check'], p)).code).to.equal(0)
    expect(nock.pendingMocks()).to.deep.equal([])
  })

  it('--check after the grant was revoked: "revoked", exit 4, the login command on stderr; no refresh is attempted', async () => {
    p = await fakePlatform()
    introspection(false)
    const res = await runCommand(AuthStatus, ['-o', 'table', '--check'], p)
    expect(res.code).to.equal(4)
    expect(res.stdout).to.match(/Signed in: +no \(revoked at the identity provider\)/)
    expect(res.stdout).not.to.contain('renewed automatically')
    expect(res.stderr).to.match(/^Error: The sign-in of profile "work" was revoked at the identity provider/)
    expect(res.stderr).to.contain('Next: Sign in again with: ppctl auth login --profile work')
    expect(p.credentials.entries.get('work')?.refreshToken).to.equal('test-refresh-token')
    expectNoSecrets(res)
  })

  it('--check --json, the access token lapsed and the refresh token refused: state "expired", exit 4, stderr empty', async () => {
    p = await fakePlatform()
    p.credentials.entries.set('work', {accessToken: 'test-access-token', accessTokenExpiresAt: p.clock.now() - 1000, refreshToken: 'test-refresh-token'})
    introspection(false)
    const res = await runCommand(AuthStatus, ['--check', '--json'], p)
    expect(res.code).to.equal(4)
    expect(res.stderr).to.equal('')
    expect(res.json<ProfileStatus>().check).to.deep.include({
      state: 'expired',
      code: 'SESSION_EXPIRED',
      exitCode: 4,
      nextStep: 'Sign in again with: ppctl auth login --profile work',
    })
  })

  it('--check, the discovery names another issuer than the tokens: "issuer changed", exit 4', async () => {
    p = await fakePlatform()
    p.credentials.entries.set('work', {
      accessToken: 'test-access-token',
      idToken: jwt({iss: AUTHORITY}),
      accessTokenExpiresAt: p.clock.now() + 3600_000,
      refreshToken: 'test-refresh-token',
    })
    nock(AUTHORITY)
      .get('/.well-known/openid-configuration')
      .reply(200, {...METADATA, issuer: 'https://login.elsewhere.example.com'})
    const res = await runCommand(AuthStatus, ['--check', '--json'], p)
    expect(res.code).to.equal(4)
    expect(res.json<ProfileStatus>().check).to.include({state: 'issuer-changed', code: 'IDENTITY_PROVIDER_CHANGED'})
  })

  it('--check, the gateway refuses the token (401): "rejected" with the platform\'s reason, exit 4', async () => {
    p = await fakePlatform()
    introspection(true)
    p.global.get('/v1/me/home').reply(...problem(401, 'UNAUTHENTICATED', 'the token signature is invalid'))
    const res = await runCommand(AuthStatus, ['-o', 'table', '--check'], p)
    expect(res.code).to.equal(4)
    expect(res.stdout).to.match(/Signed in: +no \(the platform refuses the token\)/)
    expect(res.stderr).to.contain('the token signature is invalid').and.contain('ppctl auth login --profile work')
  })

  it('--check, the identity provider unreachable: reported (exit 8), not hung, with what to try', async () => {
    p = await fakePlatform()
    nock(AUTHORITY).get('/.well-known/openid-configuration').replyWithError({code: 'ECONNREFUSED', message: 'connect ECONNREFUSED'})
    const res = await runCommand(AuthStatus, ['-o', 'table', '--check'], p)
    expect(res.code).to.equal(8)
    expect(res.stdout).to.match(/Signed in: +yes \(not checked: the platform did not answer\)/)
    expect(res.stderr).to.match(/^Error: Could not ask the identity provider \(https:\/\/login\.example\.com\)/)
    expect(res.stderr).to.contain('Next: Try again when the platform answers: ppctl auth status --check --profile work')
  })

  it('--check, an introspection endpoint on another origin: the refresh token is not sent there', async () => {
    p = await fakePlatform()
    nock(AUTHORITY)
      .get('/.well-known/openid-configuration')
      .reply(200, {...METADATA, introspection_endpoint: 'https://evil.example.net/introspect'})
    p.global.get('/v1/me/home').reply(200, ROUTE)
    const res = await runCommand(AuthStatus, ['--check', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<ProfileStatus>().check).to.include({state: 'ok'})
  })

  it('--json: the profile in use as one object with its facts; nothing on stderr', async () => {
    p = await fakePlatform()
    await addOther(p)
    const res = await runCommand(AuthStatus, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    const work = res.json<ProfileStatus>()
    expect(work).to.deep.include({
      profile: 'work',
      active: true,
      mode: 'profile',
      signedIn: true,
      account: 'admin@contoso.example',
      tenantId: TENANT,
      method: 'device-code',
      hasRefreshToken: true,
      authority: AUTHORITY,
      check: null,
    })
    expect(work.tokenExpiresAt).to.equal(new Date(p.clock.now() + 3600_000).toISOString())
    expect(work.credentialStore).to.deep.equal({kind: 'memory', location: 'memory (test)'})
    expect(work.routingCacheAgeSeconds).to.be.a('number')
    expect(work).not.to.have.property('problem')
    const all = await runCommand(AuthStatus, ['--json', '--all'], p)
    const doc = JSON.parse(all.stdout.slice(res.stdout.length)) as AllResult
    expect(doc.count).to.equal(2)
    expect(doc.items.map((x) => x.profile)).to.deep.equal(['work', 'other'])
    expect(doc.items[1]).to.deep.include({active: false, signedIn: false, method: null, routingCacheAgeSeconds: null})
    expectNoSecrets(res)
  })

  it('signed out (no tokens, no sign-in method): exit 0, "Signed in no"', async () => {
    p = await fakePlatform()
    p.credentials.entries.delete('work')
    await p.ctx.config().update((c) => void delete c.profiles.work.authMethod)
    const res = await runCommand(AuthStatus, ['--json'], p)
    expect(res.code).to.equal(0)
    expect(res.json<ProfileStatus>()).to.include({profile: 'work', signedIn: false})
    const checked = await runCommand(AuthStatus, ['--check', '--json'], p)
    expect(checked.code).to.equal(4)
    expect(JSON.parse(checked.stdout.slice(res.stdout.length)).check).to.include({state: 'signed-out', code: 'NOT_SIGNED_IN'})
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
    // At a terminal the note is wrapped to its width: read it with its lines joined.
    expect(res.stderr.replace(/\n +/g, ' ')).to.match(
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
    const work = res.json<ProfileStatus>()
    expect(work.signedIn).to.equal(false)
    expect(work.problem).to.deep.include({code: 'IDENTITY_PROVIDER_CHANGED', exitCode: 4})
    expectNoSecrets(res)
  })

  it('another profile with a changed provider does not fail the active one: exit 0', async () => {
    p = await fakePlatform()
    await p.ctx.config().update((c) => void (c.profiles.other = {authority: 'https://login.other.example.com', clientId: 'ppctl', authMethod: 'device-code'}))
    p.credentials.entries.set('other', {accessToken: jwt({iss: 'https://login.before.example.com'}), accessTokenExpiresAt: p.clock.now() + 3600_000})
    const res = await runCommand(AuthStatus, ['--json', '--all'], p)
    expect(res.code).to.equal(0)
    expect(res.json<AllResult>().items.find((x) => x.profile === 'other')?.problem?.code).to.equal('IDENTITY_PROVIDER_CHANGED')
  })

  it('CI mode (PPCTL_CLIENT_ID, PPCTL_TENANT_ID, a certificate variable): mode "environment", the store never opened', async () => {
    p = await fakePlatform({env: {PPCTL_CLIENT_ID: 'sp-ci', PPCTL_TENANT_ID: 'contoso', PPCTL_CERTIFICATE_PATH: '/nonexistent/ci.pem'}})
    p.credentials.open = async () => {
      throw new Error('auth status opened the credential store in CI mode')
    }
    const res = await runCommand(AuthStatus, ['--json'], p)
    expect(res.code, res.stdout).to.equal(0)
    const out = res.json<ProfileStatus>()
    expect(out).to.deep.include({
      mode: 'environment',
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

  it('CI mode --check: the sign-in from the variables is what is checked; a certificate that cannot be read is said, with its exit code', async () => {
    p = await fakePlatform({env: {PPCTL_CLIENT_ID: 'sp-ci', PPCTL_TENANT_ID: 'contoso', PPCTL_CERTIFICATE_PATH: '/nonexistent/ci.pem'}})
    const res = await runCommand(AuthStatus, ['--check', '--json'], p)
    const check = res.json<ProfileStatus>().check
    expect(check).to.include({state: 'rejected'})
    expect(check?.message).to.match(/^The sign-in from the CI variables failed: /)
    expect(res.code).to.equal(check?.exitCode).and.not.equal(0)
  })

  it('no profiles at all: says how to sign in, exit 0', async () => {
    p = await fakePlatform()
    await p.ctx.config().update((c) => void (c.profiles = {}))
    const res = await runCommand(AuthStatus, [], p)
    expect(res.code).to.equal(0)
    expect(res.stdout).to.contain('No profiles yet. Sign in with: ppctl auth login')
  })
})
