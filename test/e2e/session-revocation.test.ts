// Revoking sessions, end to end: the gateway refuses a revoked user's or service principal's older tokens, a logged-out token, and ppctl says so.
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, auditEvents, deviceLogin, machine} from '../helpers/sign-in.js'
import {runAtTerminal} from '../helpers/terminal.js'
import {deviceSignIn} from '../helpers/tokens.js'

const REVOKED_CHALLENGE = 'Bearer realm="sandbox.localhost", error="invalid_token", error_description="session revoked"'

describe('session revocation (real platform, real CLI)', function () {
  this.timeout(180_000)
  let platform: TestPlatform
  let client: TestClient
  let admin: string
  let cluster: string
  let secrets: string

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
    admin = (await deviceSignIn(client, platform, 'admin@contoso.example')).access_token
    const home = (await (await client.fetch(`${platform.urls.global}/v1/me/home`, {headers: {authorization: `Bearer ${admin}`}})).json()) as {
      home: {uri: string}
    }
    cluster = home.home.uri
    secrets = mkdtempSync(join(tmpdir(), 'ppctl-revoke-'))
  })
  after(async () => {
    rmSync(secrets, {recursive: true, force: true})
    await client?.close()
    await platform?.stop()
  })

  const call = (token: string, path = '/v1/connectors?limit=1') => client.fetch(`${cluster}${path}`, {headers: {authorization: `Bearer ${token}`}})
  const revoke = (who: string, token = admin) =>
    client.fetch(`${cluster}/v1/users/${encodeURIComponent(who)}/revoke-sessions`, {method: 'POST', headers: {authorization: `Bearer ${token}`}})

  async function expectRevoked(token: string, path?: string) {
    const res = await call(token, path)
    expect(res.status).to.equal(401)
    expect(res.headers.get('www-authenticate')).to.equal(REVOKED_CHALLENGE)
    expect(((await res.json()) as {code: string}).code).to.equal('SESSION_REVOKED')
  }

  it("refuses a revoked user's older tokens at once, ends their refresh tokens, and lets a new sign-in work; audited", async () => {
    const before = await deviceSignIn(client, platform, 'maker@contoso.example')
    const other = await deviceSignIn(client, platform, 'maker@contoso.example')
    expect((await call(before.access_token)).status).to.equal(200)

    const answer = await revoke('maker@contoso.example')
    expect(answer.status).to.equal(200)
    const body = (await answer.json()) as {kind: string; upn: string; grantsRevoked: number; enforced: boolean; notBefore: string}
    expect(body).to.include({kind: 'user', upn: 'maker@contoso.example', enforced: true})
    expect(body.grantsRevoked).to.be.at.least(2)
    // Enforced before the answer: the very next call is refused, for every session of the user.
    await expectRevoked(before.access_token)
    await expectRevoked(other.access_token)

    const meta = (await (await client.fetch(`${platform.urls.authority}/.well-known/openid-configuration`)).json()) as {token_endpoint: string}
    const refreshed = await client.fetch(meta.token_endpoint, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: before.refresh_token!, client_id: 'ppctl'}).toString(),
    })
    expect(((await refreshed.json()) as {error?: string}).error).to.equal('invalid_grant')

    const after = await deviceSignIn(client, platform, 'maker@contoso.example')
    expect((await call(after.access_token)).status).to.equal(200)
    // Others are untouched.
    expect((await call(admin)).status).to.equal(200)

    const events = await auditEvents(platform, client, admin, 'user.sessions_revoked')
    expect(events.some((e) => e.actor.upn === 'admin@contoso.example' && e.details?.upn === 'maker@contoso.example')).to.equal(true)
  })

  it('a revocation outlives a restart of the platform: the identity keeps it and the gateway catches up from its feed', async () => {
    const fabrikamAdmin = (await deviceSignIn(client, platform, 'admin@fabrikam.example')).access_token
    const victim = (await deviceSignIn(client, platform, 'maker@fabrikam.example')).access_token
    const home = (await (await client.fetch(`${platform.urls.global}/v1/me/home`, {headers: {authorization: `Bearer ${fabrikamAdmin}`}})).json()) as {
      home: {uri: string}
    }
    const at = (token: string) => client.fetch(`${home.home.uri}/v1/connectors?limit=1`, {headers: {authorization: `Bearer ${token}`}})
    const answer = await client.fetch(`${home.home.uri}/v1/users/maker@fabrikam.example/revoke-sessions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${fabrikamAdmin}`},
    })
    expect(answer.status).to.equal(200)
    expect((await at(victim)).status).to.equal(401)

    expect((await runCli(['sandbox', 'stop', '--data-dir', platform.dataDir], platform.cli.env)).code).to.equal(0)
    const restarted = await runCli(['sandbox', 'start', '--data-dir', platform.dataDir, '--json'], platform.cli.env)
    expect(restarted.code, restarted.stderr).to.equal(0)
    expect(JSON.parse(restarted.stdout).port).to.equal(platform.port)

    const res = await at(victim)
    expect(res.status).to.equal(401)
    expect(res.headers.get('www-authenticate')).to.equal(REVOKED_CHALLENGE)
    expect((await at(fabrikamAdmin)).status).to.equal(200)
  })

  it('is for Admins only, and answers 404 for an account that is not in the tenant', async () => {
    const maker = (await deviceSignIn(client, platform, 'user@contoso.example')).access_token
    const refused = await revoke('admin@contoso.example', maker)
    expect(refused.status).to.equal(403)
    expect((await call(admin)).status).to.equal(200)
    expect((await revoke('admin@fabrikam.example')).status).to.equal(404)
    expect((await revoke('nobody@contoso.example')).status).to.equal(404)
  })

  it('works for a service principal: its older tokens are refused, a token issued after the revocation works', async () => {
    const m = await machine(platform)
    try {
      const created = await runCli(
        ['sandbox', 'sp', 'create', '--tenant', 'contoso', '--name', 'revoked-ci', '--out', secrets, '--no-pfx', '--data-dir', platform.dataDir, '--json'],
        platform.cli.env,
      )
      expect(created.code, created.stderr).to.equal(0)
      const sp = JSON.parse(created.stdout) as {clientId: string; pemFile: string}
      const login = ['auth', 'login', '--profile', 'ci', '--from', 'sandbox', '--certificate', sp.pemFile, '--client-id', sp.clientId, '--tenant', 'contoso']
      expect((await runCli(login, m.env)).code).to.equal(0)
      const old = (await runCli(['auth', 'token', '--profile', 'ci'], m.env)).stdout.trim()
      expect((await call(old)).status).to.equal(200)

      const answer = await revoke(sp.clientId)
      expect(answer.status).to.equal(200)
      expect(await answer.json()).to.include({kind: 'servicePrincipal', id: sp.clientId, grantsRevoked: 0, enforced: true})
      await expectRevoked(old)

      expect((await runCli(login, m.env)).code).to.equal(0)
      const fresh = (await runCli(['auth', 'token', '--profile', 'ci'], m.env)).stdout.trim()
      expect(fresh).not.to.equal(old)
      expect((await call(fresh)).status).to.equal(200)
    } finally {
      m.cleanup()
    }
  })

  it("auth logout: the logged-out access token is refused; the same user's other sessions keep working", async () => {
    const m = await machine(platform)
    const elsewhere = await deviceSignIn(client, platform, 'user@contoso.example')
    try {
      expect((await deviceLogin(m.env, [], approveWithCli(platform, 'user@contoso.example'))).code).to.equal(0)
      const token = (await runCli(['auth', 'token'], m.env)).stdout.trim()
      expect((await call(token, '/v1/users/user@contoso.example')).status).to.equal(200)
      const out = await runCli(['auth', 'logout', '--json'], m.env)
      expect(out.code, out.stderr).to.equal(0)
      expect(JSON.parse(out.stdout).profiles[0]).to.include({revoked: true})
      await expectRevoked(token, '/v1/users/user@contoso.example')
      expect((await call(elsewhere.access_token, '/v1/users/user@contoso.example')).status).to.equal(200)
    } finally {
      m.cleanup()
    }
  })

  it('ppctl user revoke-sessions at a terminal: asks first; "n" changes nothing (exit 3), "y" revokes', async () => {
    const adminCli = await machine(platform)
    try {
      expect((await deviceLogin(adminCli.env, [], approveWithCli(platform, 'admin@contoso.example'))).code).to.equal(0)
      const victim = await deviceSignIn(client, platform, 'user@contoso.example')
      const question = /Revoke every session of user@contoso\.example\?/
      const declined = await runAtTerminal(['user', 'revoke-sessions', 'user@contoso.example'], adminCli.env, [{after: question, send: 'n\r'}])
      expect(declined.code, declined.transcript).to.equal(3)
      expect((await call(victim.access_token, '/v1/users/user@contoso.example')).status).to.equal(200)
      const accepted = await runAtTerminal(['user', 'revoke-sessions', 'user@contoso.example'], adminCli.env, [{after: question, send: 'y\r'}])
      expect(accepted.code, accepted.transcript).to.equal(0)
      expect(accepted.transcript).to.match(/Revoked the sessions of user@contoso\.example/)
      await expectRevoked(victim.access_token, '/v1/users/user@contoso.example')
    } finally {
      adminCli.cleanup()
    }
  })

  it('ppctl user revoke-sessions: asks for --yes without a terminal, revokes with it; the revoked account exits 4 "sign in again", without a refresh', async () => {
    const adminCli = await machine(platform)
    const victim = await machine(platform)
    try {
      expect((await deviceLogin(adminCli.env, [], approveWithCli(platform, 'admin@contoso.example'))).code).to.equal(0)
      expect((await deviceLogin(victim.env, [], approveWithCli(platform, 'maker@contoso.example'))).code).to.equal(0)
      expect((await runCli(['connector', 'list', '--json'], victim.env)).code).to.equal(0)

      const unconfirmed = await runCli(['user', 'revoke-sessions', 'maker@contoso.example'], adminCli.env)
      expect(unconfirmed.code).to.equal(2)
      expect(unconfirmed.stderr).to.include('--yes')
      expect((await runCli(['connector', 'list', '--json'], victim.env)).code).to.equal(0)

      const revoked = await runCli(['user', 'revoke-sessions', 'maker@contoso.example', '--yes', '--json'], adminCli.env)
      expect(revoked.code, revoked.stderr).to.equal(0)
      expect(JSON.parse(revoked.stdout)).to.include({kind: 'user', upn: 'maker@contoso.example', enforced: true})

      const refused = await runCli(['connector', 'list', '--debug'], victim.env)
      expect(refused.code, refused.stderr).to.equal(4)
      expect(refused.stderr).to.match(/session revoked/)
      expect(refused.stderr).to.match(/sign in again: ppctl auth login/)
      // One refused request, and no token refresh behind the person's back.
      expect(refused.stderr.match(/\b401\b(?!-)/g)?.length ?? 0).to.equal(1)
      expect(refused.stderr).not.to.match(/refresh_token|\/token\b/)

      const missing = await runCli(['user', 'revoke-sessions', 'nobody@contoso.example', '--yes'], adminCli.env)
      expect(missing.code).to.equal(6)
    } finally {
      adminCli.cleanup()
      victim.cleanup()
    }
  })
})
