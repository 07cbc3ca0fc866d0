// Workload identity federation end to end: the local CI token issuer's tokens sign a pipeline in as a service
// principal (from a file, and from the GitHub-style token request), the failures name what did not match, auth doctor
// names the exact mismatch, renewal reads the file again, and nothing is written to disk.
import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import {Agent, fetch} from 'undici'

import {runCli, type CliResult} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {machine} from '../helpers/sign-in.js'

const MAIN = 'repo:contoso/app:ref:refs/heads/main'
const AUDIENCE = 'api://ppctl'

/** Every file under the roots with a hash of its content: what "nothing written" compares. */
function snapshot(roots: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (root: string, d: string) => {
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const path = join(d, entry.name)
      const key = `${root}:${relative(root, path)}`
      if (entry.isDirectory()) {
        out[key + '/'] = statSync(path).mode.toString(8)
        walk(root, path)
      } else out[key] = createHash('sha256').update(readFileSync(path)).digest('hex')
    }
  }
  for (const root of roots) if (existsSync(root)) walk(root, root)
  return out
}

interface DoctorJson {
  ok: boolean
  exitCode: number
  method: string
  federatedToken?: {issuer: string; subject: string; audiences: string[]; expired: boolean}
  checks: Array<{name: string; verdict: string; message: string; nextStep?: string; code?: string}>
}

describe('workload identity federation (real CLI, real platform, the local CI token issuer)', function () {
  let platform: TestPlatform
  let caFile: string
  let sp: {clientId: string}
  /** A second service principal that trusts only GitHub's real issuer: the local issuer is unregistered for it. */
  let other: {clientId: string}
  const temps: string[] = []
  const temp = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `ppctl-fed-${name}-`))
    temps.push(dir)
    return dir
  }
  const sandbox = (args: string[]) => runCli([...args, '--data-dir', platform.dataDir], platform.cli.env)

  async function mint(subject: string, audience: string, extra: string[] = []): Promise<string> {
    const res = await sandbox(['sandbox', 'ci-token', '--subject', subject, '--audience', audience, ...extra])
    expect(res.code, res.stderr).to.equal(0)
    return res.stdout.trim()
  }

  before(async () => {
    platform = await startTestPlatform()
    caFile = JSON.parse((await sandbox(['sandbox', 'status', '--json'])).stdout).caFile
    const secrets = temp('secrets')
    for (const name of ['pipeline', 'other']) {
      const created = await sandbox(['sandbox', 'sp', 'create', '--tenant', 'contoso', '--name', name, '--out', secrets, '--no-pfx', '--json'])
      expect(created.code, created.stderr).to.equal(0)
      if (name === 'pipeline') sp = JSON.parse(created.stdout)
      else other = JSON.parse(created.stdout)
    }
    const added = await sandbox([
      'sandbox',
      'sp',
      'federate',
      'add',
      '--client-id',
      sp.clientId,
      '--name',
      'app-main',
      '--subject',
      MAIN,
      '--audience',
      AUDIENCE,
      '--json',
    ])
    expect(added.code, added.stderr).to.equal(0)
    expect(JSON.parse(added.stdout)).to.include({created: true, subject: MAIN})
    const github = await sandbox([
      'sandbox', 'sp', 'federate', 'add', '--client-id', other.clientId, '--name', 'gh', '--issuer', 'https://token.actions.githubusercontent.com',
      '--subject', MAIN, '--audience', AUDIENCE, '--json',
    ]) // prettier-ignore
    expect(github.code, github.stderr).to.equal(0)
  })
  after(async () => {
    for (const dir of temps) rmSync(dir, {recursive: true, force: true})
    await platform?.stop()
  })

  /** Only what a pipeline sets: no config folder, no profile. */
  function pipelineEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      CI: '1',
      NO_COLOR: '1',
      LANG: 'C.UTF-8',
      HOME: temp('home'),
      TMPDIR: temp('tmp'),
      PPCTL_AUTHORITY: platform.urls.authority,
      PPCTL_GLOBAL_URL: platform.urls.global,
      PPCTL_CLUSTER_ALLOW_LIST: '*.clusters.sandbox.localhost',
      PPCTL_CA_FILE: caFile,
      PPCTL_CLIENT_ID: sp.clientId,
      PPCTL_TENANT_ID: 'contoso',
      PPCTL_SANDBOX_DIR: platform.dataDir,
      ...extra,
    }
  }

  function tokenFile(token: string): string {
    const file = join(temp('runner'), 'oidc.jwt')
    writeFileSync(file, token + '\n', {mode: 0o600})
    return file
  }

  const errorOf = (res: CliResult) => JSON.parse(res.stdout).error as {code: string; message: string; nextStep: string}

  it('signs in from a token file, calls the platform, and writes nothing; the token never appears in the output', async () => {
    const token = await mint(MAIN, AUDIENCE)
    const file = tokenFile(token)
    const env = pipelineEnv({PPCTL_FEDERATED_TOKEN_FILE: file})
    const roots = [env.HOME as string, env.TMPDIR as string]
    const before = snapshot(roots)
    const login = await runCli(['auth', 'login', '--json'], env)
    expect(login.code, login.stderr + login.stdout).to.equal(0)
    expect(JSON.parse(login.stdout)).to.include({method: 'federated', credentialStore: 'none', account: sp.clientId})
    const connectors = await runCli(['connector', 'list', '--json'], env)
    expect(connectors.code, connectors.stderr).to.equal(0)
    expect((JSON.parse(connectors.stdout) as {items: unknown[]}).items.length).to.be.greaterThan(0)
    const status = await runCli(['auth', 'status', '--json'], env)
    expect(JSON.parse(status.stdout)).to.include({mode: 'environment', method: 'federated', dpop: false})
    const doctor = await runCli(['auth', 'doctor', '--json'], env)
    expect(doctor.code, doctor.stdout).to.equal(0)
    const report = JSON.parse(doctor.stdout) as DoctorJson
    expect(report.ok).to.equal(true)
    expect(report.checks.find((c) => c.name === 'federated-credential')).to.include({verdict: 'pass'})
    expect(report.checks.find((c) => c.name === 'sign-in')).to.include({verdict: 'pass'})
    expect(report.federatedToken).to.include({subject: MAIN, expired: false})
    for (const res of [login, connectors, status, doctor]) expect(res.stdout + res.stderr).not.to.contain(token)
    expect(snapshot(roots)).to.deep.equal(before)
    expect(Object.keys(before)).to.deep.equal([])
  })

  it('signs in with the GitHub-style token request (ACTIONS_ID_TOKEN_REQUEST_URL + bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN)', async () => {
    const job = await sandbox(['sandbox', 'ci-token', '--job', '--subject', MAIN, '--json'])
    expect(job.code, job.stderr).to.equal(0)
    const vars = (JSON.parse(job.stdout) as {env: Record<string, string>}).env
    expect(vars.ACTIONS_ID_TOKEN_REQUEST_URL).to.match(/^https:\/\/ci\.sandbox\.localhost:\d+\/idtoken\?api-version=2\.0$/)
    const env = pipelineEnv({
      ACTIONS_ID_TOKEN_REQUEST_URL: vars.ACTIONS_ID_TOKEN_REQUEST_URL,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: vars.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    })
    const login = await runCli(['auth', 'login', '--json'], env)
    expect(login.code, login.stderr + login.stdout).to.equal(0)
    expect(JSON.parse(login.stdout).federatedSource).to.contain('ACTIONS_ID_TOKEN_REQUEST_URL')
    const whoami = await runCli(['whoami', '--json'], env)
    expect(whoami.code, whoami.stderr).to.equal(0)
    expect(JSON.parse(whoami.stdout)).to.include({account: sp.clientId, method: 'federated', kind: 'servicePrincipal'})
    // Azure DevOps' form of the same job: POST SYSTEM_OIDCREQUESTURI with bearer SYSTEM_ACCESSTOKEN.
    const ado = await runCli(
      ['auth', 'login', '--json'],
      pipelineEnv({SYSTEM_OIDCREQUESTURI: vars.SYSTEM_OIDCREQUESTURI, SYSTEM_ACCESSTOKEN: vars.SYSTEM_ACCESSTOKEN}),
    )
    expect(ado.code, ado.stderr + ado.stdout).to.equal(0)
    expect(JSON.parse(ado.stdout).federatedSource).to.contain('SYSTEM_OIDCREQUESTURI')
    // GitLab: the job's id_tokens: variable.
    const gitlab = await runCli(['auth', 'login', '--json'], pipelineEnv({PPCTL_ID_TOKEN: await mint(MAIN, AUDIENCE), GITLAB_CI: 'true'}))
    expect(gitlab.code, gitlab.stderr + gitlab.stdout).to.equal(0)
    expect(JSON.parse(gitlab.stdout).federatedSource).to.contain('PPCTL_ID_TOKEN')
    // A wrong request token gets no federated token: the CI system's refusal, exit 4.
    const refused = await runCli(
      ['auth', 'login', '--json'],
      pipelineEnv({ACTIONS_ID_TOKEN_REQUEST_URL: vars.ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-job'}),
    )
    expect(refused.code).to.equal(4)
    expect(errorOf(refused).code).to.equal('FEDERATED_TOKEN_REQUEST_FAILED')
  })

  const failures: Array<{
    title: string
    token: () => Promise<string>
    clientId?: () => string
    loginCode: string
    loginSays: RegExp
    doctorCheck: string
    doctorSays: RegExp
  }> = [
    {
      title: 'wrong subject',
      token: () => mint('repo:contoso/app:pull_request', AUDIENCE),
      loginCode: 'FEDERATION_REFUSED',
      loginSays: /subject \(sub\) of the client assertion, "repo:contoso\/app:pull_request", matches no federated credential/,
      doctorCheck: 'federated-credential',
      doctorSays: /^The subject is repo:contoso\/app:pull_request, the credential expects repo:contoso\/app:ref:refs\/heads\/main \(app-main\)\.$/,
    },
    {
      title: 'wrong audience',
      token: () => mint(MAIN, 'api://someone-else'),
      loginCode: 'FEDERATION_REFUSED',
      loginSays: /audience \(aud\) of the client assertion, "api:\/\/someone-else", matches no federated credential/,
      doctorCheck: 'federated-credential',
      doctorSays: /^The audience is api:\/\/someone-else, the credential expects api:\/\/ppctl\.$/,
    },
    {
      title: 'expired federated token',
      token: () => mint(MAIN, AUDIENCE, ['--expired']),
      loginCode: 'FEDERATED_TOKEN_EXPIRED',
      loginSays: /The federated token from the file .* expired at /,
      doctorCheck: 'federated-token',
      doctorSays: /expired at .* s ago\)\.$/,
    },
    {
      title: 'unregistered issuer',
      token: () => mint(MAIN, AUDIENCE),
      clientId: () => other.clientId,
      loginCode: 'FEDERATION_REFUSED',
      loginSays: /the issuer \(iss\) of the client assertion, "https:\/\/ci\.sandbox\.localhost:\d+", is not registered for this client/,
      doctorCheck: 'federated-credential',
      doctorSays:
        /^The token's issuer is https:\/\/ci\.sandbox\.localhost:\d+, which no federated credential registers \(they expect https:\/\/token\.actions\.githubusercontent\.com\)\.$/,
    },
  ]
  for (const f of failures) {
    it(`${f.title}: the sign-in fails (exit 4) saying what did not match, and auth doctor names the exact mismatch`, async () => {
      const token = await f.token()
      const env = pipelineEnv({PPCTL_FEDERATED_TOKEN_FILE: tokenFile(token), ...(f.clientId ? {PPCTL_CLIENT_ID: f.clientId()} : {})})
      const login = await runCli(['auth', 'login', '--json'], env)
      expect(login.code, login.stdout).to.equal(4)
      const error = errorOf(login)
      expect(error.code).to.equal(f.loginCode)
      expect(error.message).to.match(f.loginSays)
      expect(error.nextStep).to.contain('auth doctor')
      const doctor = await runCli(['auth', 'doctor', '--json'], env)
      expect(doctor.code).to.equal(4)
      const report = JSON.parse(doctor.stdout) as DoctorJson
      expect(report.ok).to.equal(false)
      const check = report.checks.find((c) => c.name === f.doctorCheck)
      expect(check, JSON.stringify(report.checks)).to.include({verdict: 'fail'})
      expect(check?.message).to.match(f.doctorSays)
      expect(check?.nextStep).to.be.a('string').and.not.equal('')
      expect(login.stdout + login.stderr + doctor.stdout + doctor.stderr).not.to.contain(token)
      // The human view at a pipe: the same verdict, the next step on stderr.
      const human = await runCli(['auth', 'doctor'], env)
      expect(human.code).to.equal(4)
      expect(human.stdout).to.match(new RegExp(`^${f.doctorCheck}\\tFAILED\\t`, 'm'))
      expect(human.stderr).to.contain(`Next (${f.doctorCheck}):`)
    })
  }

  it("the token endpoint itself refuses an expired or forged federated token with invalid_client, without naming the credential's values", async () => {
    const token = await mint(MAIN, AUDIENCE, ['--expired'])
    const wrongSubject = await mint('repo:contoso/app:pull_request', AUDIENCE)
    const agent = new Agent({connect: {ca: readFileSync(caFile, 'utf8'), lookup: (_h, _o, cb) => cb(null, [{address: '127.0.0.1', family: 4}])}})
    try {
      const post = async (assertion: string) => {
        const res = await fetch(`${platform.urls.authority}/token`, {
          method: 'POST',
          dispatcher: agent,
          headers: {'content-type': 'application/x-www-form-urlencoded'},
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: sp.clientId,
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: assertion,
          }).toString(),
        })
        return {status: res.status, body: (await res.json()) as {error: string; error_description: string}}
      }
      const expired = await post(token)
      expect(expired).to.deep.equal({status: 401, body: {error: 'invalid_client', error_description: 'the client assertion has expired (exp)'}})
      // The right claims, signed by a key the issuer does not publish: refused on the signature.
      const {SignJWT, generateKeyPair, decodeJwt} = await import('jose')
      const {privateKey} = await generateKeyPair('RS256')
      const real = decodeJwt(await mint(MAIN, AUDIENCE))
      const forged = await new SignJWT({})
        .setProtectedHeader({alg: 'RS256'})
        .setIssuer(real.iss as string)
        .setSubject(MAIN)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey)
      const refusedForgery = await post(forged)
      expect(refusedForgery.status).to.equal(401)
      expect(refusedForgery.body).to.deep.equal({
        error: 'invalid_client',
        error_description: "the client assertion's signature does not verify with its issuer's published keys",
      })
      const subject = await post(wrongSubject)
      expect(subject.status).to.equal(401)
      expect(subject.body.error).to.equal('invalid_client')
      expect(subject.body.error_description).not.to.contain('refs/heads/main')
    } finally {
      await agent.close()
    }
    expect(readFileSync(join(platform.dataDir, 'platform.log'), 'utf8')).not.to.contain('already parsed request body')
  })

  it('a profile signed in from a token file reads the file again at every renewal, and can bind the tokens with DPoP', async () => {
    const m = await machine(platform)
    temps.push(m.home)
    const file = tokenFile(await mint(MAIN, AUDIENCE))
    const login = await runCli(
      [
        'auth',
        'login',
        '--profile',
        'ci',
        '--from',
        'sandbox',
        '--federated-token-file',
        file,
        '--client-id',
        sp.clientId,
        '--tenant',
        'contoso',
        '--dpop',
        '--json',
      ],
      m.env,
    )
    expect(login.code, login.stderr + login.stdout).to.equal(0)
    expect(JSON.parse(login.stdout)).to.include({method: 'federated', dpop: true})
    const status = await runCli(['auth', 'status', '--profile', 'ci', '--json'], m.env)
    expect(JSON.parse(status.stdout)).to.include({method: 'federated', dpop: true, signedIn: true})
    const config = readFileSync(join(m.env.PPCTL_CONFIG_DIR as string, 'config.json'), 'utf8')
    expect(config).not.to.contain(readFileSync(file, 'utf8').trim())
    const connectors = await runCli(['connector', 'list', '--profile', 'ci', '--json'], m.env)
    expect(connectors.code, connectors.stderr + connectors.stdout).to.equal(0)

    // The file now holds an expired token: the renewal reads it again and says so.
    writeFileSync(file, (await mint(MAIN, AUDIENCE, ['--expired'])) + '\n')
    const stale = await runCli(['auth', 'token', '--profile', 'ci', '--force-refresh', '--json'], m.env)
    expect(stale.code).to.equal(4)
    expect(errorOf(stale).code).to.equal('FEDERATED_TOKEN_EXPIRED')
    // A fresh token in the file: renewed again, still DPoP-bound.
    writeFileSync(file, (await mint(MAIN, AUDIENCE)) + '\n')
    const renewed = await runCli(['auth', 'token', '--profile', 'ci', '--force-refresh', '--json'], m.env)
    expect(renewed.code, renewed.stderr + renewed.stdout).to.equal(0)
    const again = await runCli(['connector', 'list', '--profile', 'ci', '--json'], m.env)
    expect(again.code, again.stderr + again.stdout).to.equal(0)
    const logout = await runCli(['auth', 'logout', '--profile', 'ci', '--json'], m.env)
    expect(logout.code, logout.stderr + logout.stdout).to.equal(0)
    const after = await runCli(['auth', 'status', '--profile', 'ci', '--json'], m.env)
    expect(JSON.parse(after.stdout)).to.include({signedIn: false, method: null})
  })

  it('audits the federated credential change and the federated sign-ins, succeeded and refused', async () => {
    const env = pipelineEnv({PPCTL_FEDERATED_TOKEN_FILE: tokenFile(await mint(MAIN, AUDIENCE))})
    const refused = await runCli(
      ['auth', 'login', '--json'],
      pipelineEnv({PPCTL_FEDERATED_TOKEN_FILE: tokenFile(await mint('repo:contoso/app:pull_request', AUDIENCE))}),
    )
    expect(refused.code).to.equal(4)
    const read = async (action: string) => {
      const res = await runCli(['audit', 'stream', '--action', action], env)
      expect(res.code, res.stderr).to.equal(0)
      return res.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as {action: string; details?: Record<string, unknown>; target?: {id?: string}})
    }
    const added = await read('servicePrincipal.federatedCredential.*')
    expect(added.some((e) => e.action === 'servicePrincipal.federatedCredential.added' && e.target?.id === sp.clientId)).to.equal(true)
    const issued = await read('token.issued')
    expect(issued.some((e) => e.details?.method === 'federated' && e.details?.federatedCredential === 'app-main' && e.details?.subject === MAIN)).to.equal(true)
    const failed = await read('client.auth_failed')
    expect(failed.some((e) => e.details?.method === 'federated' && e.details?.subject === 'repo:contoso/app:pull_request')).to.equal(true)
  })

  it('refuses a federated credential that is not https, and an unknown service principal, with a clear error', async () => {
    const http = await sandbox([
      'sandbox',
      'sp',
      'federate',
      'add',
      '--client-id',
      sp.clientId,
      '--name',
      'x',
      '--issuer',
      'http://ci.example',
      '--subject',
      MAIN,
      '--audience',
      AUDIENCE,
      '--json',
    ])
    expect(http.code).to.equal(2)
    expect(errorOf(http).message).to.contain('https')
    const unknown = await sandbox(['sandbox', 'sp', 'federate', 'list', '--client-id', 'no-such-client', '--json'])
    expect(unknown.code).to.equal(6)
    expect(errorOf(unknown).code).to.equal('SERVICE_PRINCIPAL_NOT_FOUND')
    const list = await sandbox(['sandbox', 'sp', 'federate', 'list', '--client-id', sp.clientId, '--json'])
    expect(JSON.parse(list.stdout).items.map((c: {name: string}) => c.name)).to.deep.equal(['app-main'])
  })
})
