// Sign-in with the real OS keychain (Secret Service under a private D-Bus session): tokens there only, gone after logout.
import {expect} from 'chai'

import {runCli} from '../helpers/cli.js'
import {keychainSuite, runSessionFixture} from '../helpers/keyring.js'

/** The labels of ppctl's entries in a `secret-tool search --all service ppctl` listing. */
const entries = (listing: string) => [...listing.matchAll(/^label = (.*)$/gm)].map((m) => m[1])

describe('auth with the OS keychain (real Secret Service, real platform)', function () {
  const world = keychainSuite()

  it('keeps the tokens in the keychain only, and logout leaves no keychain entry', async () => {
    const {summary: run, result} = await runSessionFixture<{
      attach: number
      login: {code: number; stdout: string; stderr: string}
      afterLogin: string
      status: string
      token: {code: number; length: number; inConfig: boolean}
      configHasJwt: boolean
      logout: {code: number; stdout: string; stderr: string}
    }>('test/lib/auth/fixtures/keychain-session.ts', world.platform.dataDir, world.scratch.env)
    expect(run.attach).to.equal(0)
    expect(run.login.code, run.login.stderr).to.equal(0)
    expect(JSON.parse(run.login.stdout)).to.include({credentialStore: 'keychain', account: 'admin@contoso.example'})
    expect(entries(run.afterLogin)).to.include('keyring:sandbox#a.1@ppctl')
    const profile = JSON.parse(run.status) as {profile: string; signedIn: boolean; credentialStore: {kind: string}}
    expect(profile.profile).to.equal('sandbox')
    expect(profile?.signedIn).to.equal(true)
    expect(profile?.credentialStore.kind).to.equal('keychain')
    expect(run.token.code).to.equal(0)
    expect(run.token.length).to.be.greaterThan(100)
    expect(run.token.inConfig).to.equal(false)
    expect(run.configHasJwt).to.equal(false)
    expect(run.logout.code, run.logout.stderr).to.equal(0)
    expect(JSON.parse(run.logout.stdout).profiles[0]).to.include({revoked: true})
    expect(entries(result.secrets)).to.deep.equal([])
  })

  it('without a D-Bus session: a clear KEYCHAIN_UNAVAILABLE error, exit 1, and the device flow never starts', async () => {
    const env = {...world.scratch.env}
    const attach = await runCli(['sandbox', 'start', '--data-dir', world.platform.dataDir, '--json'], env)
    expect(attach.code, attach.stderr).to.equal(0)
    const login = await runCli(['auth', 'login', '--json'], env)
    expect(login.code).to.equal(1)
    const error = JSON.parse(login.stdout).error as {code: string; message: string; nextStep: string}
    expect(error.code).to.equal('KEYCHAIN_UNAVAILABLE')
    expect(error.nextStep).to.contain('--insecure-storage')
    expect(login.stderr).not.to.contain('device_code')
  })
})
