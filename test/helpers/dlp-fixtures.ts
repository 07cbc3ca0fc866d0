// Wire objects of the DLP, environment and flow endpoints, for in-process command tests.
import type {DlpPolicy} from '../../src/lib/platform/dlp.js'
import type {Environment} from '../../src/lib/platform/environments.js'

export function policy(id: string, extra: Partial<DlpPolicy> = {}): DlpPolicy {
  return {
    id,
    displayName: `Policy ${id}`,
    description: '',
    managed: false,
    environmentScope: 'all',
    environments: [],
    defaultGroup: 'nonBusiness',
    groups: {business: ['shared_sql'], nonBusiness: [], blocked: []},
    connectorRules: [],
    customConnectorUrlPatterns: [],
    createdBy: 'admin',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'admin',
    updatedAt: '2026-01-01T00:00:00.000Z',
    etag: '"1"',
    ...extra,
  }
}

export function environment(id: string, extra: Partial<Environment> = {}): Environment {
  return {
    id,
    displayName: id === 'default' ? 'Contoso (default)' : `Env ${id}`,
    type: id === 'default' ? 'default' : 'sandbox',
    isDefault: id === 'default',
    securityGroupId: null,
    createdBy: 'system',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    etag: '"1"',
    ...extra,
  }
}
