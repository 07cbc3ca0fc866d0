// Reading a policies file with the yaml package: what export writes comes back as it was, errors and paths on their lines.
import {expect} from 'chai'
import {LineCounter, parseDocument} from 'yaml'

import {canonicalPolicy, formatPoliciesFile, parsePolicyFile, parsePolicyFileAsync, type DlpPolicySpec} from '../../../src/lib/dlp/policy-file.js'

describe('dlp policies file (src/lib/dlp/policy-file.ts)', () => {
  it('reads back what export writes: names and ETags that need quotes, strings that look like null, true or numbers', () => {
    const policies: DlpPolicySpec[] = [
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
    ]
    const parsed = parsePolicyFile(formatPoliciesFile(policies))
    expect(parsed.syntaxErrors).to.deep.equal([])
    expect(parsed.value).to.deep.equal({version: 1, policies: policies.map(canonicalPolicy).sort((a, b) => (a.name < b.name ? -1 : 1))})
  })

  it('a syntax error and a duplicate key after a BOM: each on the line and column the yaml package gives (its LineCounter)', () => {
    const text = 'version: 1\r\npolicies:\n  - name: a\n    name: b\n    scope: [all\n'
    const bad = parsePolicyFile(`\uFEFF${text}`)
    expect(bad.value).to.equal(undefined)
    const lines = new LineCounter()
    const reference = parseDocument(text, {lineCounter: lines, uniqueKeys: true, prettyErrors: false}).errors.map((e) => {
      const pos = lines.linePos(e.pos[0])
      return {line: pos.line, column: pos.col, message: e.message.split('\n')[0]}
    })
    expect(reference).to.have.length(2)
    expect(bad.syntaxErrors).to.deep.equal(reference)
    expect(bad.syntaxErrors[0]).to.include({line: 4, column: 5})
    expect(bad.syntaxErrors[0].message).to.match(/unique/i)
  })

  it('lineOf: the line of a path, of its key when the value is empty, of the nearest parent otherwise; CRLF lines count the same', () => {
    for (const nl of ['\n', '\r\n']) {
      const parsed = parsePolicyFile(['version: 1', 'policies:', '  - name: a', '    business:', '    blocked:', '      - x', '      - y', ''].join(nl))
      expect(parsed.syntaxErrors).to.deep.equal([])
      expect(parsed.lineOf(['policies', 0, 'blocked', 1])).to.equal(7)
      expect(parsed.lineOf(['policies', 0, 'business'])).to.equal(4)
      expect(parsed.lineOf(['policies', 0, 'nonBusiness'])).to.equal(3)
      expect(parsed.lineOf(['version'])).to.equal(1)
    }
  })

  it('parsePolicyFileAsync (a worker thread): the same value, the same errors, the same lines as parsePolicyFile', async () => {
    const good = `\uFEFF${formatPoliciesFile([{name: 'a', scope: {only: ['env-1']}, defaultGroup: 'blocked', business: ['x', 'true', '1']}])}`
    const bad = 'version: 1\npolicies:\n  - name: a\n    name: b\n'
    for (const text of [good, bad, '']) {
      const sync = parsePolicyFile(text)
      const off = await parsePolicyFileAsync(text)
      expect(off.value, text).to.deep.equal(sync.value)
      expect(off.syntaxErrors, text).to.deep.equal(sync.syntaxErrors)
      expect(off.lineOf(['policies', 0, 'business', 2]), text).to.equal(sync.lineOf(['policies', 0, 'business', 2]))
    }
    expect((await parsePolicyFileAsync(good)).value).to.have.nested.property('policies[0].business[1]', 'true')
    expect((await parsePolicyFileAsync(bad)).syntaxErrors).to.have.length(1)
  })
})
