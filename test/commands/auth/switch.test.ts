// `ppctl auth switch` in-process: the default profile written to the config; an unknown profile; PPCTL_PROFILE still wins.
import {expect} from 'chai'

import AuthSwitch from '../../../src/commands/auth/switch.js'
import type {AuthSwitchResult} from '../../../src/commands/auth/switch.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, type FakePlatform} from '../../helpers/fake-platform.js'

describe('auth switch (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('makes the profile the default and says so', async () => {
    p = await fakePlatform()
    const res = await runCommand(AuthSwitch, ['work'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal('The default profile is now "work".\n')
    expect(res.stderr).to.equal('')
    expect((await p.ctx.config().read()).defaultProfile).to.equal('work')
  })

  it('--json with PPCTL_PROFILE set: the previous default and the override, the note on stderr (stdout stays the JSON)', async () => {
    p = await fakePlatform({env: {PPCTL_PROFILE: 'work'}})
    await p.ctx.config().update((c) => {
      c.profiles.sandbox = {clientId: 'ppctl'}
      c.defaultProfile = 'sandbox'
    })
    const res = await runCommand(AuthSwitch, ['work', '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.json<AuthSwitchResult>()).to.deep.equal({defaultProfile: 'work', previous: 'sandbox', overriddenBy: 'PPCTL_PROFILE'})
    expect(res.stderr).to.equal('Note: PPCTL_PROFILE is set in this shell and still wins over the default.\n')
    // The test context's streams keep everything written so far: the second run's output follows the first's.
    const human = await runCommand(AuthSwitch, ['sandbox'], p)
    expect(human.stdout.slice(res.stdout.length)).to.equal('The default profile is now "sandbox".\n')
    expect(human.stderr.slice(res.stderr.length)).to.contain('PPCTL_PROFILE is set in this shell and still wins over the default')
  })

  it('an unknown profile: exit 6, the default unchanged', async () => {
    p = await fakePlatform({tty: true})
    const res = await runCommand(AuthSwitch, ['nope'], p)
    expect(res.code).to.equal(6)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.contain('There is no profile "nope".').and.to.contain('ppctl auth list')
    expect((await p.ctx.config().read()).defaultProfile).to.equal(undefined)
  })

  it('no name: a usage error, exit 2', async () => {
    p = await fakePlatform()
    const res = await runCommand(AuthSwitch, [], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.match(/name/i)
  })
})
