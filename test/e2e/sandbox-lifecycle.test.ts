// The local platform's lifecycle through the real CLI: start, start again, status, users, stop, restart, reset.
import {expect} from 'chai'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'

import {isAlive} from '../../src/lib/sandbox/lifecycle.js'
import {makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'

describe('sandbox lifecycle (real CLI, real platform)', function () {
  let cli: CliEnv
  let dataDir: string

  before(() => {
    cli = makeCliEnv()
    dataDir = join(cli.home, 'platform')
  })

  after(async () => {
    await runCli(['sandbox', 'stop', '--data-dir', dataDir], cli.env)
    cli.cleanup()
  })

  let first: {pid: number; port: number; status: string; profile: string; defaultProfile: boolean; caFile: string}
  let passwords: Record<string, string>

  it('starts on a free port, records it, and writes the default sandbox profile', async () => {
    const res = await runCli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json'], cli.env)
    expect(res.code, res.stderr).to.equal(0)
    first = JSON.parse(res.stdout)
    expect(first.status).to.equal('started')
    expect(first.port).to.be.greaterThan(0)
    expect(isAlive(first.pid)).to.equal(true)
    const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8'))
    expect(state.port).to.equal(first.port)
    expect(readFileSync(join(dataDir, 'platform.pid'), 'utf8').trim()).to.equal(String(first.pid))

    const configFile = join(cli.env.PPCTL_CONFIG_DIR!, 'config.json')
    const config = JSON.parse(readFileSync(configFile, 'utf8'))
    expect(config.defaultProfile).to.equal('sandbox')
    expect(config.profiles.sandbox).to.include({
      authority: `https://login.sandbox.localhost:${first.port}`,
      globalUrl: `https://global.sandbox.localhost:${first.port}`,
      clientId: 'ppctl',
      caFile: first.caFile,
    })
    expect(config.profiles.sandbox.clusterAllowList).to.deep.equal(['*.clusters.sandbox.localhost'])
    expect(statSync(configFile).mode & 0o777).to.equal(0o600)
    expect(statSync(cli.env.PPCTL_CONFIG_DIR!).mode & 0o777).to.equal(0o700)
    expect(statSync(join(dataDir, 'tls', 'server-key.pem')).mode & 0o777).to.equal(0o600)
  })

  it('says so and exits 0 when started a second time', async () => {
    const res = await runCli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '-o', 'table'], cli.env)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/already running/)
    expect(res.stdout).to.contain(String(first.pid))
  })

  it('reports URLs, pid, uptime and healthy components', async () => {
    const res = await runCli(['sandbox', 'status', '--data-dir', dataDir, '--json'], cli.env)
    expect(res.code, res.stderr).to.equal(0)
    const status = JSON.parse(res.stdout)
    expect(status).to.include({running: true, healthy: true, pid: first.pid, port: first.port})
    expect(status.uptimeSeconds).to.be.a('number')
    const names = status.components.map((c: {name: string}) => c.name)
    expect(names).to.include.members(['gateway', 'identity', 'global', 'gateway (TLS)', 'identity discovery', 'cluster eastus-1'])
    const human = await runCli(['sandbox', 'status', '--data-dir', dataDir], cli.env)
    expect(human.code).to.equal(0)
    expect(human.stdout).to.contain(`https://login.sandbox.localhost:${first.port}`)
  })

  it('lists the seeded identities with generated passwords that are stored only hashed', async () => {
    const res = await runCli(['sandbox', 'users', '--data-dir', dataDir, '--json'], cli.env)
    expect(res.code, res.stderr).to.equal(0)
    const {items: users} = JSON.parse(res.stdout) as {items: Array<{upn: string; password: string; roles: string[]; tenant: string}>}
    expect(users.map((u) => u.upn)).to.deep.equal([
      'admin@contoso.example',
      'maker@contoso.example',
      'user@contoso.example',
      'admin@fabrikam.example',
      'maker@fabrikam.example',
      'user@fabrikam.example',
      'support@operator.example',
    ])
    expect(users.find((u) => u.upn === 'support@operator.example')?.roles).to.deep.equal(['Support'])
    passwords = Object.fromEntries(users.map((u) => [u.upn, u.password]))
    const directory = readFileSync(join(dataDir, 'directory.json'), 'utf8')
    const log = readFileSync(join(dataDir, 'platform.log'), 'utf8')
    for (const u of users) {
      expect(u.password).to.have.length.greaterThanOrEqual(16)
      expect(directory).not.to.contain(u.password)
      expect(log).not.to.contain(u.password)
    }
    expect(statSync(join(dataDir, 'passwords.json')).mode & 0o777).to.equal(0o600)
  })

  it('refuses a port that is taken, with the log lines and a next step', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as {port: number}).port
    const other = join(cli.home, 'other-platform')
    try {
      const res = await runCli(['sandbox', 'start', '--port', String(port), '--data-dir', other], cli.env)
      expect(res.code).to.equal(1)
      expect(res.stderr).to.match(new RegExp(`port ${port} is already in use`))
      expect(res.stderr).to.contain('--port 0')
      expect(res.stderr).not.to.match(/^\s+at /m)
    } finally {
      blocker.close()
    }
  })

  it('stops gracefully, and status then exits 8', async () => {
    const res = await runCli(['sandbox', 'stop', '--data-dir', dataDir, '--json'], cli.env)
    expect(res.code, res.stderr).to.equal(0)
    expect(JSON.parse(res.stdout)).to.include({status: 'stopped', pid: first.pid, forced: false})
    expect(isAlive(first.pid)).to.equal(false)
    expect(existsSync(join(dataDir, 'state.json'))).to.equal(false)
    const status = await runCli(['sandbox', 'status', '--data-dir', dataDir], cli.env)
    expect(status.code).to.equal(8)
    expect(status.stderr).to.contain('ppctl sandbox start')
    const again = await runCli(['sandbox', 'stop', '--data-dir', dataDir, '--json'], cli.env)
    expect(JSON.parse(again.stdout).status).to.equal('not-running')
  })

  it('keeps users, passwords and service principals across a restart', async () => {
    let res = await runCli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json'], cli.env)
    expect(res.code, res.stderr).to.equal(0)
    const spOut = join(cli.home, 'sp')
    res = await runCli(
      ['sandbox', 'sp', 'create', '--tenant', 'contoso', '--name', 'ci-deploy', '--out', spOut, '--data-dir', dataDir, '--json'],
      cli.env,
      'pfx-pass-1\n',
    )
    expect(res.code, res.stderr).to.equal(0)
    const sp = JSON.parse(res.stdout)
    expect(sp.clientId).to.match(/^[0-9a-f-]{36}$/)
    expect(statSync(sp.pemFile).mode & 0o777).to.equal(0o600)
    expect(statSync(sp.pfxFile).mode & 0o777).to.equal(0o600)
    expect(res.stdout + res.stderr).not.to.contain('pfx-pass-1')

    expect((await runCli(['sandbox', 'stop', '--data-dir', dataDir], cli.env)).code).to.equal(0)
    res = await runCli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json'], cli.env)
    expect(res.code, res.stderr).to.equal(0)
    const {items: users} = JSON.parse((await runCli(['sandbox', 'users', '--data-dir', dataDir, '--json'], cli.env)).stdout)
    for (const u of users as Array<{upn: string; password: string}>) expect(u.password).to.equal(passwords[u.upn])
    const directory = JSON.parse(readFileSync(join(dataDir, 'directory.json'), 'utf8'))
    expect(directory.servicePrincipals.map((s: {clientId: string}) => s.clientId)).to.deep.equal([sp.clientId])
  })

  it('reset needs --yes without a terminal, then wipes the data folder', async () => {
    let res = await runCli(['sandbox', 'reset', '--data-dir', dataDir], cli.env)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.contain('--yes')
    expect(existsSync(join(dataDir, 'directory.json'))).to.equal(true)
    res = await runCli(['sandbox', 'reset', '--data-dir', dataDir, '--yes', '--json'], cli.env)
    expect(res.code, res.stderr).to.equal(0)
    expect(JSON.parse(res.stdout)).to.include({wiped: true, stopped: true})
    expect(existsSync(dataDir)).to.equal(false)
  })

  it('refuses to wipe a folder that is not a platform data folder', async () => {
    const res = await runCli(['sandbox', 'reset', '--data-dir', cli.env.PPCTL_CONFIG_DIR!, '--yes'], cli.env)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.match(/does not look like/)
    expect(existsSync(join(cli.env.PPCTL_CONFIG_DIR!, 'config.json'))).to.equal(true)
  })
})
