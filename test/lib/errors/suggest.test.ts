// closest(): a typo's intended word, and nothing when no candidate is plausibly meant.
import {expect} from 'chai'

import {closest} from '../../../src/lib/errors/suggest.js'

describe('errors/suggest closest()', () => {
  it('finds the word one or two edits away, whatever the case', () => {
    expect(closest('lst', ['list', 'show', 'block'])).to.equal('list')
    expect(closest('conector', ['config', 'connector', 'license'])).to.equal('connector')
    expect(closest('--TEIR', ['--tier', '--search'])).to.equal('--tier')
  })

  it('suggests nothing for a word that merely shares letters (more than one edit in three characters)', () => {
    expect(closest('launch', ['fault', 'start', 'stop'])).to.equal(undefined)
    expect(closest('xyzzy', ['auth', 'audit'])).to.equal(undefined)
    expect(closest('ls', [])).to.equal(undefined)
  })
})
