// Allow-list attacks: a global service stand-in answers routes that point at an "attacker" server, which must
// receive ZERO requests while the real CLI refuses each route (exit 8) — with a real sign-in on a real platform.
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {runCli, type CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'
import {createTestPki, startHttpsServer, type TestServer} from '../helpers/http-fixtures.js'

describe('cluster allow-list attacks (real CLI, global service stand-in, attacker server)', function () {
  let platform: TestPlatform
  let admin: CliEnv
  let attacker: TestServer
  let plain: Server
  let plainHits = 0
  let standin: TestServer
  let homeUri = ''

  before(async () => {
    platform = await startTestPlatform()
    admin = await machine(platform)
    const login = await deviceLogin(admin.env, [], approveWithCli(platform, 'admin@contoso.example'))
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`)
    // One test CA for the stand-in and the attacker; its certificate is valid for every name the attacks use.
    const pki = createTestPki([
      'global-standin.test.localhost',
      'attacker.example.localhost',
      'attacker.clusters.sandbox.localhost',
      'eastus-1.clusters.xn--sndbox-4nf.localhost',
      '127.0.0.1',
    ])
    attacker = await startHttpsServer(pki)
    plain = createServer((_req, res) => {
      plainHits++
      res.end()
    })
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
    standin = await startHttpsServer(pki, (_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(
        JSON.stringify({
          tenantId: '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1',
          home: {clusterId: 'eastus-1', region: 'eastus', uri: homeUri},
          secondary: {clusterId: 'westus-1', region: 'westus', uri: homeUri, mode: 'passive'},
          epoch: 7,
          ttlSeconds: 300,
        }),
      )
    })
    const bundle = join(admin.home, 'ca-bundle.pem')
    writeFileSync(bundle, `${platform.caPem}\n${pki.ca}`)
    for (const [key, value] of [
      ['ca-file', bundle],
      ['global-url', `https://global-standin.test.localhost:${standin.port}`],
    ]) {
      const set = await runCli(['config', 'set', key, value, '--profile', 'sandbox'], admin.env)
      if (set.code !== 0) throw new Error(`config set ${key}: ${set.stderr}`)
    }
  })
  after(async () => {
    await attacker?.close()
    await standin?.close()
    await new Promise<void>((resolve) => (plain ? plain.close(() => resolve()) : resolve()))
    admin?.cleanup()
    await platform?.stop()
  })

  const attacks: Array<[string, () => string, RegExp]> = [
    ['a foreign host', () => `https://attacker.example.localhost:${attacker.port}/`, /matches none of \*\.clusters\.sandbox\.localhost/],
    ['http://', () => `http://attacker.clusters.sandbox.localhost:${(plain.address() as AddressInfo).port}/`, /only https is allowed/],
    ['an IP literal', () => `https://127.0.0.1:${attacker.port}/`, /IP address/],
    ['user@host', () => `https://admin@attacker.clusters.sandbox.localhost:${attacker.port}/`, /user information/],
    ['a look-alike host (Cyrillic a, punycode)', () => `https://eastus-1.clusters.s\u0430ndbox.localhost:${attacker.port}/`, /xn--.*internationalized/],
    ['a trailing dot', () => `https://attacker.clusters.sandbox.localhost.:${attacker.port}/`, /ends with a dot/],
  ]

  for (const [name, uri, reason] of attacks) {
    it(`refuses ${name} with exit 8, and the attacker receives zero requests`, async () => {
      homeUri = uri()
      const before = standin.seen.length
      const res = await runCli(['route', 'show', '--refresh', '--json'], admin.env)
      expect(standin.seen.length, 'the stand-in global service was asked').to.equal(before + 1)
      expect(res.code, res.stdout + res.stderr).to.equal(8)
      const error = JSON.parse(res.stdout).error as {code: string; message: string}
      expect(error.code).to.equal('CLUSTER_URI_REFUSED')
      expect(error.message).to.match(reason)
      const diag = await runCli(['route', 'diagnose', '--json'], admin.env)
      expect(diag.code).to.equal(8)
      expect(attacker.seen, 'requests that reached the attacker').to.deep.equal([])
      expect(plainHits, 'requests that reached the http attacker').to.equal(0)
    })
  }
})
