// Sign-in end to end: the real CLI against a real local platform (device code, certificate, CI mode).
import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

import {decodeJwt} from 'jose'

import {FileStore} from '../../src/lib/credentials/file-store.js'
import {approveDevice} from '../../src/lib/sandbox/approve-device.js'
import {makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {deviceSignIn} from '../helpers/tokens.js'
import {approveWithCli, auditEvents, deviceLogin, machine} from '../helpers/sign-in.js'

const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const FABRIKAM = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'

/** Every file under `dir` with a hash of its content (for "nothing was written"). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex') + ':' + statSync(path).mode.toString(8)
    }
  }
  walk(dir)
  return out
}

describe('auth login (real CLI, real platform)', function () {
  let platform: TestPlatform
  let client: TestClient
  const machines: CliEnv[] = []

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
  })
  after(async () => {
    for (const m of machines) m.cleanup()
    await client?.close()
    await platform?.stop()
  })

  async function newMachine(extra: NodeJS.ProcessEnv = {}): Promise<CliEnv> {
    const m = await machine(platform, extra)
    machines.push(m)
    return m
  }

  it('device code approved with `sandbox approve`: the profile records who, the token works at the gateway', async () => {
    const m = await newMachine()
    const login = await deviceLogin(m.env, [], approveWithCli(platform, 'admin@contoso.example'))
    expect(login.code, login.stderr).to.equal(0)
    expect(login.device.verificationUri).to.equal(`${platform.urls.authority}/device`)
    expect(login.device.host).to.equal(new URL(platform.urls.authority).host)
    expect(login.device.userCode).to.match(/^[A-Z0-9-]{6,}$/)
    expect(login.device.interval).to.be.a('number')
    const result = JSON.parse(login.stdout) as Record<string, unknown>
    expect(result).to.include({profile: 'sandbox', method: 'device-code', account: 'admin@contoso.example', tenantId: CONTOSO, credentialStore: 'file'})

    const config = JSON.parse(readFileSync(join(m.env.PPCTL_CONFIG_DIR!, 'config.json'), 'utf8')) as {profiles: Record<string, Record<string, unknown>>}
    expect(config.profiles.sandbox).to.include({account: 'admin@contoso.example', tenantId: CONTOSO, authMethod: 'device-code'})
    expect(JSON.stringify(config)).not.to.match(/eyJ/)

    const token = await runCli(['auth', 'token'], m.env)
    expect(token.code, token.stderr).to.equal(0)
    const claims = decodeJwt(token.stdout.trim())
    expect(claims).to.include({aud: 'https://api.sandbox.localhost', tid: CONTOSO, upn: 'admin@contoso.example'})
    const home = await client.fetch(`${platform.urls.global}/v1/me/home`, {headers: {authorization: `Bearer ${token.stdout.trim()}`}})
    expect(home.status).to.equal(200)
  })

  it('device code approved through the HTML pages (approveDevice), as a person would in a browser', async () => {
    const m = await newMachine()
    const password = platform.users.find((u) => u.upn === 'maker@fabrikam.example')!.password
    const login = await deviceLogin(m.env, [], (device) =>
      approveDevice((input, init) => client.fetch(String(input), init as never) as unknown as Promise<Response>, {
        authority: platform.urls.authority,
        userCode: device.userCode,
        upn: 'maker@fabrikam.example',
        password,
      }),
    )
    expect(login.code, login.stderr).to.equal(0)
    expect(JSON.parse(login.stdout)).to.include({account: 'maker@fabrikam.example', tenantId: FABRIKAM})
    const status = JSON.parse((await runCli(['auth', 'status', '--json'], m.env)).stdout) as {profile: string; signedIn: boolean; hasRefreshToken: boolean}
    expect(status).to.include({profile: 'sandbox', signedIn: true, hasRefreshToken: true})
  })

  it('shows the verification URI, its host and the code on stderr for people, nothing on stdout until done', async () => {
    const m = await newMachine()
    const child = (await import('../helpers/cli.js')).spawnCli(['auth', 'login'], m.env)
    child.stdin.end()
    let stderr = ''
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => ((stderr += d), /enter the code: \S+/.test(stderr) && resolve())))
    const code = /enter the code: (\S+)/.exec(stderr)![1]
    expect(stderr)
      .to.contain(`open ${platform.urls.authority}/device`)
      .and.to.contain(`(host: ${new URL(platform.urls.authority).host})`)
    expect(stdout).to.equal('')
    await approveWithCli(platform, 'admin@contoso.example')({event: 'device_code', userCode: code} as never)
    const exit = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)))
    expect(exit, stderr).to.equal(0)
    expect(stdout).to.match(/Signed in to profile "sandbox" as admin@contoso\.example/)
  })

  it('Ctrl-C while waiting for approval: exit 130 and nothing stored', async () => {
    const m = await newMachine()
    const before = snapshot(m.home)
    const child = (await import('../helpers/cli.js')).spawnCli(['auth', 'login'], m.env)
    child.stdin.end()
    let stderr = ''
    await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => ((stderr += d), /enter the code/.test(stderr) && resolve())))
    child.kill('SIGINT')
    const exit = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)))
    expect(exit, stderr).to.equal(130)
    expect(stderr).to.match(/nothing was stored/)
    const after = snapshot(m.home)
    expect(Object.keys(after).filter((k) => !(k in before))).to.deep.equal([])
  })

  describe('certificate', () => {
    let sp: {clientId: string; pemFile: string; pfxFile: string; thumbprint: string}

    before(async () => {
      const created = await runCli(
        [
          'sandbox',
          'sp',
          'create',
          '--tenant',
          'contoso',
          '--name',
          'auth-e2e',
          '--out',
          join(platform.cli.home, 'sp'),
          '--data-dir',
          platform.dataDir,
          '--json',
        ],
        platform.cli.env,
        'pfx-pass\n',
      )
      expect(created.code, created.stderr).to.equal(0)
      sp = JSON.parse(created.stdout)
    })

    const certFlags = (file: string, profile: string) => [
      '--profile',
      profile,
      '--authority',
      platform.urls.authority,
      '--certificate',
      file,
      '--client-id',
      sp.clientId,
      '--tenant',
      'contoso',
      '--json',
    ]

    it('signs in with the PEM, and `auth token` renews from the file when needed', async () => {
      const m = await newMachine()
      m.env.PPCTL_CA_FILE = JSON.parse((await runCli(['sandbox', 'status', '--data-dir', platform.dataDir, '--json'], m.env)).stdout).caFile
      const admin = (await deviceSignIn(client, platform, 'admin@contoso.example')).access_token
      const issuedBy = async () => (await auditEvents(platform, client, admin, 'token.issued')).filter((e) => e.actor.appId === sp.clientId)
      const before = (await issuedBy()).length
      const login = await runCli(['auth', 'login', ...certFlags(sp.pemFile, 'ci-pem')], m.env)
      expect(login.code, login.stderr).to.equal(0)
      expect(JSON.parse(login.stdout)).to.include({
        profile: 'ci-pem',
        method: 'certificate',
        account: sp.clientId,
        tenantId: CONTOSO,
        certificateThumbprint: sp.thumbprint.replace(/:/g, '').toUpperCase(),
      })
      expect((await issuedBy()).length).to.equal(before + 1)
      const cached = await runCli(['auth', 'token', '--profile', 'ci-pem'], m.env)
      expect(cached.code, cached.stderr).to.equal(0)
      expect(decodeJwt(cached.stdout.trim())).to.include({appid: sp.clientId, aud: 'https://api.sandbox.localhost'})
      expect((await issuedBy()).length).to.equal(before + 1)
      // Expired in the store: a certificate has no refresh token, so ppctl signs in again with the file.
      const store = new FileStore(m.env.PPCTL_CONFIG_DIR!, 'ci-pem')
      await store.set('ci-pem', {...(await store.get('ci-pem')), accessTokenExpiresAt: Date.now() - 1000})
      const renewed = await runCli(['auth', 'token', '--profile', 'ci-pem'], m.env)
      expect(renewed.code, renewed.stderr).to.equal(0)
      expect(renewed.stdout.trim()).not.to.equal(cached.stdout.trim())
      expect((await issuedBy()).length).to.equal(before + 2)
    })

    it('signs in with the PFX, the password from PPCTL_CERTIFICATE_PASSWORD or stdin; a wrong one is exit 2 naming the file', async () => {
      const m = await newMachine()
      m.env.PPCTL_CA_FILE = JSON.parse((await runCli(['sandbox', 'status', '--data-dir', platform.dataDir, '--json'], m.env)).stdout).caFile
      const fromEnv = await runCli(['auth', 'login', ...certFlags(sp.pfxFile, 'ci-pfx')], {...m.env, PPCTL_CERTIFICATE_PASSWORD: 'pfx-pass'})
      expect(fromEnv.code, fromEnv.stderr).to.equal(0)
      expect(JSON.parse(fromEnv.stdout)).to.include({method: 'certificate', tenantId: CONTOSO})
      const fromStdin = await runCli(['auth', 'login', ...certFlags(sp.pfxFile, 'ci-pfx2')], m.env, 'pfx-pass\n')
      expect(fromStdin.code, fromStdin.stderr).to.equal(0)
      const wrong = await runCli(['auth', 'login', ...certFlags(sp.pfxFile, 'ci-pfx3')], {...m.env, PPCTL_CERTIFICATE_PASSWORD: 'nope'})
      expect(wrong.code).to.equal(2)
      const error = JSON.parse(wrong.stdout).error as {code: string; message: string}
      expect(error.code).to.equal('CERTIFICATE_PASSWORD_INVALID')
      expect(error.message).to.contain(sp.pfxFile)
      const config = JSON.parse(readFileSync(join(m.env.PPCTL_CONFIG_DIR!, 'config.json'), 'utf8')) as {profiles: Record<string, unknown>}
      expect(config.profiles).not.to.have.property('ci-pfx3')
    })

    it('CI mode: with PPCTL_CLIENT_ID, PPCTL_TENANT_ID and PPCTL_CERTIFICATE_PATH, commands work and nothing is written (not even the config)', async () => {
      const ca = JSON.parse((await runCli(['sandbox', 'status', '--data-dir', platform.dataDir, '--json'], platform.cli.env)).stdout).caFile as string
      const ci = makeCliEnv({
        PPCTL_AUTHORITY: platform.urls.authority,
        PPCTL_CA_FILE: ca,
        PPCTL_CLIENT_ID: sp.clientId,
        PPCTL_TENANT_ID: 'contoso',
        PPCTL_CERTIFICATE_PATH: sp.pemFile,
      })
      machines.push(ci)
      const before = snapshot(ci.home)
      const login = await runCli(['auth', 'login', '--json'], ci.env)
      expect(login.code, login.stderr).to.equal(0)
      expect(JSON.parse(login.stdout)).to.include({credentialStore: 'none', method: 'certificate', account: sp.clientId})
      const token = await runCli(['auth', 'token'], ci.env)
      expect(token.code, token.stderr).to.equal(0)
      expect(decodeJwt(token.stdout.trim())).to.include({appid: sp.clientId})
      const status = await runCli(['auth', 'status', '--json', '--debug'], ci.env)
      expect(status.code, status.stderr).to.equal(0)
      expect(JSON.parse(status.stdout)).to.include({mode: 'environment'})
      const checked = await runCli(['auth', 'status', '--check', '--json'], ci.env)
      expect(checked.code, checked.stderr).to.equal(0)
      expect(JSON.parse(checked.stdout).check).to.include({state: 'ok'})
      const pem = await runCli(['auth', 'token'], {...ci.env, PPCTL_CERTIFICATE_PATH: '', PPCTL_CERTIFICATE: readFileSync(sp.pemFile, 'utf8')})
      expect(pem.code, pem.stderr).to.equal(0)
      expect(snapshot(ci.home)).to.deep.equal(before)
      expect(Object.keys(before)).to.deep.equal([])
    })
  })
})
