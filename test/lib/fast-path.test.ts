// The fast path recognizes exactly the argv it can answer, and leaves everything else to oclif.
import {expect} from 'chai'

import {parseFast} from '../../src/fast-path.js'

const routeShow = {words: ['route', 'show'], flags: {tenant: 'string', refresh: 'boolean'} as const}

describe('fast path (argv recognition)', () => {
  it('recognizes the command with its known flags in both forms', () => {
    expect(parseFast(['route', 'show'], routeShow)).to.deep.equal({})
    expect(parseFast(['route', 'show', '--json', '--tenant', 'fabrikam', '--profile=prod'], routeShow)).to.deep.equal({
      json: true,
      tenant: 'fabrikam',
      profile: 'prod',
    })
    expect(parseFast(['route', 'show', '--tenant=contoso', '--debug', '--refresh'], routeShow)).to.deep.equal({tenant: 'contoso', debug: true, refresh: true})
  })

  it('leaves to oclif: other commands, help, unknown or repeated flags, short flags, missing values, arguments', () => {
    for (const argv of [
      ['route'],
      ['route', 'diagnose'],
      ['route', 'show', '--help'],
      ['route', 'show', '-h'],
      ['route', 'show', '--bogus'],
      ['route', 'show', '--json', '--json'],
      ['route', 'show', '--tenant'],
      ['route', 'show', '--tenant', '--json'],
      ['route', 'show', '--tenant='],
      ['route', 'show', '--json=true'],
      ['route', 'show', 'extra'],
      ['show', 'route'],
    ]) {
      expect(parseFast(argv, routeShow), argv.join(' ')).to.equal(undefined)
    }
  })
})
