// The deterministic tenant data seeded on each tenant's home cluster at first start (documented in the README).
import {MANAGED_POLICY_ID} from '../dlp/model.js'
import type {Directory} from '../directory.js'
import type {SeedTenant} from '../seed.js'
import type {TenantStore, Tx} from './tenant-store.js'

/** 2: security groups, the default environment, the managed DLP policy of blocked connectors, and a few flows. */
const SEED_VERSION = 2
/** A fixed time for seeded rows, so every seed is byte-identical. */
const SEEDED_AT = '2024-01-01T00:00:00.000Z'

export interface SeedConnector {
  id: string
  displayName: string
  publisher: string
  tier: 'standard' | 'premium'
  unblockable?: boolean
  description: string
}

const standard = (id: string, displayName: string, description: string, unblockable = false): SeedConnector => ({
  id,
  displayName,
  publisher: 'Microsoft',
  tier: 'standard',
  unblockable,
  description,
})
const premium = (id: string, displayName: string, publisher: string, description: string, unblockable = false): SeedConnector => ({
  id,
  displayName,
  publisher,
  tier: 'premium',
  unblockable,
  description,
})

/** 44 connectors: 24 standard, 20 premium; Approvals, Notifications, SharePoint and Dataverse cannot be blocked. */
const SEED_CONNECTORS: readonly SeedConnector[] = [
  standard('shared_office365', 'Office 365 Outlook', 'Mail, calendar and contacts in Office 365.'),
  standard('shared_teams', 'Microsoft Teams', 'Channels, chats and meetings.'),
  standard('shared_sharepointonline', 'SharePoint', 'Lists and document libraries.', true),
  standard('shared_onedriveforbusiness', 'OneDrive for Business', 'Files in OneDrive for Business.'),
  standard('shared_excelonlinebusiness', 'Excel Online (Business)', 'Tables in Excel workbooks.'),
  standard('shared_planner', 'Planner', 'Plans, buckets and tasks.'),
  standard('shared_approvals', 'Approvals', 'Approval requests and responses.', true),
  standard('shared_flowpush', 'Notifications', 'Push and email notifications.', true),
  standard('shared_office365users', 'Office 365 Users', 'User profiles and managers.'),
  standard('shared_office365groups', 'Office 365 Groups', 'Groups and their members.'),
  standard('shared_todo', 'Microsoft To Do (Business)', 'Tasks and lists.'),
  standard('shared_forms', 'Microsoft Forms', 'Forms and responses.'),
  standard('shared_onenote', 'OneNote (Business)', 'Notebooks, sections and pages.'),
  standard('shared_yammer', 'Viva Engage', 'Communities and posts.'),
  standard('shared_outlook', 'Outlook.com', 'Personal mail and calendar.'),
  standard('shared_onedrive', 'OneDrive', 'Personal files.'),
  standard('shared_rss', 'RSS', 'Feeds.'),
  standard('shared_twitter', 'X (Twitter)', 'Posts and timelines.'),
  standard('shared_dropbox', 'Dropbox', 'Files in Dropbox.'),
  standard('shared_googledrive', 'Google Drive', 'Files in Google Drive.'),
  standard('shared_gmail', 'Gmail', 'Mail in Gmail.'),
  standard('shared_msnweather', 'MSN Weather', 'Forecasts.'),
  standard('shared_bingmaps', 'Bing Maps', 'Routes and locations.'),
  standard('shared_powerbi', 'Power BI', 'Datasets, reports and alerts.'),
  premium('shared_commondataserviceforapps', 'Microsoft Dataverse', 'Microsoft', 'Tables and rows in Dataverse.', true),
  premium('shared_sql', 'SQL Server', 'Microsoft', 'Tables, queries and stored procedures.'),
  premium('shared_webcontents', 'HTTP', 'Microsoft', 'Any HTTP endpoint.'),
  premium('shared_webcontents_aad', 'HTTP with Microsoft Entra ID', 'Microsoft', 'HTTP endpoints protected by Entra ID.'),
  premium('shared_salesforce', 'Salesforce', 'Salesforce', 'Records in Salesforce.'),
  premium('shared_service-now', 'ServiceNow', 'ServiceNow', 'Incidents and records in ServiceNow.'),
  premium('shared_sap', 'SAP ERP', 'SAP', 'BAPIs and RFCs in SAP ERP.'),
  premium('shared_azureblob', 'Azure Blob Storage', 'Microsoft', 'Blobs and containers.'),
  premium('shared_oracle', 'Oracle Database', 'Oracle', 'Tables in Oracle Database.'),
  premium('shared_azureeventgrid', 'Azure Event Grid', 'Microsoft', 'Event subscriptions.'),
  premium('shared_servicebus', 'Azure Service Bus', 'Microsoft', 'Queues and topics.'),
  premium('shared_azurequeues', 'Azure Queues', 'Microsoft', 'Storage queues.'),
  premium('shared_keyvault', 'Azure Key Vault', 'Microsoft', 'Secrets, keys and certificates.'),
  premium('shared_documentdb', 'Azure Cosmos DB', 'Microsoft', 'Documents in Cosmos DB.'),
  premium('shared_dynamicssmbsaas', 'Dynamics 365 Business Central', 'Microsoft', 'Companies and records.'),
  premium('shared_jira', 'Jira', 'Atlassian', 'Issues and projects.'),
  premium('shared_docusign', 'DocuSign', 'DocuSign', 'Envelopes and signatures.'),
  premium('shared_adobesign', 'Adobe Acrobat Sign', 'Adobe', 'Agreements and signatures.'),
  premium('shared_mysql', 'MySQL', 'Oracle', 'Tables in MySQL.'),
  premium('shared_ftp', 'FTP', 'Microsoft', 'Files on FTP servers.'),
]

export interface SeedSku {
  id: string
  displayName: string
  enabled: number
  grantsPremium: boolean
  capabilities: string[]
}

const SEED_SKUS: readonly SeedSku[] = [
  {
    id: 'POWERAPPS_PER_USER',
    displayName: 'Power Apps Premium (per user)',
    enabled: 3,
    grantsPremium: true,
    capabilities: ['standard-connectors', 'premium-connectors', 'custom-connectors', 'unlimited-apps'],
  },
  {
    id: 'POWERAPPS_PER_APP',
    displayName: 'Power Apps per app',
    enabled: 2,
    grantsPremium: true,
    capabilities: ['standard-connectors', 'premium-connectors', 'custom-connectors', 'one-app'],
  },
  {id: 'FLOW_FREE', displayName: 'Power Automate Free', enabled: 100, grantsPremium: false, capabilities: ['standard-connectors']},
]

/** Tenant members beyond the sign-in identities (they hold licenses but cannot sign in to the local platform). */
const SEED_MEMBERS: ReadonlyArray<readonly [string, string]> = [
  ['megan.bowen', 'Megan Bowen'],
  ['alex.wilber', 'Alex Wilber'],
  ['lee.gu', 'Lee Gu'],
  ['nestor.wilke', 'Nestor Wilke'],
  ['adele.vance', 'Adele Vance'],
  ['diego.siciliani', 'Diego Siciliani'],
]

/** Seed assignments by local part: admin and Megan hold per-user premium (2 of 3 seats), Alex per-app, everyone Flow Free. */
const SEED_ASSIGNMENTS: ReadonlyArray<readonly [string, string]> = [
  ['admin', 'POWERAPPS_PER_USER'],
  ['megan.bowen', 'POWERAPPS_PER_USER'],
  ['alex.wilber', 'POWERAPPS_PER_APP'],
  ...['admin', 'maker', 'user', 'megan.bowen', 'alex.wilber', 'lee.gu', 'nestor.wilke', 'adele.vance', 'diego.siciliani'].map((u) => [u, 'FLOW_FREE'] as const),
]

/** Directory security groups by local part of their members' UPNs: the maker is in Makers, not in Finance. */
const SEED_GROUPS: ReadonlyArray<{id: string; displayName: string; description: string; members: readonly string[]}> = [
  {id: 'grp-finance', displayName: 'Finance', description: 'The finance team.', members: ['admin', 'megan.bowen', 'adele.vance']},
  {id: 'grp-makers', displayName: 'Makers', description: 'People who build apps and flows.', members: ['admin', 'maker', 'alex.wilber']},
  {
    id: 'grp-everyone',
    displayName: 'All employees',
    description: 'Every member of the tenant.',
    members: ['admin', 'maker', 'user', 'megan.bowen', 'alex.wilber', 'lee.gu', 'nestor.wilke', 'adele.vance', 'diego.siciliani'],
  },
]

/** Flows in the default environment, so a fresh sandbox has something to govern: owner by local part. */
const SEED_FLOWS: ReadonlyArray<{
  id: string
  displayName: string
  owner: string
  connectors: ReadonlyArray<{id: string; actions?: string[]; endpoints?: string[]}>
}> = [
  {
    id: 'flow-invoice-approvals',
    displayName: 'Invoice approvals',
    owner: 'maker',
    connectors: [{id: 'shared_sharepointonline'}, {id: 'shared_approvals'}, {id: 'shared_office365', actions: ['SendEmailV2']}],
  },
  {
    id: 'flow-social-digest',
    displayName: 'Social media digest',
    owner: 'maker',
    connectors: [{id: 'shared_rss'}, {id: 'shared_twitter', actions: ['SearchTweet']}, {id: 'shared_office365', actions: ['SendEmailV2']}],
  },
  {
    id: 'flow-order-sync',
    displayName: 'Order sync',
    owner: 'admin',
    connectors: [
      {id: 'shared_sql', actions: ['GetItems', 'PatchItem']},
      {id: 'shared_webcontents', actions: ['InvokeHttp'], endpoints: ['https://orders.contoso.example/api']},
      {id: 'shared_sharepointonline'},
    ],
  },
  {
    id: 'flow-file-backup',
    displayName: 'File backup to Dropbox',
    owner: 'megan.bowen',
    connectors: [{id: 'shared_onedriveforbusiness'}, {id: 'shared_dropbox'}],
  },
]

/**
 * Version 2's governance data: the security groups, the default environment, the managed policy holding the
 * connectors blocked so far (an older seed's `blocked` column moves into it) and the seed flows.
 */
function seedGovernance(tx: Tx, tenant: SeedTenant, users: ReadonlyArray<{id: string; upn: string}>): {groups: number; flows: number} {
  const byLocal = (local: string) => users.find((u) => u.upn === `${local}@${tenant.domain}`)
  for (const g of SEED_GROUPS) {
    tx.run('INSERT INTO security_groups (tenant_id, id, display_name, description) VALUES (?, ?, ?, ?)', tenant.id, g.id, g.displayName, g.description)
    for (const local of g.members) {
      const user = byLocal(local)
      if (user) tx.run('INSERT INTO group_members (tenant_id, group_id, user_id) VALUES (?, ?, ?)', tenant.id, g.id, user.id)
    }
  }
  tx.run(
    "INSERT INTO environments (tenant_id, id, display_name, type, security_group_id, is_default, created_by, created_at, updated_at, version) VALUES (?, 'default', ?, 'default', NULL, 1, 'system', ?, ?, 1)",
    tenant.id,
    `${tenant.displayName} (default)`,
    SEEDED_AT,
    SEEDED_AT,
  )
  const blocked = tx.all<{id: string}>('SELECT id FROM connectors WHERE tenant_id = ? AND blocked = 1 ORDER BY id', tenant.id).map((c) => c.id)
  tx.run('UPDATE connectors SET blocked = 0 WHERE tenant_id = ? AND blocked = 1', tenant.id)
  tx.run(
    "INSERT INTO dlp_policies (tenant_id, id, display_name, managed, doc, created_by, created_at, updated_by, updated_at, version) VALUES (?, ?, ?, 1, ?, 'system', ?, 'system', ?, 1)",
    tenant.id,
    MANAGED_POLICY_ID,
    'Blocked connectors (tenant-wide)',
    JSON.stringify({
      description: 'Managed by connector block and unblock: the connectors blocked for every environment of the tenant.',
      environmentScope: 'all',
      environments: [],
      defaultGroup: 'business',
      groups: {business: [], nonBusiness: [], blocked},
      connectorRules: [],
      customConnectorUrlPatterns: [],
    }),
    SEEDED_AT,
    SEEDED_AT,
  )
  let flows = 0
  for (const f of SEED_FLOWS) {
    const owner = byLocal(f.owner)
    if (!owner) continue
    const suspended = f.connectors.find((c) => blocked.includes(c.id))
    tx.run(
      'INSERT INTO flows (tenant_id, id, display_name, environment_id, owner_id, connectors, state, suspension, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)',
      tenant.id,
      f.id,
      f.displayName,
      'default',
      owner.id,
      JSON.stringify(f.connectors),
      suspended ? 'suspended' : 'on',
      suspended
        ? JSON.stringify({
            reason: 'DLP_VIOLATION',
            policyId: MANAGED_POLICY_ID,
            policyName: 'Blocked connectors (tenant-wide)',
            since: SEEDED_AT,
            message: `${suspended.id} is blocked for the tenant.`,
          })
        : null,
      'seed',
      SEEDED_AT,
      SEEDED_AT,
    )
    flows++
  }
  return {groups: SEED_GROUPS.length, flows}
}

function memberOid(tenantIndex: number, memberIndex: number): string {
  return `${tenantIndex === 0 ? 'c0' : 'fa'}000000-0000-4000-8000-0000000001${String(memberIndex + 1).padStart(2, '0')}`
}

/** Seeds a tenant on its active cluster once; the writes replicate to the secondary like any other. */
export function seedTenant(store: TenantStore, tenant: SeedTenant, directory: Directory, tenantIndex = tenant.name === 'contoso' ? 0 : 1): boolean {
  const seeded = store.prepare('SELECT version FROM seeded WHERE tenant_id = ?').get(tenant.id) as {version: number} | undefined
  if (seeded && seeded.version >= SEED_VERSION) return false
  if (seeded) {
    // A data directory of an older version: its data stays, and gains what version 2 seeds.
    store.write(tenant.id, (tx) => {
      const users = tx.all<{id: string; upn: string}>('SELECT id, upn FROM users WHERE tenant_id = ?', tenant.id)
      const added = seedGovernance(tx, tenant, users)
      tx.run('UPDATE seeded SET version = ? WHERE tenant_id = ?', SEED_VERSION, tenant.id)
      tx.audit({
        tenantId: tenant.id,
        action: 'tenant.migrated',
        result: 'succeeded',
        actor: {type: 'system', id: 'seed'},
        target: {type: 'tenant', id: tenant.id, displayName: tenant.displayName},
        details: {fromVersion: seeded.version, toVersion: SEED_VERSION, environments: 1, ...added},
      })
    })
    return true
  }
  const users = [
    ...directory
      .users()
      .filter((u) => u.tenantId === tenant.id)
      .map((u) => ({id: u.oid, upn: u.upn, displayName: u.displayName, roles: u.roles, signIn: 1})),
    ...SEED_MEMBERS.map(([local, name], i) => ({
      id: memberOid(tenantIndex, i),
      upn: `${local}@${tenant.domain}`,
      displayName: name,
      roles: ['AppUser'],
      signIn: 0,
    })),
  ]
  store.write(tenant.id, (tx) => {
    for (const u of users) {
      tx.run(
        'INSERT INTO users (tenant_id, id, upn, display_name, roles, sign_in) VALUES (?, ?, ?, ?, ?, ?)',
        tenant.id,
        u.id,
        u.upn,
        u.displayName,
        JSON.stringify(u.roles),
        u.signIn,
      )
    }
    for (const c of SEED_CONNECTORS) {
      tx.run(
        'INSERT INTO connectors (tenant_id, id, display_name, publisher, tier, blocked, unblockable, description, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 0, ?, ?, NULL, ?, ?, 1)',
        tenant.id,
        c.id,
        c.displayName,
        c.publisher,
        c.tier,
        c.unblockable ? 1 : 0,
        c.description,
        SEEDED_AT,
        SEEDED_AT,
      )
    }
    for (const s of SEED_SKUS) {
      tx.run(
        'INSERT INTO skus (tenant_id, id, display_name, enabled, grants_premium, capabilities) VALUES (?, ?, ?, ?, ?, ?)',
        tenant.id,
        s.id,
        s.displayName,
        s.enabled,
        s.grantsPremium ? 1 : 0,
        JSON.stringify(s.capabilities),
      )
    }
    for (const [local, sku] of SEED_ASSIGNMENTS) {
      const user = users.find((u) => u.upn === `${local}@${tenant.domain}`)
      if (user)
        tx.run(
          'INSERT INTO assignments (tenant_id, sku_id, user_id, assigned_at, assigned_by) VALUES (?, ?, ?, ?, ?)',
          tenant.id,
          sku,
          user.id,
          SEEDED_AT,
          'seed',
        )
    }
    const governance = seedGovernance(tx, tenant, users)
    tx.run('INSERT INTO seeded (tenant_id, version, at) VALUES (?, ?, ?)', tenant.id, SEED_VERSION, SEEDED_AT)
    tx.audit({
      tenantId: tenant.id,
      action: 'tenant.seeded',
      result: 'succeeded',
      actor: {type: 'system', id: 'seed'},
      target: {type: 'tenant', id: tenant.id, displayName: tenant.displayName},
      details: {users: users.length, connectors: SEED_CONNECTORS.length, skus: SEED_SKUS.length, environments: 1, ...governance},
    })
  })
  return true
}

export interface SeedMore {
  /** Directory members member00001@<domain> … up to this many (those already there are kept). */
  users?: number
  /** Seats to set per SKU id: its `enabled` count. */
  seats?: Record<string, number>
}

export interface SeedMoreResult {
  tenant: string
  usersAdded: number
  users: number
  seats: Record<string, number>
}

/** Tells a bad request to the control route (404 for a SKU the tenant lacks). */
export class SeedRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * `ppctl sandbox seed`: more directory members (they hold licenses but cannot sign in, like the seeded ones) and
 * more seats, for load tests and benchmarks. In one write, so it replicates like any other; the admin API itself
 * still creates no users.
 */
export function seedMore(store: TenantStore, tenant: SeedTenant, request: SeedMore, tenantIndex = tenant.name === 'contoso' ? 0 : 1): SeedMoreResult {
  const users = request.users ?? 0
  const seats = request.seats ?? {}
  return store.write(tenant.id, (tx) => {
    for (const id of Object.keys(seats)) {
      if (!tx.get('SELECT 1 FROM skus WHERE tenant_id = ? AND id = ?', tenant.id, id))
        throw new SeedRefused('SKU_NOT_FOUND', `No license SKU "${id}" in ${tenant.name}; see: ppctl license list`)
    }
    let usersAdded = 0
    for (let i = 1; i <= users; i++) {
      const n = String(i).padStart(5, '0')
      usersAdded += tx.run(
        'INSERT OR IGNORE INTO users (tenant_id, id, upn, display_name, roles, sign_in) VALUES (?, ?, ?, ?, ?, 0)',
        tenant.id,
        `${tenantIndex === 0 ? 'c0' : 'fa'}000000-0000-4000-8001-${String(i).padStart(12, '0')}`,
        `member${n}@${tenant.domain}`,
        `Member ${n}`,
        JSON.stringify(['AppUser']),
      ).changes
    }
    for (const [id, enabled] of Object.entries(seats)) tx.run('UPDATE skus SET enabled = ? WHERE tenant_id = ? AND id = ?', enabled, tenant.id, id)
    tx.audit({
      tenantId: tenant.id,
      action: 'tenant.seeded',
      result: 'succeeded',
      actor: {type: 'system', id: 'sandbox-control'},
      target: {type: 'tenant', id: tenant.id, displayName: tenant.displayName},
      details: {usersAdded, seats},
    })
    const total = tx.get<{n: number}>('SELECT COUNT(*) AS n FROM users WHERE tenant_id = ?', tenant.id)?.n ?? 0
    const skus = tx.all<{id: string; enabled: number}>('SELECT id, enabled FROM skus WHERE tenant_id = ? ORDER BY id', tenant.id)
    return {tenant: tenant.name, usersAdded, users: total, seats: Object.fromEntries(skus.map((s) => [s.id, s.enabled]))}
  })
}
