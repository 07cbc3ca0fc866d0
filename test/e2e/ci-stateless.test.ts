// CI mode on a clean runner: the certificate and platform variables alone reach a tenant, and nothing is written to disk.
import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'

/** Every folder and file under each root, files with a hash of their content and their mode: what "nothing written" compares. */
function snapshot(roots: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (root: string, d: string) => {
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const path = join(d, entry.name)
      const key = `${root}:${relative(root, path)}`
      if (entry.isDirectory()) {
        out[key + '/'] = statSync(path).mode.toString(8)
        walk(root, path)
      } else {
        out[key] = createHash('sha256').update(readFileSync(path)).digest('hex') + ':' + statSync(path).mode.toString(8)
      }
    }
  }
  for (const root of roots) if (existsSync(root)) walk(root, root)
  return out
}

describe('CI mode on a clean runner (real CLI, real platform)', function () {
  let platform: TestPlatform
  let secrets: string
  let sp: {clientId: string; pemFile: string; pfxFile: string}
  let caFile: string
  const temps: string[] = []
  const temp = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `ppctl-ci-${name}-`))
    temps.push(dir)
    return dir
  }

  before(async () => {
    platform = await startTestPlatform()
    secrets = temp('secrets')
    const created = await runCli(
      ['sandbox', 'sp', 'create', '--tenant', 'contoso', '--name', 'pipeline', '--out', secrets, '--data-dir', platform.dataDir, '--json'],
      platform.cli.env,
      'pfx-pass\n',
    )
    expect(created.code, created.stderr).to.equal(0)
    sp = JSON.parse(created.stdout)
    caFile = JSON.parse((await runCli(['sandbox', 'status', '--data-dir', platform.dataDir, '--json'], platform.cli.env)).stdout).caFile
  })
  after(async () => {
    for (const dir of temps) rmSync(dir, {recursive: true, force: true})
    await platform?.stop()
  })

  /** Only the variables a pipeline would set: no PPCTL_CONFIG_DIR, no profile, nothing from this process. */
  function pipelineEnv(dirs: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      CI: '1',
      NO_COLOR: '1',
      LANG: 'C.UTF-8',
      ...dirs,
      PPCTL_AUTHORITY: platform.urls.authority,
      PPCTL_GLOBAL_URL: platform.urls.global,
      PPCTL_CLUSTER_ALLOW_LIST: '*.clusters.sandbox.localhost',
      PPCTL_CA_FILE: caFile,
      PPCTL_CLIENT_ID: sp.clientId,
      PPCTL_TENANT_ID: 'contoso',
      PPCTL_CERTIFICATE_PATH: sp.pfxFile,
      PPCTL_CERTIFICATE_PASSWORD: 'pfx-pass',
    }
  }

  /** `sku` must have a free seat: each test takes a different one, so neither depends on the other. */
  async function tenantCommands(env: NodeJS.ProcessEnv, user: string, sku: string): Promise<void> {
    const login = await runCli(['auth', 'login', '--json'], env)
    expect(login.code, login.stderr + login.stdout).to.equal(0)
    expect(JSON.parse(login.stdout)).to.include({credentialStore: 'none', account: sp.clientId})
    const connectors = await runCli(['connector', 'list', '--json'], env)
    expect(connectors.code, connectors.stderr + connectors.stdout).to.equal(0)
    expect((JSON.parse(connectors.stdout) as {items: unknown[]}).items.length).to.be.greaterThan(0)
    const assign = await runCli(['license', 'assign', '--user', user, '--sku', sku, '--json'], env)
    expect(assign.code, assign.stderr + assign.stdout).to.equal(0)
    expect((JSON.parse(assign.stdout) as {results: Array<{outcome: string}>}).results[0].outcome).to.equal('assigned')
    const audit = await runCli(['audit', 'stream', '--action', 'license.*'], env)
    expect(audit.code, audit.stderr).to.equal(0)
    const events = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {action: string; actor: {appId?: string}})
    expect(events.some((e) => e.actor.appId === sp.clientId)).to.equal(true)
    const status = await runCli(['auth', 'status', '--json'], env)
    expect(status.code, status.stderr).to.equal(0)
    expect(JSON.parse(status.stdout)).to.include({mode: 'environment'})
  }

  it('signs in, lists connectors, assigns a license and reads the audit log; no file appears under HOME, XDG or TMPDIR', async () => {
    const dirs = {
      HOME: temp('home'),
      XDG_CONFIG_HOME: temp('config'),
      XDG_CACHE_HOME: temp('cache'),
      XDG_STATE_HOME: temp('state'),
      XDG_DATA_HOME: temp('data'),
      TMPDIR: temp('tmp'),
    }
    const roots = [...Object.values(dirs), secrets]
    const before = snapshot(roots)
    await tenantCommands(pipelineEnv(dirs), 'lee.gu@contoso.example', 'POWERAPPS_PER_APP')
    expect(snapshot(roots)).to.deep.equal(before)
    expect(Object.keys(before).filter((k) => !k.startsWith(`${secrets}:`))).to.deep.equal([])
  })

  it('works with a HOME that does not exist, and does not create it', async () => {
    const root = temp('root')
    const home = join(root, 'no-such-home')
    await tenantCommands(pipelineEnv({HOME: home, TMPDIR: root}), 'nestor.wilke@contoso.example', 'POWERAPPS_PER_USER')
    expect(existsSync(home)).to.equal(false)
    expect(readdirSync(root)).to.deep.equal([])
  })

  it('without PPCTL_GLOBAL_URL, a tenant command names the variable (exit 2), not a config command that would write to disk', async () => {
    const dirs = {HOME: temp('home'), TMPDIR: temp('tmp')}
    const env = {...pipelineEnv(dirs), PPCTL_GLOBAL_URL: undefined}
    const res = await runCli(['connector', 'list', '--json'], env)
    expect(res.code).to.equal(2)
    const error = JSON.parse(res.stdout).error as {code: string; message: string; nextStep: string}
    expect(error.code).to.equal('NO_GLOBAL_URL')
    expect(`${error.message} ${error.nextStep}`).to.contain('PPCTL_GLOBAL_URL')
    expect(error.nextStep).not.to.contain('config set')
  })

  it('outside CI mode the variables override the signed-in profile: PPCTL_GLOBAL_URL over a wrong global-url, PPCTL_CLUSTER_ALLOW_LIST over the allow-list', async () => {
    const m = await machine(platform)
    temps.push(m.home)
    const login = await deviceLogin(m.env, [], approveWithCli(platform, 'admin@contoso.example'))
    expect(login.code, login.stderr).to.equal(0)
    expect((await runCli(['config', 'set', 'global-url', 'https://global.nowhere.localhost:1', '--profile', 'sandbox'], m.env)).code).to.equal(0)
    const wrong = await runCli(['connector', 'list', '--json'], m.env)
    expect(wrong.code).to.equal(8)
    const fixed = await runCli(['connector', 'list', '--json'], {...m.env, PPCTL_GLOBAL_URL: platform.urls.global})
    expect(fixed.code, fixed.stderr + fixed.stdout).to.equal(0)
    const narrowed = await runCli(['connector', 'list', '--json'], {
      ...m.env,
      PPCTL_GLOBAL_URL: platform.urls.global,
      PPCTL_CLUSTER_ALLOW_LIST: '*.clusters.elsewhere.example',
    })
    expect(narrowed.code).to.equal(8)
    expect(JSON.parse(narrowed.stdout).error.message).to.contain('*.clusters.elsewhere.example')
  })
})
