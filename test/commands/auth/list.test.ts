// `ppctl auth list` in-process: the profiles from the config only (no keychain, no network): a table at a terminal, TSV in a pipe, and --json.
import {expect} from 'chai'

import AuthList from '../../../src/commands/auth/list.js'
import type {AuthListResult} from '../../../src/commands/auth/list.js'
import {runCommand} from '../../helpers/command.js'
import {AUTHORITY, fakePlatform, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectNoSecrets} from '../../helpers/fake-idp.js'
import {tsvRecords} from '../../helpers/tsv.js'

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

  it('the table says which profile is active and which the default (terminal)', async () => {
    await setUp({tty: true})
    const res = await runCommand(AuthList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/Profile +│ Active +│ Default +│ Account +│ Tenant +│ Method +│ Authority/)
    expect(res.stdout).to.match(/│ sandbox +│ no +│ yes +│ +│ +│ +│ https:\/\/login\.sandbox\.localhost:8443 +│/)
    expect(res.stdout).to.match(
      new RegExp(`│ work +│ yes +│ no +│ admin@contoso\\.example +│ ${TENANT} +│ device-code +│ ${AUTHORITY.replaceAll('.', '\\.')} +│`),
    )
    expect(res.stderr).to.equal('')
    expectNoSecrets(res)
  })

  it('in a pipe: TSV, a header line and one line per profile, every value whole', async () => {
    await setUp()
    const res = await runCommand(AuthList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).not.to.match(/[│─]/)
    expect(tsvRecords(res.stdout)).to.deep.equal([
      {Profile: 'sandbox', Active: 'no', Default: 'yes', Account: '', Tenant: '', Method: '', Authority: 'https://login.sandbox.localhost:8443'},
      {Profile: 'work', Active: 'yes', Default: 'no', Account: 'admin@contoso.example', Tenant: TENANT, Method: 'device-code', Authority: AUTHORITY},
    ])
    expect(res.stderr).to.equal('')
    expectNoSecrets(res)
  })

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

  it('no profiles: says how to create one (at a terminal on stdout; in a pipe on stderr, after the header line)', async () => {
    p = await fakePlatform({tty: true})
    await p.ctx.config().update((c) => void (c.profiles = {}))
    const res = await runCommand(AuthList, [], p)
    expect(res.code).to.equal(0)
    expect(res.stdout).to.contain('No profiles yet. Sign in with: ppctl auth login --authority URL')
    p.done()
    p = await fakePlatform()
    await p.ctx.config().update((c) => void (c.profiles = {}))
    const piped = await runCommand(AuthList, [], p)
    expect(piped.stdout).to.equal('Profile\tActive\tDefault\tAccount\tTenant\tMethod\tAuthority\n')
    expect(piped.stderr).to.contain('No profiles yet.')
  })
})
