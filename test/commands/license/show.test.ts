// `ppctl license show` in-process: one user's licenses as a table and --json, inert platform text, and the error answers.
import {expect} from 'chai'

import LicenseShow from '../../../src/commands/license/show.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'
import {EVIL, expectSchema, held, licensesOf, TERMINAL_CONTROL} from '../../helpers/license-fixtures.js'

const MEGAN = 'megan.bowen@contoso.example'
const PATH = `/v1/users/${encodeURIComponent(MEGAN)}/licenses`

describe('license show (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('names the user and lists each license: what it grants and when it was assigned', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    p.cluster
      .get(PATH)
      .reply(
        200,
        licensesOf(MEGAN, [held('POWERAPPS_PER_USER', {assignedAt: '2026-02-03T04:05:06Z'}), held('FLOW_FREE', {grantsPremium: false, capabilities: []})]),
      )
    const res = await runCommand(LicenseShow, ['--user', MEGAN], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout.split('\n')[0]).to.equal(`Licenses of ${MEGAN}:`)
    expect(res.stdout).to.match(/POWERAPPS_PER_USER +│ Name of POWERAPPS_PER_USER +│ premium-connectors +│ 2026-02-03T04:05:06Z/)
    expect(res.stdout).to.match(/FLOW_FREE +│ Name of FLOW_FREE +│ +│ 2026-01-01T00:00:00Z/)
  })

  it('--json: the user id, UPN and licenses exactly, matching schemas/license-show.json', async () => {
    p = await fakePlatform()
    const items = [held('POWERAPPS_PER_USER')]
    p.cluster.get(PATH).reply(200, licensesOf(MEGAN, items))
    const res = await runCommand(LicenseShow, ['--user', MEGAN, '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expectSchema(res.json(), 'license-show')
    expect(res.json()).to.deep.equal({userId: 'id-megan.bowen', upn: MEGAN, count: 1, items})
  })

  it('a user id or UPN with URL characters reaches the platform as one path segment', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/users/a%2F..%3Fb%40x/licenses').reply(200, licensesOf('a/..?b@x'))
    const res = await runCommand(LicenseShow, ['--user', 'a/..?b@x', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json()).to.include({upn: 'a/..?b@x'})
  })

  it('escape and bidi characters from the platform are inert at a terminal', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    p.cluster.get(PATH).reply(200, {...licensesOf(EVIL, [held('X', {displayName: EVIL, assignedAt: EVIL})])})
    const res = await runCommand(LicenseShow, ['--user', MEGAN], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/^Licenses of Bad/)
    expect(res.stdout).not.to.match(TERMINAL_CONTROL)
  })

  it('…and exact in --json', async () => {
    p = await fakePlatform({tty: true})
    p.cluster.get(PATH).reply(200, {...licensesOf(EVIL, [held('X', {displayName: EVIL})])})
    const res = await runCommand(LicenseShow, ['--user', MEGAN, '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).not.to.match(TERMINAL_CONTROL)
    const doc = res.json<{upn: string; items: Array<{displayName: string}>}>()
    expect(doc.upn).to.equal(EVIL)
    expect(doc.items[0].displayName).to.equal(EVIL)
  })

  it('an unknown user: exit 6, the platform code under --json', async () => {
    p = await fakePlatform()
    p.cluster.get(PATH).reply(...problem(404, 'USER_NOT_FOUND', `No user ${MEGAN}.`, 'corr-404'))
    const res = await runCommand(LicenseShow, ['--user', MEGAN, '--json'], p)
    expect(res.code).to.equal(6)
    const doc = res.json<{error: {code: string; message: string; correlationId: string}}>()
    expectSchema(doc, 'error')
    expect(doc.error).to.include({code: 'USER_NOT_FOUND', correlationId: 'corr-404'})
    expect(doc.error.message).to.equal(`No user "${MEGAN}" in contoso.`)
  })

  it('403 (not an Admin, someone else): exit 5 with a next step', async () => {
    p = await fakePlatform()
    p.cluster.get(PATH).reply(...problem(403, 'FORBIDDEN', 'Only Admins read other users.'))
    const res = await runCommand(LicenseShow, ['--user', MEGAN], p)
    expect(res.code).to.equal(5)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.match(/^Error: .*Only Admins read other users\.\n {2}Next: /)
  })

  it('429 through every retry: exit 9, waits only on the fake clock', async () => {
    p = await fakePlatform()
    p.cluster.get(PATH).times(4).reply(429, '')
    const res = await runCommand(LicenseShow, ['--user', MEGAN], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.have.length(3)
  })

  it('malformed JSON: exit 9, stdout empty', async () => {
    p = await fakePlatform()
    p.cluster.get(PATH).reply(200, 'not json', {'content-type': 'application/json'})
    const res = await runCommand(LicenseShow, ['--user', MEGAN], p)
    expect(res.code).to.equal(9)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.contain('not valid JSON')
  })

  it('without --user: exit 2 before any request, naming the flag', async () => {
    p = await fakePlatform()
    const res = await runCommand(LicenseShow, [], p)
    expect(res.code).to.equal(2)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.match(/^Error: ppctl license show needs --user\.\n {2}Next: ppctl license show --user USER/)
  })
})
