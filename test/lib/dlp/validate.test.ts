// dlp validate's checks: the shape and the meaning of a policies file, each problem on its line.
import {expect} from 'chai'

import {validatePolicyText, type Catalog} from '../../../src/lib/dlp/validate.js'

const catalog: Catalog = {
  connectors: new Map([
    ['shared_sql', {unblockable: false}],
    ['shared_http', {unblockable: false, endpointFiltering: true}],
    ['shared_twitter', {unblockable: false}],
    ['shared_approvals', {unblockable: true}],
  ]),
  environments: new Map([
    ['env-default', 'Contoso (default)'],
    ['env-sales', 'Sales'],
  ]),
}

const file = (body: string) => `version: 1\npolicies:\n${body}`

describe('dlp policies file validation', () => {
  it('a good file has no issue and comes back parsed', () => {
    const res = validatePolicyText(
      file(`  - name: Baseline
    scope: all
    defaultGroup: nonBusiness
    business: [shared_sql]
    rules:
      shared_http:
        endpoints:
          - {endpoint: "https://*.contoso.com", behavior: allow}
          - {endpoint: "*", behavior: deny}
`),
      catalog,
    )
    expect(res.issues).to.deep.equal([])
    expect(res.file?.policies[0].business).to.deep.equal(['shared_sql'])
  })

  it('a connector in two groups: the line of the second listing, naming both groups', () => {
    const res = validatePolicyText(
      file(`  - name: Baseline
    scope: all
    defaultGroup: blocked
    business:
      - shared_sql
    nonBusiness:
      - shared_twitter
      - shared_sql
`),
      catalog,
    )
    expect(res.file).to.equal(undefined)
    expect(res.issues).to.deep.equal([
      {line: 10, path: 'policies[0].nonBusiness[1]', message: 'shared_sql is in two groups: business and nonBusiness (a connector belongs to one)'},
    ])
  })

  it('endpoint rules that do not end in "*", and an unblockable connector in blocked, each on its line', () => {
    const res = validatePolicyText(
      file(`  - name: Strict
    scope: all
    defaultGroup: business
    blocked: [shared_approvals]
    rules:
      shared_http:
        endpoints:
          - endpoint: https://api.contoso.com
            behavior: allow
`),
      catalog,
    )
    expect(res.issues.map((i) => [i.line, i.message])).to.deep.equal([
      [6, 'shared_approvals is unblockable (a core connector): put it in business or nonBusiness'],
      [10, 'the last endpoint rule must be "*" (it says what happens to every other endpoint), not "https://api.contoso.com"'],
    ])
  })

  it('unknown connectors and environments, with the id of an environment given by name', () => {
    const res = validatePolicyText(
      file(`  - name: Sales only
    scope:
      only: [env-sales, Sales, env-nope]
    defaultGroup: business
    business: [shared_nope]
`),
      catalog,
    )
    expect(res.issues.map((i) => [i.line, i.path, i.message])).to.deep.equal([
      [5, 'policies[0].scope.only[1]', '"Sales" is an environment\'s name: use its id, env-sales'],
      [5, 'policies[0].scope.only[2]', 'env-nope is not an environment of the tenant (see: ppctl env list)'],
      [7, 'policies[0].business[0]', 'shared_nope is not a connector of the tenant (see: ppctl connector list)'],
    ])
  })

  it('without a catalog, connectors and environments are not looked up', () => {
    const res = validatePolicyText(file(`  - {name: A, scope: {only: [env-nope]}, defaultGroup: business, business: [shared_nope]}\n`))
    expect(res.issues).to.deep.equal([])
  })

  it('shape errors name the field and its line: unknown keys, wrong group, missing scope', () => {
    const res = validatePolicyText(
      file(`  - name: A
    defaultGroup: confidential
    buisness: [shared_sql]
`),
    )
    expect(res.issues.map((i) => [i.line, i.path])).to.deep.equal([
      [3, 'policies[0]'],
      [4, 'policies[0].defaultGroup'],
      [5, 'policies[0].buisness'],
    ])
    expect(res.issues[0].message).to.match(/scope is required/)
    expect(res.issues[1].message).to.equal('must be one of business, nonBusiness, blocked, not string "confidential"')
    expect(res.issues[2].message).to.match(/is not a known field/)
  })

  it('YAML syntax errors and duplicate keys come with their line', () => {
    const res = validatePolicyText('version: 1\npolicies:\n  - name: A\n    name: B\n')
    expect(res.issues).to.have.length(1)
    expect(res.issues[0].line).to.equal(4)
    expect(res.issues[0].message).to.match(/^YAML syntax: .*unique/i)
    expect(validatePolicyText('version: 1\npolicies: [\n').issues[0].line).to.be.a('number')
  })

  it('duplicate policy names and a URL-pattern list not ending in "*"', () => {
    const res = validatePolicyText(
      file(`  - {name: A, scope: all, defaultGroup: business}
  - name: a
    scope: all
    defaultGroup: business
    customConnectorPatterns:
      - {host: "*.contoso.com", group: business}
`),
    )
    expect(res.issues.map((i) => [i.line, i.message])).to.deep.equal([
      [4, '"a" is the name of policies[0] too: names are unique'],
      [8, 'the last pattern must be "*" (every other host), not "*.contoso.com"'],
    ])
  })
})
