// A real HTTP proxy on loopback (npm `proxy`): HTTPS_PROXY carries sign-in and API calls through CONNECT tunnels;
// NO_PROXY sends them direct. The proxy's CONNECTs are counted.
import {expect} from 'chai'
import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {createProxy} from 'proxy'

import {runCli, type CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'

describe('HTTPS_PROXY and NO_PROXY through a real proxy (real CLI, real platform)', function () {
  let platform: TestPlatform
  const server = createServer()
  const connects: string[] = []
  const sockets = new Set<Socket>()
  let proxyUrl = ''
  const machines: CliEnv[] = []

  before(async () => {
    platform = await startTestPlatform()
    // The proxy resolves target names itself, and *.localhost is loopback only in ppctl's own lookup: this
    // server records each CONNECT and hands the proxy the address a resolver on this machine would give.
    server.prependListener('connect', (req: IncomingMessage) => {
      connects.push(req.url ?? '')
      req.url = (req.url ?? '').replace(/^(?:[a-z0-9-]+\.)*localhost(?=:\d+$)/i, '127.0.0.1')
    })
    server.on('connection', (s: Socket) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    })
    createProxy(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    for (const m of machines) m.cleanup()
    await platform?.stop()
  })

  async function signedIn(extra: NodeJS.ProcessEnv): Promise<CliEnv> {
    const cli = await machine(platform, extra)
    machines.push(cli)
    const login = await deviceLogin(cli.env, [], approveWithCli(platform, 'admin@contoso.example'))
    expect(login.code, login.stderr).to.equal(0)
    return cli
  }
  const host = (name: string) => `${name}.sandbox.localhost:${platform.port}`

  it('signs in and calls the API through HTTPS_PROXY (CONNECT tunnels, TLS verified end to end)', async () => {
    connects.length = 0
    const cli = await signedIn({HTTPS_PROXY: proxyUrl})
    expect(connects, 'sign-in through the proxy').to.include(host('login'))
    const before = connects.length
    const show = await runCli(['route', 'show', '--refresh', '--json'], cli.env)
    expect(show.code, show.stderr).to.equal(0)
    expect(connects.slice(before)).to.include(host('global'))
    const diag = await runCli(['route', 'diagnose', '--json'], cli.env)
    expect(diag.code, diag.stdout).to.equal(0)
    const proxyHop = (JSON.parse(diag.stdout) as {hops: Array<{id: string; details: Record<string, unknown>}>}).hops.find((h) => h.id === 'proxy')!
    expect(proxyHop.details).to.include({httpsProxy: `${proxyUrl}/`, globalService: 'proxy'})
    expect(connects, 'the diagnosis tunnels to the clusters').to.include(`eastus-1.clusters.${host('').slice(1)}`)
  })

  it('goes direct for hosts in NO_PROXY: zero CONNECTs for sign-in and API calls', async () => {
    connects.length = 0
    const cli = await signedIn({HTTPS_PROXY: proxyUrl, NO_PROXY: '.sandbox.localhost'})
    const show = await runCli(['route', 'show', '--refresh', '--json'], cli.env)
    expect(show.code, show.stderr).to.equal(0)
    expect(connects).to.deep.equal([])
  })

  it('names the proxy when it refuses the tunnel', async () => {
    const cli = await signedIn({HTTPS_PROXY: proxyUrl})
    const refused = await runCli(['route', 'show', '--refresh', '--json'], {...cli.env, HTTPS_PROXY: 'http://127.0.0.1:9'})
    expect(refused.code).to.equal(8)
    expect(JSON.parse(refused.stdout).error.message).to.contain('proxy')
  })
})
