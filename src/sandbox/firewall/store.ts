// The firewall policies kept in the tenant's data (table firewall_policies): one row for the tenant's default, one per environment that has its own.
import {DEFAULT_SETTINGS, type FirewallPolicy, type FirewallSettings} from './policy.js'

export const FIREWALL_SCHEMA = `
CREATE TABLE IF NOT EXISTS firewall_policies (tenant_id TEXT NOT NULL, scope TEXT NOT NULL, doc TEXT NOT NULL, updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (tenant_id, scope));
`

/** The scope key of the tenant's default; an environment's is its id. */
export const TENANT_SCOPE = '*'

export interface FirewallRow {
  scope: string
  doc: string
  updated_by: string
  updated_at: string
  version: number
}

export interface FirewallReader {
  get<T>(sql: string, ...params: unknown[]): T | undefined
  all<T>(sql: string, ...params: unknown[]): T[]
}

export const firewallRow = (r: FirewallReader, tenantId: string, scope: string) =>
  r.get<FirewallRow>('SELECT scope, doc, updated_by, updated_at, version FROM firewall_policies WHERE tenant_id = ? AND scope = ?', tenantId, scope)

export const settingsOf = (row: FirewallRow | undefined): FirewallSettings =>
  row ? {...DEFAULT_SETTINGS, ...(JSON.parse(row.doc) as FirewallSettings)} : {...DEFAULT_SETTINGS}

export function policyJson(row: FirewallRow | undefined, scope: string, inherited?: FirewallSettings): FirewallPolicy {
  const settings = row ? settingsOf(row) : (inherited ?? settingsOf(undefined))
  return {
    scope: scope === TENANT_SCOPE ? 'tenant' : 'environment',
    environmentId: scope === TENANT_SCOPE ? null : scope,
    configured: row !== undefined,
    ...settings,
    updatedBy: row?.updated_by ?? null,
    updatedAt: row?.updated_at ?? null,
    etag: `"${row?.version ?? 0}"`,
  }
}

/** The settings in force for an environment (its own, else the tenant's default), and where they come from. */
export function effectiveSettings(r: FirewallReader, tenantId: string, environmentId: string | undefined): {settings: FirewallSettings; scope: string} {
  const own = environmentId ? firewallRow(r, tenantId, environmentId) : undefined
  if (own) return {settings: settingsOf(own), scope: own.scope}
  return {settings: settingsOf(firewallRow(r, tenantId, TENANT_SCOPE)), scope: TENANT_SCOPE}
}
