// A cluster's tenant data (users, connectors, licenses, environments, flows, DLP policies, idempotency records): reads, and writes committed with their audit events.
import type Database from 'better-sqlite3'

import type {AuditEvent, AuditInput} from '../audit-sink.js'
import type {AuditLog} from './audit-log.js'
import type {ClusterDb} from './cluster-db.js'
import {FIREWALL_SCHEMA} from '../firewall/store.js'
import {SIGNIN_SCHEMA} from '../signin/policy.js'
import {ISOLATION_SCHEMA} from '../isolation/policy.js'

export const TENANT_SCHEMA = `
CREATE TABLE IF NOT EXISTS users (tenant_id TEXT NOT NULL, id TEXT NOT NULL, upn TEXT NOT NULL, display_name TEXT NOT NULL,
  roles TEXT NOT NULL, sign_in INTEGER NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE UNIQUE INDEX IF NOT EXISTS users_upn ON users (tenant_id, upn);
CREATE INDEX IF NOT EXISTS users_upn_nocase ON users (tenant_id, upn COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS connectors (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, publisher TEXT NOT NULL,
  tier TEXT NOT NULL, blocked INTEGER NOT NULL, unblockable INTEGER NOT NULL, description TEXT NOT NULL, created_by TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE IF NOT EXISTS skus (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, enabled INTEGER NOT NULL,
  grants_premium INTEGER NOT NULL, capabilities TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE IF NOT EXISTS assignments (tenant_id TEXT NOT NULL, sku_id TEXT NOT NULL, user_id TEXT NOT NULL, assigned_at TEXT NOT NULL,
  assigned_by TEXT NOT NULL, PRIMARY KEY (tenant_id, sku_id, user_id));
CREATE INDEX IF NOT EXISTS assignments_user ON assignments (tenant_id, user_id, sku_id);
CREATE TABLE IF NOT EXISTS idempotency (tenant_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
  body TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, key));
CREATE TABLE IF NOT EXISTS seeded (tenant_id TEXT PRIMARY KEY, version INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS security_groups (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, description TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id));
CREATE TABLE IF NOT EXISTS group_members (tenant_id TEXT NOT NULL, group_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (tenant_id, group_id, user_id));
CREATE INDEX IF NOT EXISTS group_members_user ON group_members (tenant_id, user_id, group_id);
CREATE TABLE IF NOT EXISTS environments (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, type TEXT NOT NULL,
  security_group_id TEXT, is_default INTEGER NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  version INTEGER NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE UNIQUE INDEX IF NOT EXISTS environments_name ON environments (tenant_id, display_name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS flows (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, environment_id TEXT NOT NULL,
  owner_id TEXT NOT NULL, connectors TEXT NOT NULL, state TEXT NOT NULL, suspension TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE IF NOT EXISTS dlp_policies (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, managed INTEGER NOT NULL,
  doc TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
  version INTEGER NOT NULL, PRIMARY KEY (tenant_id, id));
${FIREWALL_SCHEMA}${SIGNIN_SCHEMA}${ISOLATION_SCHEMA}`

/**
 * Columns added to tables that existed before environments: added in place to a database made by an older
 * version (on every cluster at open, so replicated statements find them on the secondary too).
 */
const ADDED_COLUMNS: ReadonlyArray<readonly [table: string, column: string, type: string]> = [
  ['connectors', 'environment_id', 'TEXT'],
  ['connectors', 'host_url', 'TEXT'],
]

/** `schema`: where the tenant tables are (`main`, or the in-memory one when encryption at rest is on). */
export function migrateTenantSchema(db: Database.Database, schema = 'main'): void {
  for (const [table, column, type] of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA ${schema}.table_info(${table})`).all() as Array<{name: string}>
    if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${schema}.${table} ADD COLUMN ${column} ${type}`)
  }
}

/** The tenant data's share of a tenant's replicated state. */
export const TENANT_DATA_TABLES = [
  'users',
  'connectors',
  'skus',
  'assignments',
  'idempotency',
  'seeded',
  'security_groups',
  'group_members',
  'environments',
  'flows',
  'dlp_policies',
  'firewall_policies',
  'signin_policies',
  'isolation_policies',
] as const

export interface Tx {
  readonly tenantId: string
  /** Runs a write and records it for replication. */
  run(sql: string, ...params: unknown[]): Database.RunResult
  get<T>(sql: string, ...params: unknown[]): T | undefined
  all<T>(sql: string, ...params: unknown[]): T[]
  /** Appends an audit event with the tenant's next seq, in this transaction. */
  audit(input: AuditInput): AuditEvent
}

export class TenantStore {
  constructor(
    private readonly cluster: ClusterDb,
    private readonly auditLog: AuditLog,
  ) {}

  /**
   * Runs `fn` in one transaction; its writes and audit events are committed together with their replication entry.
   * Refused (the cluster's guard: 421) when this cluster is no longer the tenant's active one.
   */
  write<T>(tenantId: string, fn: (tx: Tx) => T): T {
    return this.cluster.write(tenantId, (w) =>
      fn({
        tenantId,
        run: (sql, ...params) => w.run(sql, ...params),
        get: (sql, ...params) => w.get(sql, ...params),
        all: (sql, ...params) => w.all(sql, ...params),
        audit: (input) => this.auditLog.append(w, input),
      }),
    )
  }

  /** A statement to read the tenant data with, outside any write. */
  prepare(sql: string): Database.Statement {
    return this.cluster.db.prepare(sql)
  }
}
