// The local platform's fixed seed: tenants, their clusters, and the identities created at first start.
export interface SeedTenant {
  id: string
  name: string
  displayName: string
  domain: string
  home: string
  secondary: string
}

export interface SeedUser {
  oid: string
  upn: string
  displayName: string
  tenantId: string
  roles: string[]
}

export const OPERATOR_TENANT_ID = '00000000-0000-4000-8000-0000000000ff'

export const TENANTS: readonly SeedTenant[] = [
  {id: '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1', name: 'contoso', displayName: 'Contoso', domain: 'contoso.example', home: 'eastus-1', secondary: 'westus-1'},
  {
    id: '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2',
    name: 'fabrikam',
    displayName: 'Fabrikam',
    domain: 'fabrikam.example',
    home: 'westeurope-1',
    secondary: 'northeurope-1',
  },
]

export const CLUSTERS: Readonly<Record<string, {region: string; pair: string}>> = {
  'eastus-1': {region: 'eastus', pair: 'westus-1'},
  'westus-1': {region: 'westus', pair: 'eastus-1'},
  'westeurope-1': {region: 'westeurope', pair: 'northeurope-1'},
  'northeurope-1': {region: 'northeurope', pair: 'westeurope-1'},
}

const ROLE_OF: ReadonlyArray<readonly [string, string, string]> = [
  ['admin', 'Admin', 'Administrator'],
  ['maker', 'Maker', 'Maker'],
  ['user', 'AppUser', 'App user'],
]

/** Every seeded identity, in a stable order: each tenant's admin, maker and user, then the operator's support engineer. */
export function seedUsers(): SeedUser[] {
  const users: SeedUser[] = []
  TENANTS.forEach((tenant, t) => {
    ROLE_OF.forEach(([local, role, title], r) => {
      users.push({
        oid: `${t === 0 ? 'c0' : 'fa'}000000-0000-4000-8000-00000000000${r + 1}`,
        upn: `${local}@${tenant.domain}`,
        displayName: `${tenant.displayName} ${title}`,
        tenantId: tenant.id,
        roles: [role],
      })
    })
  })
  users.push({
    oid: '5c000000-0000-4000-8000-000000000001',
    upn: 'support@operator.example',
    displayName: 'Platform Support',
    tenantId: OPERATOR_TENANT_ID,
    roles: ['Support'],
  })
  return users
}

/** A tenant by id, name or domain (case-insensitive). */
export function findTenant(idOrName: string): SeedTenant | undefined {
  const key = idOrName.toLowerCase()
  return TENANTS.find((t) => t.id === key || t.name === key || t.domain === key)
}

/** The public client id ppctl signs in with. */
export const CLI_CLIENT_ID = 'ppctl'
/** The audience (resource indicator) of platform API access tokens. */
export const API_AUDIENCE = 'https://api.sandbox.localhost'
