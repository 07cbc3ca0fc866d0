// The fast reader of exported policy files: the same value as the yaml package on what export writes, and no answer (so the yaml package decides) on anything else.
import {expect} from 'chai'
import {parse} from 'yaml'

import {fastParse} from '../../../src/lib/dlp/fast-yaml.js'
import {formatPoliciesFile} from '../../../src/lib/dlp/policy-file.js'

describe('dlp fast YAML reader', () => {
  it('reads what export writes exactly as the yaml package does, names and ETags that need quotes included', () => {
    const text = formatPoliciesFile([
      {
        id: 'p-1',
        etag: 'W/"17"',
        name: 'It\'s: a #policy — with «quotes» and "more"',
        description: 'null',
        scope: {except: ['env-a', 'true', '123']},
        defaultGroup: 'nonBusiness',
        business: ['shared_sql', 'custom_orders-api-1a2b'],
        blocked: ['shared_dropbox'],
        rules: {
          shared_http: {
            actions: {default: 'block', allow: ['Get']},
            endpoints: [
              {endpoint: 'https://*.contoso.com/*', behavior: 'allow'},
              {endpoint: '*', behavior: 'deny'},
            ],
          },
        },
        customConnectorPatterns: [{host: '*', group: 'ignore'}],
      },
      {name: 'Empty policy (all) v2', scope: 'all', defaultGroup: 'blocked'},
    ])
    const fast = fastParse(text)
    expect(fast).not.to.equal(undefined)
    expect(fast).to.deep.equal(parse(text))
    expect(fastParse('version: 1\npolicies: []\n')).to.deep.equal({version: 1, policies: []})
    expect(fastParse('a:\n- x\n- "y"\nb: ~\nc:\n')).to.deep.equal(parse('a:\n- x\n- "y"\nb: ~\nc:\n'))
  })

  for (const [what, text] of [
    ['a flow list', 'business: [a, b]\n'],
    ['an anchor', 'a: &x b\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a comment after a value', 'a: b # c\n'],
    ['a plain scalar with ": "', 'a: b: c\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a float', 'a: 1.5\n'],
    ['an octal-looking number', 'a: 0o17\n'],
    ['a document marker', '---\na: 1\n'],
    ['a block scalar', 'a: |\n  x\n'],
    ['a tab', 'a:\n\t- x\n'],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n'],
    ['a quoted string running over lines', 'a: "x\n  y"\n'],
  ] as const) {
    it(`leaves ${what} to the yaml package`, () => {
      expect(fastParse(text)).to.equal(undefined)
    })
  }
})
