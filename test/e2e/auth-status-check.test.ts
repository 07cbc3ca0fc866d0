// `auth status` against the real platform: the profile in use alone among five, --check says "revoked" after the grant was revoked (exit 4).
import {expect} from 'chai'

import {runCli} from '../helpers/cli.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'
import {FileStore} from '../../src/lib/credentials/file-store.js'

describe('auth status --check (real CLI, real platform)', function () {
  let platform: TestPlatform
  let client: TestClient

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
  })
  after(async () => {
    await client?.close()
    await platform?.stop()
  })

  it('five profiles: the profile in use alone, first; --all shows all five, the one in use first', async () => {
    const m = await machine(platform)
    try {
      for (const name of ['alpha', 'beta', 'gamma', 'zeta']) {
        const set = await runCli(['config', 'set', 'authority', 'https://login.example.com', '--profile', name], m.env)
        expect(set.code, set.stderr).to.equal(0)
      }
      const status = await runCli(['auth', 'status', '--profile', 'gamma', '-o', 'table'], m.env)
      expect(status.code, status.stderr).to.equal(0)
      expect(status.stdout.split('\n')[0]).to.equal('gamma (in use)')
      expect(status.stdout).not.to.match(/^\S*(alpha|beta|sandbox|zeta)/m)
      expect(status.stdout).to.contain('4 other profiles: ppctl auth status --all')
      const all = await runCli(['auth', 'status', '--all', '--profile', 'gamma', '--json'], m.env)
      expect(all.code, all.stderr).to.equal(0)
      const doc = JSON.parse(all.stdout) as {items: Array<{profile: string; active: boolean}>; count: number}
      expect(doc.count).to.equal(5)
      expect(doc.items.map((p) => p.profile)).to.deep.equal(['gamma', 'alpha', 'beta', 'sandbox', 'zeta'])
      expect(doc.items.map((p) => p.active)).to.deep.equal([true, false, false, false, false])
    } finally {
      m.cleanup()
    }
  })

  it('--check: "yes" while the grant is alive; after the grant is revoked, "revoked", exit 4 and the login command to run', async () => {
    const m = await machine(platform)
    try {
      const login = await deviceLogin(m.env, [], approveWithCli(platform, 'maker@contoso.example'))
      expect(login.code, login.stderr).to.equal(0)
      const good = await runCli(['auth', 'status', '--check', '--json'], m.env)
      expect(good.code, good.stderr).to.equal(0)
      expect(JSON.parse(good.stdout).check).to.include({state: 'ok', tenantName: 'contoso'})
      const me = await runCli(['whoami'], m.env)
      expect(me.code, me.stderr).to.equal(0)
      expect(me.stdout).to.match(/^maker@contoso\.example in (contoso \()?(tenant )?2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1\)? as Maker — profile sandbox\n$/)

      // Revoke the grant at the provider, as an administrator or a logout elsewhere would.
      const creds = await new FileStore(m.env.PPCTL_CONFIG_DIR!, 'sandbox').get('sandbox')
      const meta = (await (await client.fetch(`${platform.urls.authority}/.well-known/openid-configuration`)).json()) as {revocation_endpoint: string}
      const revoked = await client.fetch(meta.revocation_endpoint, {
        method: 'POST',
        headers: {'content-type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams({token: creds!.refreshToken!, token_type_hint: 'refresh_token', client_id: 'ppctl'}).toString(),
      })
      expect(revoked.status).to.equal(200)

      // Offline, the stored tokens still look fine: that is the question --check answers.
      const offline = await runCli(['auth', 'status', '--json'], m.env)
      expect(JSON.parse(offline.stdout)).to.include({signedIn: true, check: null})
      const status = await runCli(['auth', 'status', '--check', '-o', 'table'], m.env)
      expect(status.code, status.stderr).to.equal(4)
      expect(status.stdout).to.match(/Signed in: +no \(revoked at the identity provider\)/)
      expect(status.stderr).to.contain('was revoked at the identity provider').and.to.contain('Next: Sign in again with: ppctl auth login --profile sandbox')
      const json = await runCli(['auth', 'status', '--check', '--json'], m.env)
      expect(json.code).to.equal(4)
      expect(JSON.parse(json.stdout).check).to.include({state: 'revoked', code: 'SESSION_EXPIRED', exitCode: 4})
      expect(status.stdout + status.stderr + json.stdout).not.to.match(/eyJ/)
    } finally {
      m.cleanup()
    }
  })
})
