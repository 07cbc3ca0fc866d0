// The plan of a policies file: create / update / delete per policy, connectors moving between groups, scope and rule changes, stale ETags.
import {expect} from 'chai'

import {diffPolicy, planPolicies, type CurrentPolicy} from '../../../src/lib/dlp/plan.js'
import {formatPoliciesFile, parsePolicyFile, type DlpPolicySpec} from '../../../src/lib/dlp/policy-file.js'

const base: CurrentPolicy = {
  id: 'pol-1',
  etag: 'W/"1"',
  name: 'Baseline',
  scope: 'all',
  defaultGroup: 'nonBusiness',
  business: ['shared_sql', 'shared_blob'],
  blocked: ['shared_twitter'],
}

describe('dlp plan (pure)', () => {
  it('the same policy in another order, with duplicates, plans nothing', () => {
    const same: DlpPolicySpec = {...base, business: ['shared_blob', 'shared_sql', 'shared_blob'], nonBusiness: [], rules: {}}
    expect(diffPolicy(base, same)).to.deep.equal([])
    expect(planPolicies([same], [base])).to.deep.equal([])
  })

  it('connectors moving between groups, into and out of the default group, and the scope', () => {
    const edited: DlpPolicySpec = {
      ...base,
      scope: {except: ['env-dev']},
      business: ['shared_sql'],
      nonBusiness: ['shared_twitter'],
      blocked: ['shared_ftp'],
    }
    expect(diffPolicy(base, edited)).to.deep.equal([
      {kind: 'scope', from: 'all environments', to: 'all except env-dev'},
      {kind: 'connector', connector: 'shared_blob', from: 'business', to: 'default'},
      {kind: 'connector', connector: 'shared_ftp', from: 'default', to: 'blocked'},
      {kind: 'connector', connector: 'shared_twitter', from: 'blocked', to: 'nonBusiness'},
    ])
  })

  it('default group, rules and URL patterns', () => {
    const edited: DlpPolicySpec = {
      ...base,
      defaultGroup: 'blocked',
      rules: {
        shared_http: {
          endpoints: [
            {endpoint: 'https://*.contoso.com', behavior: 'allow'},
            {endpoint: '*', behavior: 'deny'},
          ],
        },
      },
      customConnectorPatterns: [{host: '*', group: 'ignore'}],
    }
    expect(diffPolicy(base, edited)).to.deep.equal([
      {kind: 'default-group', from: 'nonBusiness', to: 'blocked'},
      {kind: 'rules', connector: 'shared_http', from: 'none', to: 'endpoints allow https://*.contoso.com, deny *'},
      {kind: 'url-patterns', from: 'none', to: '* → ignore'},
    ])
  })

  it('matched by id (a rename is an update), else by name; the rest of the platform is deleted; new ones created', () => {
    const other: CurrentPolicy = {id: 'pol-2', etag: 'W/"5"', name: 'Legacy', scope: 'all', defaultGroup: 'business'}
    const third: CurrentPolicy = {id: 'pol-3', etag: 'W/"2"', name: 'Sales', scope: {only: ['env-sales']}, defaultGroup: 'business'}
    const plans = planPolicies(
      [
        {...base, name: 'Baseline v2'},
        {name: 'sales', scope: {only: ['env-sales']}, defaultGroup: 'blocked'},
        {name: 'New', scope: 'all', defaultGroup: 'business', blocked: ['shared_ftp']},
      ],
      [base, other, third],
    )
    expect(plans.map((p) => [p.action, p.name, p.id, p.ifMatch])).to.deep.equal([
      ['update', 'Baseline v2', 'pol-1', 'W/"1"'],
      ['delete', 'Legacy', 'pol-2', 'W/"5"'],
      ['create', 'New', undefined, undefined],
      ['update', 'sales', 'pol-3', 'W/"2"'],
    ])
    expect(plans[0].changes).to.deep.equal([{kind: 'name', from: 'Baseline', to: 'Baseline v2'}])
    expect(plans[2].changes).to.deep.equal([{kind: 'connector', connector: 'shared_ftp', from: 'default', to: 'blocked'}])
  })

  it("an update against a file's etag that is not the platform's is marked stale; an unchanged one is not planned", () => {
    const plans = planPolicies([{...base, etag: 'W/"0"', defaultGroup: 'blocked'}], [base])
    expect(plans[0].stale).to.deep.equal({fileEtag: 'W/"0"', platformEtag: 'W/"1"'})
    expect(plans[0].ifMatch).to.equal('W/"0"')
    expect(planPolicies([{...base, etag: 'W/"0"'}], [base])).to.deep.equal([])
  })

  it('export then parse gives back the same policies in a stable order, with a schema comment for editors', () => {
    const b: CurrentPolicy = {id: 'pol-0', etag: 'W/"9"', name: 'Alpha', scope: {only: ['env-b', 'env-a']}, defaultGroup: 'business'}
    const text = formatPoliciesFile([base, b])
    expect(text.split('\n')[0]).to.equal('# yaml-language-server: $schema=https://ppctl.example/schemas/dlp-policies.json')
    expect(formatPoliciesFile([b, base])).to.equal(text)
    const parsed = parsePolicyFile(text).value as {policies: DlpPolicySpec[]}
    expect(parsed.policies.map((p) => p.name)).to.deep.equal(['Alpha', 'Baseline'])
    expect(parsed.policies[0].scope).to.deep.equal({only: ['env-a', 'env-b']})
    expect(parsed.policies[1].etag).to.equal('W/"1"')
    expect(planPolicies(parsed.policies, [base, b])).to.deep.equal([])
  })
})
