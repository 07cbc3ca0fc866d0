// Hostile routing data from the global service (escape sequences, OSC 8 links, BEL, CR, LF, C1 CSI, bidi overrides) is
// inert in every human output of route show and route diagnose, and exact (escaped, parsed back) in their --json output.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {runCli, type CliEnv, type CliResult} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'

/** Anything a terminal would act on, raw (in human output, tab and LF only are allowed). */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/
/** The same for JSON text, whose whitespace may also hold CR. */
const JSON_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/
const evil = (name: string) => `${name}\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\x1b[2J\x07\r\nFAKE OK hop\x9b31m\u202Egnp.exe`

interface Route {
  tenantId: string
  tenantName?: string
  home: {clusterId: string; region: string; uri: string}
  secondary: {clusterId: string; region: string; uri: string; mode: string}
  epoch: number
}

describe('hostile routing data is inert at a terminal and exact in --json (real CLI, a hostile global service)', function () {
  let platform: TestPlatform
  let cli: CliEnv
  let hostile: Route
  let fake: Server

  before(async () => {
    platform = await startTestPlatform()
    cli = await machine(platform)
    const login = await deviceLogin(cli.env, [], approveWithCli(platform, 'admin@contoso.example'))
    expect(login.code, login.stderr).to.equal(0)
    const real = JSON.parse((await runCli(['route', 'show', '--refresh', '--json'], cli.env)).stdout) as Route
    // The real clusters' URIs (so the allow-list passes and diagnose probes real hosts), with hostile names around them.
    hostile = {
      tenantId: real.tenantId,
      tenantName: evil('Contoso'),
      home: {clusterId: evil(real.home.clusterId), region: evil(real.home.region), uri: real.home.uri},
      secondary: {clusterId: evil(real.secondary.clusterId), region: evil(real.secondary.region), uri: real.secondary.uri, mode: evil('passive')},
      epoch: real.epoch,
    }
    // A global service impostor with the platform's own certificate (trusted by the profile's CA) that answers the hostile route.
    const tls = join(platform.dataDir, 'tls')
    fake = createServer({cert: readFileSync(join(tls, 'server.pem')), key: readFileSync(join(tls, 'server-key.pem'))}, (_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({...hostile, ttlSeconds: 0}))
    })
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
    const set = await runCli(['config', 'set', 'global-url', `https://global.sandbox.localhost:${(fake.address() as AddressInfo).port}`], cli.env)
    expect(set.code, set.stderr).to.equal(0)
  })
  after(async () => {
    fake?.closeAllConnections()
    await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()))
    cli?.cleanup()
    await platform?.stop()
  })

  function expectInert(result: CliResult): void {
    expect(result.stdout, result.stderr).to.contain('gnp.exe')
    for (const [name, out] of [
      ['stdout', result.stdout],
      ['stderr', result.stderr],
    ]) {
      const bad = CONTROLS.exec(out)
      expect(bad, `${name} has U+${bad?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${bad?.index}: ${JSON.stringify(out)}`).to.equal(null)
      expect(
        out.split('\n').filter((line) => line.startsWith('FAKE')),
        name,
      ).to.deep.equal([])
    }
  }

  function expectExactJson(result: CliResult): unknown {
    expect(result.stdout).not.to.match(JSON_CONTROLS)
    for (const escaped of ['\\u001b', '\\u0007', '\\r', '\\n', '\\u009b', '\\u202e']) expect(result.stdout).to.contain(escaped)
    return JSON.parse(result.stdout)
  }

  it('route show (fast path and oclif): every human line is clean', async () => {
    expectInert(await runCli(['route', 'show', '--refresh'], cli.env))
    expectInert(await runCli(['route', 'show', '--refresh'], {...cli.env, PPCTL_NO_FAST_PATH: '1'}))
  })

  it('route show --json: escaped, and parses back to the exact strings', async () => {
    for (const env of [cli.env, {...cli.env, PPCTL_NO_FAST_PATH: '1'}]) {
      const shown = expectExactJson(await runCli(['route', 'show', '--refresh', '--json'], env)) as Route
      expect(shown.tenantName).to.equal(hostile.tenantName)
      expect(shown.home).to.deep.equal(hostile.home)
      expect(shown.secondary).to.deep.equal(hostile.secondary)
    }
  })

  it('route diagnose: the hops (titles with the cluster ids), the summary and the verdict are clean', async () => {
    // --slow 5m: only the content is under test, so a loaded machine's slow hop must not turn OK into WARN.
    const result = await runCli(['route', 'diagnose', '--slow', '5m'], cli.env)
    expect([0, 8], result.stderr).to.include(result.code)
    expectInert(result)
    expect(result.stdout).to.match(/^OK .* home eastus-1click FAKE OK hopgnp\.exe TLS( |$)/m)
  })

  it('route diagnose --json: escaped, and parses back to the exact route', async () => {
    const diagnosis = expectExactJson(await runCli(['route', 'diagnose', '--json'], cli.env)) as {route: Route; hops: Array<{title: string}>}
    expect(diagnosis.route.home).to.deep.equal(hostile.home)
    expect(diagnosis.hops.map((h) => h.title)).to.include.members([`home ${hostile.home.clusterId} TLS`])
  })
})
