// `ppctl user list` in-process: every page in one table and --json, --search, inert platform text, and the error answers.
import {expect} from 'chai'

import UserList from '../../../src/commands/user/list.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'
import {EVIL, expectSchema, TERMINAL_CONTROL, user} from '../../helpers/license-fixtures.js'

describe('user list (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('follows every page and prints one table with a count', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    p.cluster
      .get('/v1/users')
      .query({limit: '200'})
      .reply(200, {items: [user('megan.bowen@contoso.example', {roles: ['Admin', 'Maker']})], nextCursor: 'p2'})
      .get('/v1/users')
      .query({limit: '200', cursor: 'p2'})
      .reply(200, {items: [user('lee.gu@contoso.example', {signInEnabled: false})], nextCursor: null})
    const res = await runCommand(UserList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.match(/UPN +│ Name +│ Roles +│ Sign-in/)
    expect(res.stdout).to.match(/megan\.bowen@contoso\.example +│ Name of megan\.bowen@contoso\.example +│ Admin, Maker +│ yes/)
    expect(res.stdout).to.match(/lee\.gu@contoso\.example +│ .* +│ AppUser +│ no/)
    expect(res.stdout.trimEnd().split('\n').at(-1)).to.equal('2 users')
  })

  it('--search reaches the platform as a query parameter; one user is "1 user"', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/users')
      .query({search: 'megan & co', limit: '200'})
      .reply(200, {items: [user('megan.bowen@contoso.example')], nextCursor: null})
    const res = await runCommand(UserList, ['--search', 'megan & co'], p)
    expect(res.code, res.stderr).to.equal(0)
    // In a pipe stdout holds the records only; the count is on stderr.
    expect(res.stdout.split('\n').filter((line) => line.startsWith('megan.bowen@contoso.example\t'))).to.have.length(1)
    expect(res.stderr).to.equal('1 user\n')
  })

  it('--json: every user of every page and the count, matching schemas/user-list.json', async () => {
    p = await fakePlatform()
    const a = user('a@contoso.example')
    const b = user('b@contoso.example', {roles: [], signInEnabled: false})
    p.cluster
      .get('/v1/users')
      .query({limit: '200'})
      .reply(200, {items: [a], nextCursor: 'p2'})
      .get('/v1/users')
      .query({limit: '200', cursor: 'p2'})
      .reply(200, {items: [b], nextCursor: null})
    const res = await runCommand(UserList, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expectSchema(res.json(), 'user-list')
    expect(res.json()).to.deep.equal({count: 2, items: [a, b]})
  })

  it('no users: an empty table and "0 users", exit 0 (in a pipe: the header line, the count on stderr)', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/users').query(true).reply(200, {items: [], nextCursor: null})
    const res = await runCommand(UserList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal('UPN\tName\tRoles\tSign-in\n')
    expect(res.stderr).to.equal('0 users\n')
  })

  it('escape and bidi characters in names are inert at a terminal', async () => {
    p = await fakePlatform({tty: true, columns: 160})
    p.cluster
      .get('/v1/users')
      .query(true)
      .reply(200, {items: [user('evil@contoso.example', {displayName: EVIL, roles: [EVIL]})], nextCursor: null})
    const res = await runCommand(UserList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.contain('evil@contoso.example')
    expect(res.stdout).not.to.match(TERMINAL_CONTROL)
  })

  it('…and exact in --json', async () => {
    p = await fakePlatform({tty: true})
    p.cluster
      .get('/v1/users')
      .query(true)
      .reply(200, {items: [user('evil@contoso.example', {displayName: EVIL})], nextCursor: null})
    const res = await runCommand(UserList, ['--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).not.to.match(TERMINAL_CONTROL)
    expect(res.json<{items: Array<{displayName: string}>}>().items[0].displayName).to.equal(EVIL)
  })

  it('a narrow terminal: the output fits its width, the UPN whole on one line; a line break inside a value is a space', async () => {
    p = await fakePlatform({tty: true, columns: 50})
    const upn = 'a.long.user.name@contoso.example'
    p.cluster
      .get('/v1/users')
      .query(true)
      .reply(200, {
        items: [user(upn, {displayName: 'Two\nlines', roles: ['Admin', 'Maker', 'Support']})],
        nextCursor: null,
      })
    const res = await runCommand(UserList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    for (const line of res.stdout.trimEnd().split('\n')) expect([...line].length, line).to.be.at.most(50)
    expect(res.stdout).to.match(new RegExp(`^UPN: +${upn.replaceAll('.', '\\.')}$`, 'm'))
    expect(res.stdout).to.contain('Two lines')
  })

  it('403 (not an Admin): exit 5, stdout empty, a next step', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/users')
      .query(true)
      .reply(...problem(403, 'FORBIDDEN', 'The caller lacks the Admin role.', 'corr-403'))
    const res = await runCommand(UserList, [], p)
    expect(res.code).to.equal(5)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.match(/^Error: Listing users failed: The caller lacks the Admin role\.\n {2}Next: .+\n {2}Correlation id: corr-403\n$/)
  })

  it('a second page that is not JSON: exit 9 and no half table on stdout', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/users')
      .query({limit: '200'})
      .reply(200, {items: [user('a@contoso.example')], nextCursor: 'p2'})
      .get('/v1/users')
      .query({limit: '200', cursor: 'p2'})
      .reply(200, '<html>', {'content-type': 'application/json'})
    const res = await runCommand(UserList, [], p)
    expect(res.code).to.equal(9)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.contain('not valid JSON')
  })

  it('429 through every retry on a page: exit 9, the waits on the fake clock', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/users').query(true).times(4).reply(429, '', {'retry-after': '1'})
    const res = await runCommand(UserList, ['--json'], p)
    expect(res.code).to.equal(9)
    expect(p.clock.sleeps).to.deep.equal([1000, 1000, 1000])
    expect(res.json<{error: {code: string}}>().error.code).to.equal('THROTTLED')
  })

  it('--search without a value: exit 2 before any request', async () => {
    p = await fakePlatform()
    const res = await runCommand(UserList, ['--search'], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.match(/^Error: .*--search/)
  })
})
