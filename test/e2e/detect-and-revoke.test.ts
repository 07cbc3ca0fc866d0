// Detection to response: `audit watch --exec 'ppctl user revoke-sessions {actor.upn} --yes'` cuts off an account that trips a detector.
import {expect} from 'chai'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {collect} from '../helpers/audit-e2e.js'
import {BIN, runCli, spawnCli} from '../helpers/cli.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'
import {API_AUDIENCE} from '../helpers/tokens.js'

describe('detection to response: audit watch --exec revokes the sessions of the account that tripped a detector', function () {
  this.timeout(240_000)
  let platform: TestPlatform
  let client: TestClient
  let bin: string

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
    // `ppctl` on PATH for the --exec program, running this checkout.
    bin = mkdtempSync(join(tmpdir(), 'ppctl-bin-'))
    writeFileSync(join(bin, 'ppctl'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
    chmodSync(join(bin, 'ppctl'), 0o755)
  })
  after(async () => {
    rmSync(bin, {recursive: true, force: true})
    await client?.close()
    await platform?.stop()
  })

  /** One failed sign-in of `upn` on the real sign-in pages: a device code, then the wrong password. */
  async function failSignIn(upn: string): Promise<void> {
    const meta = (await (await client.fetch(`${platform.urls.authority}/.well-known/openid-configuration`)).json()) as {device_authorization_endpoint: string}
    const device = (await (
      await client.fetch(meta.device_authorization_endpoint, {
        method: 'POST',
        headers: {'content-type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams({client_id: 'ppctl', scope: 'openid api', resource: API_AUDIENCE}).toString(),
      })
    ).json()) as {user_code: string}
    const out = await runCli(['sandbox', 'approve', device.user_code, '--user', upn, '--data-dir', platform.dataDir], platform.cli.env, 'not-the-password\n')
    expect(out.code, out.stderr).not.to.equal(0)
  }

  it("refuses the account's next API call within 10 s of the event that raised the alert", async () => {
    const admin = await machine(platform, {PATH: `${bin}:${process.env.PATH}`})
    const victim = await machine(platform)
    try {
      expect((await deviceLogin(admin.env, [], approveWithCli(platform, 'admin@contoso.example'))).code).to.equal(0)
      expect((await deviceLogin(victim.env, [], approveWithCli(platform, 'maker@contoso.example'))).code).to.equal(0)
      expect((await runCli(['connector', 'list', '--json'], victim.env)).code).to.equal(0)

      const child = spawnCli(
        [
          'audit',
          'watch',
          '--detector',
          'failed-signins-account',
          '--failed-signins',
          '3',
          '--exec',
          'ppctl user revoke-sessions {actor.upn} --yes',
          '--exit-on-alert',
        ],
        admin.env,
      )
      child.stdin.end()
      const watch = collect(child)
      try {
        for (let i = 0; i < 3; i++) await failSignIn('maker@contoso.example')
        await watch.until(() => watch.stderr().includes('Revoked the sessions of maker@contoso.example'), 'the --exec revocation')
        const alert = JSON.parse(watch.lines.find((l) => l.startsWith('{'))!) as {detector: string; subject: string; time: string}
        expect(alert).to.include({detector: 'failed-signins-account', subject: 'maker@contoso.example'})

        const refused = await runCli(['connector', 'list'], victim.env)
        const refusedAt = Date.now()
        expect(refused.code, refused.stderr).to.equal(4)
        expect(refused.stderr).to.match(/session revoked/)
        expect(refused.stderr).to.match(/sign in again/)
        // The bound of the issue: the refusal within 10 s of the triggering event.
        expect(refusedAt - Date.parse(alert.time)).to.be.below(10_000)
        expect(await watch.exited).to.equal(11)
      } finally {
        child.kill()
      }
      // The admin, who did nothing suspicious, still works.
      expect((await runCli(['connector', 'list', '--json'], admin.env)).code).to.equal(0)
    } finally {
      admin.cleanup()
      victim.cleanup()
    }
  })
})
