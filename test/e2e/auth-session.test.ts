// After sign-in, end to end: status, list, switch, token, the 16-process refresh race, logout, and a canary scan under --debug.
import {expect} from 'chai'
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {FileStore} from '../../src/lib/credentials/file-store.js'
import {runCli, spawnCli, type CliEnv, type CliResult} from '../helpers/cli.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, auditEvents, deviceLogin, machine, providerSecrets} from '../helpers/sign-in.js'

const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'

function run(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runCli(args, env)
}

/** Starts `n` processes at once and collects their results. */
function race(n: number, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult[]> {
  return Promise.all(
    Array.from({length: n}, () => {
      const child = spawnCli(args, env)
      child.stdin.end()
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d))
      child.stderr.on('data', (d: Buffer) => (stderr += d))
      return new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr})))
    }),
  )
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
}

describe('auth session (real CLI, real platform)', function () {
  let platform: TestPlatform
  let client: TestClient
  let m: CliEnv
  const store = () => new FileStore(m.env.PPCTL_CONFIG_DIR!, 'sandbox')

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
    m = await machine(platform)
    const login = await deviceLogin(m.env, [], approveWithCli(platform, 'admin@contoso.example'))
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`)
  })
  after(async () => {
    m?.cleanup()
    await client?.close()
    await platform?.stop()
  })

  it('auth status and auth list describe the signed-in profile without any secret', async () => {
    const status = await run(['auth', 'status', '--json'], m.env)
    expect(status.code, status.stderr).to.equal(0)
    const profile = JSON.parse(status.stdout) as Record<string, unknown>
    expect(profile).to.include({
      profile: 'sandbox',
      active: true,
      signedIn: true,
      account: 'admin@contoso.example',
      tenantId: CONTOSO,
      method: 'device-code',
      hasRefreshToken: true,
    })
    expect(profile.credentialStore).to.deep.include({kind: 'file'})
    expect(Date.parse(profile.tokenExpiresAt as string)).to.be.greaterThan(Date.now())
    const human = await run(['auth', 'status', '-o', 'table'], m.env)
    expect(human.stdout)
      .to.match(/^sandbox \(in use\)/)
      .and.to.match(/Account:\s+admin@contoso\.example/)
    const list = JSON.parse((await run(['auth', 'list', '--json'], m.env)).stdout) as {items: Array<Record<string, unknown>>}
    expect(list.items).to.deep.include({
      name: 'sandbox',
      active: true,
      default: true,
      authority: platform.urls.authority,
      account: 'admin@contoso.example',
      tenantId: CONTOSO,
      method: 'device-code',
      signedIn: true,
    })
    expect(status.stdout + human.stdout).not.to.match(/eyJ/)
  })

  it('auth switch: changes the default; --profile and PPCTL_PROFILE still win; an unknown name is exit 6', async () => {
    const created = await run(['config', 'set', 'authority', 'https://login.example.com', '--profile', 'other'], m.env)
    expect(created.code, created.stderr).to.equal(0)
    const switched = await run(['auth', 'switch', 'other', '--json'], m.env)
    expect(switched.code, switched.stderr).to.equal(0)
    expect(JSON.parse(switched.stdout)).to.deep.equal({defaultProfile: 'other', previous: 'sandbox'})
    expect(
      (JSON.parse((await run(['auth', 'list', '--json'], m.env)).stdout) as {items: Array<{name: string; active: boolean}>}).items.find((p) => p.active)?.name,
    ).to.equal('other')
    const byEnv = await run(['auth', 'token'], {...m.env, PPCTL_PROFILE: 'sandbox'})
    expect(byEnv.code, byEnv.stderr).to.equal(0)
    const byFlag = await run(['auth', 'token', '--profile', 'sandbox'], m.env)
    expect(byFlag.code, byFlag.stderr).to.equal(0)
    const notSignedIn = await run(['auth', 'token'], m.env)
    expect(notSignedIn.code).to.equal(4)
    expect(notSignedIn.stderr).to.contain('Profile "other" is not signed in').and.to.contain('sign in again: ppctl auth login --profile other')
    const unknown = await run(['auth', 'switch', 'nope'], m.env)
    expect(unknown.code).to.equal(6)
    expect((await run(['auth', 'switch', 'sandbox'], m.env)).code).to.equal(0)
  })

  it('refresh race: 16 processes with an expired access token all succeed, and the provider sees exactly one refresh', async () => {
    const admin = (await run(['auth', 'token'], m.env)).stdout.trim()
    const refreshes = async () => (await auditEvents(platform, client, admin, 'token.refreshed')).filter((e) => e.actor.upn === 'admin@contoso.example')
    const before = await refreshes()
    const creds = await store().get('sandbox')
    await store().set('sandbox', {...creds, accessTokenExpiresAt: Date.now() - 1000})

    const results = await race(16, ['auth', 'token'], m.env)
    for (const r of results) expect(r.code, r.stderr).to.equal(0)
    const tokens = new Set(results.map((r) => r.stdout.trim()))
    expect(tokens.size).to.equal(1)
    expect([...tokens][0]).not.to.equal(creds?.accessToken)

    const after = await refreshes()
    expect(after.filter((e) => e.result === 'succeeded').length - before.filter((e) => e.result === 'succeeded').length).to.equal(1)
    expect(after.filter((e) => e.result === 'failed').length).to.equal(before.filter((e) => e.result === 'failed').length)
    const rotated = await store().get('sandbox')
    expect(rotated?.refreshToken).to.be.a('string').and.not.equal(creds?.refreshToken)
    expect(rotated?.accessTokenExpiresAt).to.be.greaterThan(Date.now() + 50 * 60_000)
  })

  it('a revoked refresh token: exit 4 "sign in again", and the cached tokens and cache folder are deleted', async () => {
    const other = await machine(platform)
    try {
      const login = await deviceLogin(other.env, [], approveWithCli(platform, 'maker@contoso.example'))
      expect(login.code, login.stderr).to.equal(0)
      const s = new FileStore(other.env.PPCTL_CONFIG_DIR!, 'sandbox')
      const creds = await s.get('sandbox')
      // Revoke it at the provider, as an administrator or a logout elsewhere would.
      const meta = (await (await client.fetch(`${platform.urls.authority}/.well-known/openid-configuration`)).json()) as {revocation_endpoint: string}
      const revoked = await client.fetch(meta.revocation_endpoint, {
        method: 'POST',
        headers: {'content-type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams({token: creds!.refreshToken!, token_type_hint: 'refresh_token', client_id: 'ppctl'}).toString(),
      })
      expect(revoked.status).to.equal(200)
      await s.set('sandbox', {...creds, accessTokenExpiresAt: Date.now() - 1000})
      const cacheDir = join(other.env.PPCTL_CONFIG_DIR!, 'cache', 'sandbox')
      mkdirSync(cacheDir, {recursive: true})
      writeFileSync(join(cacheDir, 'routes.json'), '{}')
      const token = await run(['auth', 'token'], other.env)
      expect(token.code).to.equal(4)
      expect(token.stderr).to.contain('expired or was revoked').and.to.contain('sign in again: ppctl auth login')
      expect(await s.get('sandbox')).to.equal(undefined)
      expect(existsSync(cacheDir)).to.equal(false)
      const status = JSON.parse((await run(['auth', 'status', '--json'], other.env)).stdout) as {profile: string; signedIn: boolean}
      expect(status).to.include({profile: 'sandbox', signedIn: false})
    } finally {
      other.cleanup()
    }
  })

  it('canary scan: a full sign-in and several commands under --debug leak no token, code or assertion', async () => {
    const c = await machine(platform)
    try {
      const outputs: string[] = []
      const keep = (r: CliResult) => (outputs.push(r.stdout, r.stderr), r)
      const login = keep(await deviceLogin(c.env, ['--debug'], approveWithCli(platform, 'admin@fabrikam.example')))
      expect(login.code, login.stderr).to.equal(0)
      expect(login.stderr).to.match(/\[debug\] HTTP → POST https:\/\/login\.sandbox\.localhost:\d+\/token/)
      const s = new FileStore(c.env.PPCTL_CONFIG_DIR!, 'sandbox')
      const first = await s.get('sandbox')
      await s.set('sandbox', {...first, accessTokenExpiresAt: Date.now() - 1000})
      keep(await run(['auth', 'status', '--debug'], c.env))
      keep(await run(['auth', 'list', '--debug'], c.env))
      // `auth token` prints the token on stdout by design: only its stderr (the refresh conversation) is scanned.
      const token = await run(['auth', 'token', '--debug'], c.env)
      expect(token.code, token.stderr).to.equal(0)
      outputs.push(token.stderr)
      const second = await s.get('sandbox')
      const sp = await runCli(
        [
          'sandbox',
          'sp',
          'create',
          '--tenant',
          'fabrikam',
          '--name',
          'canary',
          '--out',
          join(c.home, 'sp'),
          '--no-pfx',
          '--data-dir',
          platform.dataDir,
          '--json',
        ],
        platform.cli.env,
      )
      const {clientId, pemFile} = JSON.parse(sp.stdout) as {clientId: string; pemFile: string}
      c.env.PPCTL_CA_FILE = JSON.parse((await run(['sandbox', 'status', '--data-dir', platform.dataDir, '--json'], c.env)).stdout).caFile
      const cert = keep(
        await run(
          [
            'auth',
            'login',
            '--debug',
            '--profile',
            'canary',
            '--authority',
            platform.urls.authority,
            '--certificate',
            pemFile,
            '--client-id',
            clientId,
            '--tenant',
            'fabrikam',
          ],
          c.env,
        ),
      )
      expect(cert.code, cert.stderr).to.equal(0)
      expect(cert.stderr).to.contain('client_assertion=[REDACTED]')
      const certCreds = await new FileStore(c.env.PPCTL_CONFIG_DIR!, 'canary').get('canary')
      const secrets = [
        first?.accessToken,
        first?.refreshToken,
        first?.idToken,
        second?.accessToken,
        second?.refreshToken,
        certCreds?.accessToken,
        ...providerSecrets(platform),
      ].filter((v): v is string => typeof v === 'string' && v.length > 0)
      expect(secrets.length).to.be.greaterThan(6)
      keep(await run(['auth', 'logout', '--all', '--debug'], c.env))

      const configFiles = filesUnder(c.env.PPCTL_CONFIG_DIR!).map((f) => ({f, text: readFileSync(f, 'latin1')}))
      const haystacks = [...outputs.map((text, i) => ({f: `output #${i}`, text})), ...configFiles]
      for (const {f, text} of haystacks) {
        for (const secret of secrets) expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…) appears in ${f}`).to.equal(false)
        // Any JWT at all (the client assertion is one): none in any output or file.
        expect(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(text), `a JWT appears in ${f}`).to.equal(false)
      }
    } finally {
      c.cleanup()
    }
  })

  it('auth logout: revokes the refresh token, deletes the credential entry and every cache of the profile', async () => {
    const creds = await store().get('sandbox')
    expect(creds?.refreshToken).to.be.a('string')
    const cacheDir = join(m.env.PPCTL_CONFIG_DIR!, 'cache', 'sandbox')
    mkdirSync(cacheDir, {recursive: true})
    writeFileSync(join(cacheDir, 'routes.json'), '{"tenant":"x"}')
    const out = await run(['auth', 'logout', '--json'], m.env)
    expect(out.code, out.stderr).to.equal(0)
    expect(JSON.parse(out.stdout).profiles[0]).to.include({profile: 'sandbox', revoked: true, credentialsDeleted: true})
    expect(await store().get('sandbox')).to.equal(undefined)
    expect(existsSync(join(m.env.PPCTL_CONFIG_DIR!, 'credentials', 'sandbox.json'))).to.equal(false)
    expect(existsSync(cacheDir)).to.equal(false)
    const config = JSON.parse(readFileSync(join(m.env.PPCTL_CONFIG_DIR!, 'config.json'), 'utf8')) as {profiles: Record<string, Record<string, unknown>>}
    expect(config.profiles.sandbox)
      .to.include({authority: platform.urls.authority})
      .and.not.to.have.any.keys('account', 'tenantId', 'authMethod', 'tokenExpiresAt')
    // The provider no longer honours the old refresh token.
    const meta = (await (await client.fetch(`${platform.urls.authority}/.well-known/openid-configuration`)).json()) as {token_endpoint: string}
    const res = await client.fetch(meta.token_endpoint, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: creds!.refreshToken!, client_id: 'ppctl'}).toString(),
    })
    expect(res.status).to.equal(400)
    expect(((await res.json()) as {error: string}).error).to.equal('invalid_grant')
    const token = await run(['auth', 'token'], m.env)
    expect(token.code).to.equal(4)
    expect(statSync(join(m.env.PPCTL_CONFIG_DIR!, 'config.json')).mode & 0o077).to.equal(0)
  })
})
