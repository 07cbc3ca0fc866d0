// A sign-in across a restart of the local platform: the same port keeps it working; another port says why it cannot.
import {expect} from 'chai'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'

import {makeCliEnv, runCli, type CliEnv, type CliResult} from '../helpers/cli.js'
import {deviceLogin, type DeviceCodeLine} from '../helpers/sign-in.js'

/** A port no one listens on, other than `not`. */
async function freePort(not: number): Promise<number> {
  for (;;) {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as {port: number}).port
    await new Promise<void>((resolve) => server.close(() => resolve()))
    if (port !== not) return port
  }
}

describe('sandbox restart and sign-ins (real CLI, real platform)', function () {
  let cli: CliEnv
  let dataDir: string
  let blocker: Server | undefined
  const run = (...args: string[]): Promise<CliResult> => runCli(args, cli.env)
  const start = async (...args: string[]): Promise<{port: number; status: string}> => {
    const res = await run('sandbox', 'start', '--data-dir', dataDir, '--json', ...args)
    expect(res.code, res.stderr + res.stdout).to.equal(0)
    return JSON.parse(res.stdout)
  }
  const stop = async () => expect((await run('sandbox', 'stop', '--data-dir', dataDir)).code).to.equal(0)

  beforeEach(async () => {
    cli = makeCliEnv({PPCTL_CREDENTIAL_STORE: 'file'})
    dataDir = join(cli.home, 'platform')
  })
  afterEach(async () => {
    blocker?.close()
    blocker = undefined
    await run('sandbox', 'stop', '--data-dir', dataDir)
    cli.cleanup()
  })

  async function signIn(): Promise<void> {
    const approve = async (device: DeviceCodeLine) => {
      const users = JSON.parse((await run('sandbox', 'users', '--data-dir', dataDir, '--json')).stdout) as {items: Array<{upn: string; password: string}>}
      const password = users.items.find((u) => u.upn === 'admin@contoso.example')!.password
      const approved = await runCli(['sandbox', 'approve', device.userCode, '--user', 'admin@contoso.example', '--data-dir', dataDir], cli.env, `${password}\n`)
      expect(approved.code, approved.stderr).to.equal(0)
    }
    const login = await deviceLogin(cli.env, [], approve)
    expect(login.code, login.stderr).to.equal(0)
  }

  it('start without --port reuses the port of the last run, so the sign-in keeps working', async () => {
    const first = await start('--port', '0')
    await signIn()
    expect((await run('connector', 'list', '--json')).code).to.equal(0)
    const token = (await run('auth', 'token')).stdout.trim()
    await stop()
    const again = await start()
    expect(again).to.include({status: 'started', port: first.port})
    const list = await run('connector', 'list', '--json')
    expect(list.code, list.stderr + list.stdout).to.equal(0)
    // The same sign-in: no new token was needed.
    expect((await run('auth', 'token')).stdout.trim()).to.equal(token)
    const status = await run('auth', 'status', '--json')
    expect(status.code, status.stderr).to.equal(0)
    expect(JSON.parse(status.stdout)).to.include({active: true, signedIn: true})
  })

  it('started on another port, every command and auth status say the identity provider changed, and exit 4', async () => {
    const first = await start('--port', '0')
    await signIn()
    await stop()
    const moved = await start('--port', String(await freePort(first.port)))
    const was = `https://login.sandbox.localhost:${first.port}`
    const now = `https://login.sandbox.localhost:${moved.port}`
    const expected = `identity provider changed (was ${was}, now ${now})`

    const list = await run('connector', 'list')
    expect(list.code, list.stderr).to.equal(4)
    expect(list.stderr).to.contain(expected)
    expect(list.stderr).to.match(/Next: .*ppctl auth login/)
    const json = await run('connector', 'list', '--json')
    expect(json.code).to.equal(4)
    expect(JSON.parse(json.stdout).error).to.include({code: 'IDENTITY_PROVIDER_CHANGED', exitCode: 4})

    const status = await run('auth', 'status', '-o', 'table')
    expect(status.code).to.equal(4)
    expect(status.stdout).to.match(/Signed in: +no/)
    expect(status.stdout + status.stderr).to.contain(expected)
    const statusJson = await run('auth', 'status', '--json')
    expect(statusJson.code).to.equal(4)
    const active = JSON.parse(statusJson.stdout)
    expect(active).to.include({signedIn: false})
    expect(active.problem).to.include({code: 'IDENTITY_PROVIDER_CHANGED'})

    // Signing in again is the way out.
    await signIn()
    expect((await run('connector', 'list', '--json')).code).to.equal(0)
    expect((await run('auth', 'status')).code).to.equal(0)
  })

  it('when the recorded port is taken, start says so and exits 7 instead of moving to another port', async () => {
    const first = await start('--port', '0')
    await stop()
    blocker = createServer()
    await new Promise<void>((resolve) => blocker!.listen(first.port, '127.0.0.1', resolve))
    const res = await run('sandbox', 'start', '--data-dir', dataDir)
    expect(res.code, res.stderr).to.equal(7)
    const lines = res.stderr.trimEnd().split('\n')
    expect(lines[0]).to.contain(`port ${first.port}`).and.contain('in use')
    expect(res.stderr).to.match(/Next: .*--port/)
    expect(res.stderr).not.to.match(/^\s+at /m)
    const status = await run('sandbox', 'status', '--data-dir', dataDir)
    expect(status.code).to.equal(8)
  })
})
