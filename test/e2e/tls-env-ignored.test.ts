// NODE_TLS_REJECT_UNAUTHORIZED=0 (and NODE_NO_WARNINGS=1) does not let a man in the middle in: the real CLI against an impostor.
import {expect} from 'chai'

import {runCli, type CliEnv, type CliResult} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'
import {createTestPki, startConnectProxy, startHttpsServer, type TestProxy, type TestServer} from '../helpers/http-fixtures.js'

const INSECURE_ENV = {NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1'}
const WARNING = 'ppctl ignores NODE_TLS_REJECT_UNAUTHORIZED=0'

describe('NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored (real CLI, a MITM server with an untrusted CA)', function () {
  let platform: TestPlatform
  let mitm: TestServer
  let proxy: TestProxy
  let cli: CliEnv

  before(async () => {
    platform = await startTestPlatform()
    // Valid names for the authority, the global service and the clusters, signed by a CA nobody trusts.
    mitm = await startHttpsServer(createTestPki(['login.sandbox.localhost', 'global.sandbox.localhost', '*.clusters.sandbox.localhost']))
    proxy = await startConnectProxy()
    cli = await machine(platform)
    const login = await deviceLogin(cli.env, [], approveWithCli(platform, 'admin@contoso.example'))
    expect(login.code, login.stderr).to.equal(0)
    // The signed-in profile now asks the impostor for the route, with a valid bearer token in hand.
    const set = await runCli(['config', 'set', 'global-url', `https://global.sandbox.localhost:${mitm.port}`], cli.env)
    expect(set.code, set.stderr).to.equal(0)
  })
  after(async () => {
    await mitm?.close()
    await proxy?.close()
    cli?.cleanup()
    await platform?.stop()
  })

  function expectRefused(result: CliResult): void {
    expect(result.code, result.stderr + result.stdout).to.equal(8)
    expect(JSON.parse(result.stdout).error.code).to.equal('TLS_VERIFY_FAILED')
    expect(result.stderr.split(WARNING).length - 1, result.stderr).to.equal(1)
    expect(result.stderr).not.to.match(/verification (is )?(off|disabled)|disabling certificate verification/i)
    expect(mitm.seen, 'requests the impostor received').to.deep.equal([])
  }

  it('sign-in: discovery at an impostor authority fails the TLS handshake, nothing is sent, one warning', async () => {
    const result = await runCli(
      ['auth', 'login', '--profile', 'mitm', '--authority', `https://login.sandbox.localhost:${mitm.port}`, '--client-id', 'ppctl-cli', '--json'],
      {...cli.env, ...INSECURE_ENV},
    )
    expectRefused(result)
  })

  it('an API command (route show, fast path and oclif): the bearer token never reaches the impostor', async () => {
    expectRefused(await runCli(['route', 'show', '--refresh', '--json'], {...cli.env, ...INSECURE_ENV}))
    expectRefused(await runCli(['route', 'show', '--refresh', '--json'], {...cli.env, ...INSECURE_ENV, PPCTL_NO_FAST_PATH: '1'}))
  })

  it('through HTTPS_PROXY: the tunnel opens, the TLS inside it is refused, nothing is sent', async () => {
    const before = proxy.connects.length
    expectRefused(await runCli(['route', 'show', '--refresh', '--json'], {...cli.env, ...INSECURE_ENV, HTTPS_PROXY: proxy.url}))
    expect(proxy.connects.slice(before)).to.include(`global.sandbox.localhost:${mitm.port}`)
  })
})
