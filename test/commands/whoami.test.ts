// `ppctl whoami` in-process: one line from the token's claims and the routing cache, no request; --json against schemas/whoami.json; signed out is exit 4.
import {expect} from 'chai'
import nock from 'nock'

import Whoami from '../../src/commands/whoami.js'
import type {WhoamiResult} from '../../src/lib/auth/whoami.js'
import {runCommand} from '../helpers/command.js'
import {AUTHORITY, fakePlatform, TENANT, type FakePlatform} from '../helpers/fake-platform.js'
import {expectNoSecrets, jwt} from '../helpers/fake-idp.js'
import {expectSchema} from '../helpers/license-fixtures.js'

describe('whoami (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  const signIn = (t: FakePlatform, claims: Record<string, unknown>) =>
    t.credentials.entries.set('work', {accessToken: jwt({iss: AUTHORITY, ...claims}), accessTokenExpiresAt: t.clock.now() + 3600_000, refreshToken: 'r'})

  it('one line: account, tenant name and id, roles, profile — from the claims and the routing cache, without a request', async () => {
    p = await fakePlatform()
    signIn(p, {upn: 'alice@contoso.example', tid: TENANT, roles: ['Admin']})
    const res = await runCommand(Whoami, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal(`alice@contoso.example in contoso (${TENANT}) as Admin — profile work\n`)
    expect(nock.pendingMocks()).to.deep.equal([])
  })

  it('--json: the fields, valid against schemas/whoami.json; several roles; no secret', async () => {
    p = await fakePlatform()
    signIn(p, {upn: 'sam@contoso.example', tid: TENANT, roles: ['Support', 'Maker']})
    const res = await runCommand(Whoami, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    const me = res.json<WhoamiResult>()
    expectSchema(me, 'whoami')
    expect(me).to.deep.equal({
      account: 'sam@contoso.example',
      kind: 'user',
      tenantId: TENANT,
      tenantName: 'contoso',
      roles: ['Support', 'Maker'],
      profile: 'work',
      method: 'device-code',
    })
    expectNoSecrets(res)
  })

  it('no route cached yet: the tenant id alone, still no request', async () => {
    p = await fakePlatform()
    signIn(p, {upn: 'alice@contoso.example', tid: TENANT, roles: []})
    await (await p.ctx.router().cache('work')).clear()
    const res = await runCommand(Whoami, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expectSchema(res.json(), 'whoami')
    expect(res.json()).to.include({tenantName: null, tenantId: TENANT})
    const human = await runCommand(Whoami, [], p)
    expect(human.stdout.slice(res.stdout.length)).to.equal(`alice@contoso.example in tenant ${TENANT} as no role — profile work\n`)
  })

  it('signed out: exit 4, the command to sign in, nothing on stdout; --json prints the error document', async () => {
    p = await fakePlatform()
    p.credentials.entries.delete('work')
    const res = await runCommand(Whoami, [], p)
    expect(res.code).to.equal(4)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.contain('Profile "work" is not signed in.').and.contain('Next: Sign in with: ppctl auth login --profile work')
    const json = await runCommand(Whoami, ['--json'], p)
    expect(json.code).to.equal(4)
    expectSchema(JSON.parse(json.stdout), 'error')
    expect(JSON.parse(json.stdout).error).to.include({code: 'NOT_SIGNED_IN', exitCode: 4})
  })

  it('tokens from another identity provider: exit 4 IDENTITY_PROVIDER_CHANGED, not an account that no longer works', async () => {
    p = await fakePlatform()
    signIn(p, {iss: 'https://login.old.example.com', upn: 'alice@contoso.example', tid: TENANT, roles: ['Admin']})
    const res = await runCommand(Whoami, ['--json'], p)
    expect(res.code).to.equal(4)
    expect(JSON.parse(res.stdout).error).to.include({code: 'IDENTITY_PROVIDER_CHANGED'})
  })
})
