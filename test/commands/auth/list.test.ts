// `ppctl auth list` in-process: the profiles table from the config only (no keychain, no network), and --json.
import {expect} from 'chai'

import AuthList from '../../../src/commands/auth/list.js'
import type {AuthListResult} from '../../../src/commands/auth/list.js'
import {runCommand} from '../../helpers/command.js'
import {AUTHORITY, fakePlatform, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectNoSecrets} from '../../helpers/fake-idp.js'

describe('auth list (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  const setUp = async (options: {tty?: boolean} = {}) => {
    p = await fakePlatform({columns: 160, ...options})
    await p.ctx.config().update((c) => {
      c.profiles.sandbox = {authority: 'https://login.sandbox.localhost:8443', clientId: 'ppctl'}
      c.defaultProfile = 'sandbox'
    })
    // Reading the keychain would fail the test: auth list promises not to.
    p.credentials.open = async () => {
      throw new Error('auth list opened the credential store')
    }
  }

  for (const tty of [false, true]) {
    it(`the table marks the active (*) and the default profile (${tty ? 'terminal' : 'pipe'})`, async () => {
      await setUp({tty})
      const res = await runCommand(AuthList, [], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.match(/Profile +│ Account +│ Tenant +│ Method +│ Authority/)
      expect(res.stdout).to.match(/ {2}sandbox \(default\) +│ +│ +│ +│ https:\/\/login\.sandbox\.localhost:8443/)
      expect(res.stdout).to.match(new RegExp(`\\* work +│ admin@contoso\\.example +│ ${TENANT} +│ device-code +│ ${AUTHORITY.replaceAll('.', '\\.')}`))
      expect(res.stderr).to.equal('')
      expectNoSecrets(res)
    })
  }

  it('--json: the list envelope {count, items}, one summary per profile, sorted by name', async () => {
    await setUp()
    const res = await runCommand(AuthList, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(Object.keys(res.json())).to.deep.equal(['count', 'items'])
    expect(res.json<AuthListResult>().count).to.equal(2)
    expect(res.json<AuthListResult>().items).to.deep.equal([
      {
        name: 'sandbox',
        active: false,
        default: true,
        authority: 'https://login.sandbox.localhost:8443',
        account: null,
        tenantId: null,
        method: null,
        signedIn: false,
      },
      {
        name: 'work',
        active: true,
        default: false,
        authority: AUTHORITY,
        account: 'admin@contoso.example',
        tenantId: TENANT,
        method: 'device-code',
        signedIn: true,
      },
    ])
  })

  it('no profiles: says how to create one', async () => {
    p = await fakePlatform()
    await p.ctx.config().update((c) => void (c.profiles = {}))
    const res = await runCommand(AuthList, [], p)
    expect(res.code).to.equal(0)
    expect(res.stdout).to.contain('No profiles yet. Sign in with: ppctl auth login --authority URL')
  })
})
