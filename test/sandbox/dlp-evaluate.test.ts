// The DLP evaluation (src/sandbox/dlp/evaluate.ts) as a table: scopes, policies that disagree, default group, action, endpoint and URL rules, unblockable connectors.
import {expect} from 'chai'

import {compilePolicy, evaluate, type CatalogConnector} from '../../src/sandbox/dlp/evaluate.js'
import type {DlpPolicy, DlpViolation, FlowConnector} from '../../src/sandbox/dlp/model.js'

const CATALOG = new Map<string, CatalogConnector>(
  (
    [
      {id: 'sp', displayName: 'SharePoint', tier: 'standard', unblockable: true},
      {id: 'sql', displayName: 'SQL Server', tier: 'premium', unblockable: false},
      {id: 'http', displayName: 'HTTP', tier: 'premium', unblockable: false},
      {id: 'twitter', displayName: 'X', tier: 'standard', unblockable: false},
      {id: 'dropbox', displayName: 'Dropbox', tier: 'standard', unblockable: false},
      {id: 'approvals', displayName: 'Approvals', tier: 'standard', unblockable: true},
      {id: 'custom_billing', displayName: 'Billing API', tier: 'custom', unblockable: false, hostUrl: 'https://billing.contoso.example'},
      {id: 'custom_partner', displayName: 'Partner API', tier: 'custom', unblockable: false, hostUrl: 'https://api.partner.example'},
      {id: 'custom_evil', displayName: 'Evil API', tier: 'custom', unblockable: false, hostUrl: 'https://exfil.evil.example'},
    ] as CatalogConnector[]
  ).map((c) => [c.id, c]),
)

function policy(id: string, p: Partial<DlpPolicy> = {}): DlpPolicy {
  return {
    id,
    displayName: `Policy ${id}`,
    description: '',
    managed: false,
    environmentScope: 'all',
    environments: [],
    defaultGroup: 'nonBusiness',
    connectorRules: [],
    customConnectorUrlPatterns: [],
    createdBy: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'test',
    updatedAt: '2026-01-01T00:00:00.000Z',
    etag: '"1"',
    ...p,
    groups: {business: [], nonBusiness: [], blocked: [], ...p.groups},
  }
}

const use = (...ids: Array<string | FlowConnector>): FlowConnector[] => ids.map((c) => (typeof c === 'string' ? {id: c} : c))

/** What a case expects: the verdict, the violations as `KIND policy connectors…`, and optional checks of details. */
interface Case {
  name: string
  policies: DlpPolicy[]
  env?: string
  connectors: FlowConnector[]
  allowed: boolean
  violations: string[]
  applied?: string[]
  check?: (v: DlpViolation[]) => void
}

const summary = (v: DlpViolation) =>
  `${v.kind} ${v.policyId} ${v.connectors.join(',')}${v.action ? ` action=${v.action}` : ''}${v.endpoint ? ` endpoint=${v.endpoint}` : ''}`

const CASES: Case[] = [
  {
    name: 'all environments: a business and a non-business connector together are a conflict, named as a pair',
    policies: [policy('p1', {groups: {business: ['sp'], nonBusiness: ['twitter'], blocked: []}})],
    connectors: use('sp', 'twitter'),
    allowed: false,
    violations: ['GROUP_CONFLICT p1 sp,twitter'],
    check: ([v]) => {
      expect(v.groups).to.deep.equal({sp: 'business', twitter: 'nonBusiness'})
      expect(v.classifiedBy).to.deep.equal({sp: 'listed', twitter: 'listed'})
      expect(v.fixes.join(' ')).to.contain('Remove twitter from the flow, or move it to the business group of p1')
    },
  },
  {
    name: 'all environments: connectors of one group together are allowed',
    policies: [policy('p1', {groups: {business: ['sp', 'sql'], nonBusiness: [], blocked: []}})],
    connectors: use('sp', 'sql'),
    allowed: true,
    violations: [],
    applied: ['p1'],
  },
  {
    name: 'except: the listed environment is outside the policy',
    policies: [policy('p1', {environmentScope: 'except', environments: ['dev'], groups: {business: ['sp'], nonBusiness: ['twitter'], blocked: []}})],
    env: 'dev',
    connectors: use('sp', 'twitter'),
    allowed: true,
    violations: [],
    applied: [],
  },
  {
    name: 'except: any other environment is inside it',
    policies: [policy('p1', {environmentScope: 'except', environments: ['dev'], groups: {business: ['sp'], nonBusiness: ['twitter'], blocked: []}})],
    env: 'prod',
    connectors: use('sp', 'twitter'),
    allowed: false,
    violations: ['GROUP_CONFLICT p1 sp,twitter'],
  },
  {
    name: 'only: the policy applies to the listed environment',
    policies: [policy('p1', {environmentScope: 'only', environments: ['prod'], groups: {business: ['sp'], nonBusiness: [], blocked: ['dropbox']}})],
    env: 'prod',
    connectors: use('sp', 'dropbox'),
    allowed: false,
    violations: ['CONNECTOR_BLOCKED p1 dropbox'],
  },
  {
    name: 'only: and to no other',
    policies: [policy('p1', {environmentScope: 'only', environments: ['prod'], groups: {business: ['sp'], nonBusiness: [], blocked: ['dropbox']}})],
    env: 'default',
    connectors: use('sp', 'dropbox'),
    allowed: true,
    violations: [],
    applied: [],
  },
  {
    name: 'two policies that disagree: the one that forbids wins, the other is reported as allowing',
    policies: [
      policy('lenient', {groups: {business: ['sp', 'twitter'], nonBusiness: [], blocked: []}}),
      policy('strict', {groups: {business: ['sp'], nonBusiness: ['twitter'], blocked: []}}),
    ],
    connectors: use('sp', 'twitter'),
    allowed: false,
    violations: ['GROUP_CONFLICT strict sp,twitter'],
    applied: ['lenient', 'strict'],
  },
  {
    name: 'two policies: a block in one is a block whatever the other says',
    policies: [
      policy('a', {defaultGroup: 'business', groups: {business: ['dropbox'], nonBusiness: [], blocked: []}}),
      policy('b', {defaultGroup: 'business', groups: {business: [], nonBusiness: [], blocked: ['dropbox']}}),
    ],
    connectors: use('sp', 'dropbox'),
    allowed: false,
    violations: ['CONNECTOR_BLOCKED b dropbox'],
  },
  {
    name: 'default group: an unlisted connector falls in it (here non-business, against a listed business one)',
    policies: [policy('p1', {defaultGroup: 'nonBusiness', groups: {business: ['sql'], nonBusiness: [], blocked: []}})],
    connectors: use('sql', 'dropbox'),
    allowed: false,
    violations: ['GROUP_CONFLICT p1 sql,dropbox'],
    check: ([v]) => expect(v.classifiedBy).to.deep.equal({sql: 'listed', dropbox: 'default'}),
  },
  {
    name: 'default group blocked: an unlisted connector is blocked',
    policies: [policy('p1', {defaultGroup: 'blocked', groups: {business: ['sql'], nonBusiness: [], blocked: []}})],
    connectors: use('sql', 'twitter'),
    allowed: false,
    violations: ['CONNECTOR_BLOCKED p1 twitter'],
  },
  {
    name: 'unblockable: a default of blocked puts an unblockable connector in non-business instead',
    policies: [policy('p1', {defaultGroup: 'blocked', groups: {business: [], nonBusiness: ['twitter'], blocked: []}})],
    connectors: use('approvals', 'twitter'),
    allowed: true,
    violations: [],
  },
  {
    name: 'unblockable: never blocked even when listed there, and then counts as non-business',
    policies: [policy('p1', {groups: {business: ['sql'], nonBusiness: [], blocked: ['sp']}})],
    connectors: use('sql', 'sp'),
    allowed: false,
    violations: ['GROUP_CONFLICT p1 sql,sp'],
    check: ([v]) => expect(v.classifiedBy?.sp).to.equal('unblockable'),
  },
  {
    name: 'action rules: an action listed as block is refused, with its rule',
    policies: [
      policy('p1', {
        defaultGroup: 'business',
        connectorRules: [{connectorId: 'sql', actionRules: [{actionId: 'DeleteItem', behavior: 'block'}]}],
      }),
    ],
    connectors: use({id: 'sql', actions: ['GetItems', 'DeleteItem']}),
    allowed: false,
    violations: ['ACTION_BLOCKED p1 sql action=DeleteItem'],
    check: ([v]) => expect(v.rule).to.deep.equal({actionId: 'DeleteItem', behavior: 'block'}),
  },
  {
    name: 'action rules: the default action behavior decides for actions not listed',
    policies: [
      policy('p1', {
        defaultGroup: 'business',
        connectorRules: [{connectorId: 'sql', defaultActionBehavior: 'block', actionRules: [{actionId: 'GetItems', behavior: 'allow'}]}],
      }),
    ],
    connectors: use({id: 'sql', actions: ['GetItems', 'PatchItem']}),
    allowed: false,
    violations: ['ACTION_BLOCKED p1 sql action=PatchItem'],
    check: ([v]) => expect(v.rule).to.deep.equal({defaultActionBehavior: 'block'}),
  },
  {
    name: 'endpoint rules: evaluated by order whatever the list order, the first match allows',
    policies: [
      policy('p1', {
        defaultGroup: 'business',
        connectorRules: [
          {
            connectorId: 'http',
            endpointRules: [
              {order: 3, endpoint: '*', behavior: 'deny'},
              {order: 1, endpoint: 'https://*.contoso.example/*', behavior: 'allow'},
              {order: 2, endpoint: 'https://*.example/*', behavior: 'deny'},
            ],
          },
        ],
      }),
    ],
    connectors: use({id: 'http', endpoints: ['https://orders.contoso.example/api']}),
    allowed: true,
    violations: [],
  },
  {
    name: 'endpoint rules: an endpoint denied names the rule that matched first',
    policies: [
      policy('p1', {
        defaultGroup: 'business',
        connectorRules: [
          {
            connectorId: 'http',
            endpointRules: [
              {order: 3, endpoint: '*', behavior: 'deny'},
              {order: 1, endpoint: 'https://*.contoso.example/*', behavior: 'allow'},
              {order: 2, endpoint: 'https://*.example/*', behavior: 'deny'},
            ],
          },
        ],
      }),
    ],
    connectors: use({id: 'http', endpoints: ['https://orders.contoso.example/api', 'https://paste.bin.example/x', 'ftp://elsewhere']}),
    allowed: false,
    violations: ['ENDPOINT_BLOCKED p1 http endpoint=https://paste.bin.example/x', 'ENDPOINT_BLOCKED p1 http endpoint=ftp://elsewhere'],
    check: (v) => {
      expect(v[0].rule).to.deep.equal({order: 2, endpoint: 'https://*.example/*', behavior: 'deny'})
      expect(v[1].rule).to.include({order: 3, endpoint: '*'})
    },
  },
  {
    name: 'URL patterns: a custom connector takes the group of the first pattern its host matches',
    policies: [
      policy('p1', {
        defaultGroup: 'nonBusiness',
        groups: {business: ['sql'], nonBusiness: [], blocked: []},
        customConnectorUrlPatterns: [
          {order: 2, hostUrlPattern: 'https://*.example', dataGroup: 'nonBusiness'},
          {order: 1, hostUrlPattern: 'https://*.contoso.example', dataGroup: 'business'},
          {order: 3, hostUrlPattern: '*', dataGroup: 'ignore'},
        ],
      }),
    ],
    connectors: use('sql', 'custom_billing'),
    allowed: true,
    violations: [],
  },
  {
    name: 'URL patterns: a later pattern classifies another host; the conflict names the pattern to change',
    policies: [
      policy('p1', {
        defaultGroup: 'business',
        groups: {business: ['sql'], nonBusiness: [], blocked: []},
        customConnectorUrlPatterns: [
          {order: 1, hostUrlPattern: 'https://*.contoso.example', dataGroup: 'business'},
          {order: 2, hostUrlPattern: 'https://*.partner.example', dataGroup: 'nonBusiness'},
          {order: 3, hostUrlPattern: '*', dataGroup: 'ignore'},
        ],
      }),
    ],
    connectors: use('sql', 'custom_partner'),
    allowed: false,
    violations: ['GROUP_CONFLICT p1 sql,custom_partner'],
    check: ([v]) => {
      expect(v.classifiedBy).to.deep.equal({sql: 'listed', custom_partner: 'urlPattern:2'})
      expect(v.fixes[0]).to.contain('change URL pattern 2 of p1')
    },
  },
  {
    name: 'URL patterns: ignore leaves the connector to the default group, and blocked blocks it',
    policies: [
      policy('p1', {
        defaultGroup: 'business',
        customConnectorUrlPatterns: [
          {order: 1, hostUrlPattern: 'https://*.evil.example', dataGroup: 'blocked'},
          {order: 2, hostUrlPattern: '*', dataGroup: 'ignore'},
        ],
      }),
    ],
    connectors: use('sql', 'custom_partner', 'custom_evil'),
    allowed: false,
    violations: ['CONNECTOR_BLOCKED p1 custom_evil'],
  },
  {
    name: 'URL patterns: a custom connector listed in a group is classified by the group, not the pattern',
    policies: [
      policy('p1', {
        defaultGroup: 'business',
        groups: {business: ['custom_evil'], nonBusiness: [], blocked: []},
        customConnectorUrlPatterns: [{order: 1, hostUrlPattern: '*', dataGroup: 'blocked'}],
      }),
    ],
    connectors: use('custom_evil'),
    allowed: true,
    violations: [],
  },
  {
    name: 'the managed tenant-wide policy: its fix is to unblock the connector',
    policies: [policy('tenant-blocked-connectors', {managed: true, defaultGroup: 'business', groups: {business: [], nonBusiness: [], blocked: ['dropbox']}})],
    connectors: use('sp', 'dropbox'),
    allowed: false,
    violations: ['CONNECTOR_BLOCKED tenant-blocked-connectors dropbox'],
    check: ([v]) => expect(v.fixes[0]).to.contain('ppctl connector unblock dropbox'),
  },
  {
    name: 'no policy applies: allowed',
    policies: [],
    connectors: use('sp', 'twitter', 'dropbox'),
    allowed: true,
    violations: [],
    applied: [],
  },
]

describe('DLP evaluation (pure function, table of cases)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const result = evaluate({environmentId: c.env ?? 'default', connectors: c.connectors}, CATALOG, c.policies.map(compilePolicy))
      expect(result.violations.map(summary)).to.deep.equal(c.violations)
      expect(result.allowed).to.equal(c.allowed)
      if (c.applied) expect(result.policies.map((p) => p.id)).to.deep.equal(c.applied)
      for (const v of result.policies) expect(v.allowed).to.equal(!result.violations.some((x) => x.policyId === v.id))
      c.check?.(result.violations)
    })
  }

  it('is pure: the same input gives the same answer, and the input is not changed', () => {
    const policies = [policy('p1', {groups: {business: ['sp'], nonBusiness: ['twitter'], blocked: []}})].map(compilePolicy)
    const connectors = use({id: 'sp', actions: ['a']}, 'twitter')
    const frozen = JSON.stringify(connectors)
    const a = evaluate({environmentId: 'default', connectors}, CATALOG, policies)
    const b = evaluate({environmentId: 'default', connectors}, CATALOG, policies)
    expect(a).to.deep.equal(b)
    expect(JSON.stringify(connectors)).to.equal(frozen)
  })
})
