// A bulk run with the real OS keychain (Secret Service under a private D-Bus session): the credential record is read
// once and the keychain helper process started once, however many requests the run makes.
import {expect} from 'chai'
import {join} from 'node:path'

import {ROOT} from '../helpers/cli.js'
import {makeScratchHome, runInKeyringSession, type ScratchHome} from '../helpers/keyring.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'

describe('bulk runs with the OS keychain (real Secret Service, real platform)', function () {
  let platform: TestPlatform
  let scratch: ScratchHome

  before(async () => {
    platform = await startTestPlatform()
    scratch = makeScratchHome()
  })
  after(async () => {
    scratch?.cleanup()
    await platform?.stop()
  })

  it('license assign --file with 100 rows: one read of the credential record, one keychain helper process', async () => {
    const result = await runInKeyringSession(join(ROOT, 'test/e2e/fixtures/bulk-keychain-session.ts'), [platform.dataDir], scratch.env)
    expect(result.code, result.stderr).to.equal(0)
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
      attach: number
      login: {code: number; stderr: string}
      run: {code: number; stdout: string; stderr: string}
      counts: {helperStarts: number; recordReads: number}
    }
    expect(summary.attach).to.equal(0)
    expect(summary.login.code, summary.login.stderr).to.equal(0)
    // Every row ran (each a request to the platform) and failed the same way: the tenant has no such users.
    expect(summary.run.code, summary.run.stderr).to.equal(10)
    const doc = JSON.parse(summary.run.stdout) as {results: Array<{line: number; outcome: string; error?: {code: string}}>}
    expect(doc.results).to.have.length(100)
    expect(doc.results.every((r) => r.outcome === 'failed' && r.error?.code === 'USER_NOT_FOUND')).to.equal(true)
    expect(summary.counts).to.deep.equal({helperStarts: 1, recordReads: 1})
  })
})
