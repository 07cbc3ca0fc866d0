// `ppctl user show` in-process: roles, licenses and premium entitlement, --json, inert platform text, and the error answers.
import {expect} from 'chai'

import UserShow from '../../../src/commands/user/show.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, ROUTE, type FakePlatform} from '../../helpers/fake-platform.js'
import {EVIL, expectSchema, held, licensesOf, TERMINAL_CONTROL, user} from '../../helpers/license-fixtures.js'

const MEGAN = 'megan.bowen@contoso.example'
const megan = user(MEGAN, {roles: ['Admin', 'Maker']})

describe('user show (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('reads the user, then its licenses by id; premium through the SKUs that grant it', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    p.cluster
      .get(`/v1/users/${encodeURIComponent(MEGAN)}`)
      .reply(200, megan)
      .get(`/v1/users/${megan.id}/licenses`)
      .reply(200, licensesOf(MEGAN, [held('POWERAPPS_PER_USER'), held('FLOW_FREE', {grantsPremium: false}), held('PREMIUM_B')]))
    const res = await runCommand(UserShow, [MEGAN], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.match(new RegExp(`UPN: +${MEGAN.replaceAll('.', '\\.')}\\n`))
    expect(res.stdout).to.match(/Id: +id-megan\.bowen\n/)
    expect(res.stdout).to.match(/Roles: +Admin, Maker\n/)
    expect(res.stdout).to.match(/Sign-in: +enabled\n/)
    expect(res.stdout).to.match(/Licenses: +POWERAPPS_PER_USER, FLOW_FREE, PREMIUM_B\n/)
    expect(res.stdout).to.match(/Premium: +yes, through POWERAPPS_PER_USER, PREMIUM_B\n/)
  })

  it('no license and sign-in off: "none", "not enabled", and premium "no" with the reason', async () => {
    p = await fakePlatform()
    p.cluster
      .get(`/v1/users/${encodeURIComponent(MEGAN)}`)
      .reply(200, {...megan, signInEnabled: false})
      .get(`/v1/users/${megan.id}/licenses`)
      .reply(200, licensesOf(MEGAN, [held('FLOW_FREE', {grantsPremium: false})]))
    const res = await runCommand(UserShow, [MEGAN, '--output=table'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/Sign-in: +not enabled\n/)
    expect(res.stdout).to.match(/Licenses: +FLOW_FREE\n/)
    expect(res.stdout).to.match(/Premium: +no: holds no SKU that grants premium connectors/)
  })

  it('--json: the user with its licenses and premium entitlement, matching schemas/user-show.json', async () => {
    p = await fakePlatform()
    const licenses = [held('POWERAPPS_PER_USER'), held('FLOW_FREE', {grantsPremium: false})]
    p.cluster
      .get(`/v1/users/${encodeURIComponent(MEGAN)}`)
      .reply(200, megan)
      .get(`/v1/users/${megan.id}/licenses`)
      .reply(200, licensesOf(MEGAN, licenses))
    const res = await runCommand(UserShow, [MEGAN, '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expectSchema(res.json(), 'user-show')
    expect(res.json()).to.deep.equal({...megan, licenses, premium: {entitled: true, via: ['POWERAPPS_PER_USER']}})
  })

  it('no licenses at all: "none" and premium not entitled in --json', async () => {
    p = await fakePlatform()
    p.cluster
      .get(`/v1/users/${encodeURIComponent(MEGAN)}`)
      .reply(200, megan)
      .get(`/v1/users/${megan.id}/licenses`)
      .reply(200, licensesOf(MEGAN))
    const res = await runCommand(UserShow, [MEGAN, '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json()).to.deep.include({licenses: [], premium: {entitled: false, via: []}})
  })

  it('escape and bidi characters from the platform are inert at a terminal', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    p.cluster
      .get(`/v1/users/${encodeURIComponent(MEGAN)}`)
      .reply(200, {...megan, displayName: EVIL, upn: EVIL})
      .get(`/v1/users/${megan.id}/licenses`)
      .reply(200, licensesOf(MEGAN, [held(EVIL)]))
    const res = await runCommand(UserShow, [MEGAN], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/Name: +Bad/)
    expect(res.stdout).not.to.match(TERMINAL_CONTROL)
  })

  it('…and exact in --json', async () => {
    p = await fakePlatform({tty: true})
    p.cluster
      .get(`/v1/users/${encodeURIComponent(MEGAN)}`)
      .reply(200, {...megan, displayName: EVIL})
      .get(`/v1/users/${megan.id}/licenses`)
      .reply(200, licensesOf(MEGAN, [held(EVIL)]))
    const res = await runCommand(UserShow, [MEGAN, '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).not.to.match(TERMINAL_CONTROL)
    const doc = res.json<{displayName: string; premium: {via: string[]}}>()
    expect(doc.displayName).to.equal(EVIL)
    expect(doc.premium.via).to.deep.equal([EVIL])
  })

  it('an unknown user: exit 6, and the licenses are never asked for', async () => {
    p = await fakePlatform()
    p.cluster.get(`/v1/users/${encodeURIComponent(MEGAN)}`).reply(...problem(404, 'USER_NOT_FOUND', `No user ${MEGAN}.`, 'corr-404'))
    const res = await runCommand(UserShow, [MEGAN], p)
    expect(res.code).to.equal(6)
    expect(res.stdout).to.equal('')
    expect(res.stderr)
      .to.match(
        new RegExp(`^Error: No user "${MEGAN.replaceAll('.', '\\.')}" in contoso\\.\\n  Next: See the matches: ppctl user list --search megan\\.bowen\\n`),
      )
      .and.contain('corr-404')
  })

  it('403 on the licenses: exit 5, nothing half-printed', async () => {
    p = await fakePlatform()
    p.cluster
      .get(`/v1/users/${encodeURIComponent(MEGAN)}`)
      .reply(200, megan)
      .get(`/v1/users/${megan.id}/licenses`)
      .reply(...problem(403, 'FORBIDDEN', 'Only Admins read other users.'))
    const res = await runCommand(UserShow, [MEGAN, '--json'], p)
    expect(res.code).to.equal(5)
    const doc = res.json<{error: {code: string; exitCode: number}}>()
    expectSchema(doc, 'error')
    expect(doc.error).to.include({code: 'FORBIDDEN', exitCode: 5})
  })

  it('503 through every retry: exit 9 after the route was checked again', async () => {
    p = await fakePlatform()
    p.cluster
      .get(`/v1/users/${encodeURIComponent(MEGAN)}`)
      .times(4)
      .reply(503, '')
    p.global.get('/v1/me/home').reply(200, ROUTE)
    const res = await runCommand(UserShow, [MEGAN], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.have.length(3)
  })

  it('malformed JSON: exit 9', async () => {
    p = await fakePlatform()
    p.cluster.get(`/v1/users/${encodeURIComponent(MEGAN)}`).reply(200, '{', {'content-type': 'application/json'})
    const res = await runCommand(UserShow, [MEGAN], p)
    expect(res.code).to.equal(9)
    expect(res.stderr).to.contain('not valid JSON')
  })

  it('without a UPN: exit 2 before any request', async () => {
    p = await fakePlatform()
    const res = await runCommand(UserShow, [], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.match(/^Error: .*upn/)
  })
})
