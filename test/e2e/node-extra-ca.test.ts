// NODE_EXTRA_CA_CERTS (how a Node program is told of a company's CA) adds to what ppctl trusts, as it does for Node
// itself, next to the profile's ca-file — never instead of it — with the real CLI, by either path.
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {createTestPki, startHttpsServer, type TestServer} from '../helpers/http-fixtures.js'
import {runCli, type CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {signedInMachines} from '../helpers/sign-in.js'

describe('NODE_EXTRA_CA_CERTS is trusted with the profile CA (real CLI, a server signed by a company CA)', function () {
  let platform: TestPlatform
  let company: TestServer
  let cli: CliEnv
  let companyCa: string
  let platformGlobalUrl: string

  before(async () => {
    platform = await startTestPlatform()
    ;[cli] = await signedInMachines(platform, ['admin@contoso.example'])
    // A global service behind a CA that only NODE_EXTRA_CA_CERTS names (not the profile's ca-file, the local platform's).
    const pki = createTestPki(['global.sandbox.localhost'])
    company = await startHttpsServer(pki)
    companyCa = join(cli.home, 'company-ca.pem')
    writeFileSync(companyCa, pki.ca)
    const get = await runCli(['config', 'get', 'global-url'], cli.env)
    expect(get.code, get.stderr).to.equal(0)
    platformGlobalUrl = get.stdout.trim()
  })
  after(async () => {
    await company?.close()
    cli?.cleanup()
    await platform?.stop()
  })

  const setGlobalUrl = async (url: string) => {
    const set = await runCli(['config', 'set', 'global-url', url], cli.env)
    expect(set.code, set.stderr).to.equal(0)
  }
  const routeShow = (env: NodeJS.ProcessEnv) => runCli(['route', 'show', '--refresh', '--json'], {...cli.env, ...env})
  const errorCode = (stdout: string) => JSON.parse(stdout).error?.code

  it('a server signed by the company CA: refused without the variable, reached with it (fast path and oclif)', async () => {
    await setGlobalUrl(`https://global.sandbox.localhost:${company.port}`)
    try {
      for (const path of [{}, {PPCTL_NO_FAST_PATH: '1'}]) {
        const refused = await routeShow(path)
        expect(refused.code, refused.stderr).to.equal(8)
        expect(errorCode(refused.stdout)).to.equal('TLS_VERIFY_FAILED')
        expect(company.seen).to.have.length(0)
      }
      for (const path of [{}, {PPCTL_NO_FAST_PATH: '1'}]) {
        const before = company.seen.length
        const reached = await routeShow({...path, NODE_EXTRA_CA_CERTS: companyCa})
        // The handshake succeeded: the request arrived (the fixture's answer is no route, so the command fails on that).
        expect(company.seen.length, reached.stdout + reached.stderr).to.be.greaterThan(before)
        expect(errorCode(reached.stdout)).to.not.equal('TLS_VERIFY_FAILED')
      }
    } finally {
      await setGlobalUrl(platformGlobalUrl)
    }
  })

  it("it adds, never replaces: with the variable set, the profile's ca-file still verifies the local platform", async () => {
    const before = company.seen.length
    for (const path of [{}, {PPCTL_NO_FAST_PATH: '1'}]) {
      const res = await routeShow({...path, NODE_EXTRA_CA_CERTS: companyCa})
      expect(res.code, res.stderr).to.equal(0)
      expect(JSON.parse(res.stdout).home.clusterId).to.equal('eastus-1')
    }
    expect(company.seen.length).to.equal(before)
  })
})
