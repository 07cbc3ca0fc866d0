// A bulk run with the real OS keychain (Secret Service under a private D-Bus session): the credential record is read
// once and the keychain helper process started once, however many requests the run makes.
import {expect} from 'chai'

import {keychainSuite, runSessionFixture} from '../helpers/keyring.js'

describe('bulk runs with the OS keychain (real Secret Service, real platform)', function () {
  const world = keychainSuite()

  it('license assign --file with 100 rows: one read of the credential record, one keychain helper process', async () => {
    const {summary} = await runSessionFixture<{
      attach: number
      login: {code: number; stderr: string}
      run: {code: number; stdout: string; stderr: string}
      counts: {helperStarts: number; recordReads: number}
    }>('test/e2e/fixtures/bulk-keychain-session.ts', world.platform.dataDir, world.scratch.env)
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
