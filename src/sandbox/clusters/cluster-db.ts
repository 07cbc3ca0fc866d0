// One cluster's SQLite database: the file, and the write transaction its tenant store, audit log and replication log share.
import {mkdirSync} from 'node:fs'
import {dirname} from 'node:path'

import Database from 'better-sqlite3'

import type {KeyVault} from '../keys/key-vault.js'
import {AUDIT_SCHEMA, AUDIT_TABLES, AuditLog} from './audit-log.js'
import type {AuditRetention} from './audit-store.js'
import {EncryptedTenants, inMemorySchema, MEMORY_SCHEMA} from './encrypted-tenants.js'
import {REPLICATION_SCHEMA, ReplicationLog, type Op} from './replication-log.js'
import {migrateTenantSchema, TENANT_DATA_TABLES, TENANT_SCHEMA, TenantStore} from './tenant-store.js'

/** Tables holding a tenant's replicated state, copied whole when a secondary is rebuilt after a forced failover. */
const TENANT_TABLES = [...TENANT_DATA_TABLES, ...AUDIT_TABLES] as const

/** A part of the database that joins every transaction: called inside it just before the commit, and after the commit. */
export interface TxParticipant {
  beforeCommit(w: WriteTx): void
  afterCommit(w: WriteTx): void
  /** A statement shipped from another cluster was replayed in this transaction. */
  replayed?(w: WriteTx, op: Op): void
}

/** One open write transaction: the statements it ran, grouped into the replication entries they will be shipped as. */
export class WriteTx {
  /** The last entry is the open one. */
  readonly entries: Op[][] = [[]]

  constructor(
    private readonly cluster: ClusterDb,
    readonly tenantId: string,
    private readonly onReplay: (w: WriteTx, op: Op) => void,
  ) {}

  /** Runs a write and records it for replication. */
  run(sql: string, ...params: unknown[]): Database.RunResult {
    this.replicate([sql, params])
    return this.cluster.statement(sql).run(...params)
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.cluster.db.prepare(sql).get(...params) as T | undefined
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.cluster.db.prepare(sql).all(...params) as T[]
  }

  /** Records a statement for replication without running it here (its effect is already in place). */
  replicate(op: Op): void {
    this.entries[this.entries.length - 1].push(op)
  }

  /** Closes the open replication entry: what follows goes into the next one. */
  cut(): void {
    if (this.entries[this.entries.length - 1].length > 0) this.entries.push([])
  }

  /** Runs a statement shipped from another cluster; not recorded again. */
  replay(op: Op): void {
    this.cluster.statement(op[0]).run(...op[1])
    this.onReplay(this, op)
  }
}

export class ClusterDb {
  readonly db: Database.Database
  /** Users, connectors, licenses: the tenant's data. */
  readonly tenants: TenantStore
  readonly audit: AuditLog
  readonly replication: ReplicationLog
  /** With encryption at rest (a key vault given): the tenant tables in memory, sealed per tenant on disk. */
  readonly encrypted?: EncryptedTenants
  /**
   * Called inside every write transaction, after the write lock is taken: throws when this cluster is not the
   * tenant's active one (any more), so a write that raced a failover is refused instead of committed here and lost.
   */
  guard: (tenantId: string) => void = () => {}
  private readonly participants: readonly TxParticipant[]
  private readonly statements = new Map<string, Database.Statement>()

  constructor(
    readonly clusterId: string,
    file: string,
    retention: AuditRetention = {},
    /** false for the operator's global log: nothing to replicate to. */
    replicated = true,
    /** The platform's key vault: tenant data is then encrypted at rest with each tenant's data key. */
    vault?: KeyVault,
  ) {
    mkdirSync(dirname(file), {recursive: true})
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.pragma('busy_timeout = 5000')
    if (vault) {
      // Deleted rows are zeroed, not left in free pages; the tenant tables are never in the file at all.
      this.db.pragma('secure_delete = ON')
      this.db.exec(`ATTACH DATABASE ':memory:' AS ${MEMORY_SCHEMA}`)
      this.db.exec(inMemorySchema(TENANT_SCHEMA + AUDIT_SCHEMA) + REPLICATION_SCHEMA)
    } else {
      this.db.exec(TENANT_SCHEMA + AUDIT_SCHEMA + REPLICATION_SCHEMA)
    }
    if (vault) {
      migrateTenantSchema(this.db, MEMORY_SCHEMA)
      // A plaintext store of an older run: brought to the current columns before it is moved into the sealed form.
      if (this.db.prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'connectors'").get()) migrateTenantSchema(this.db)
    } else {
      migrateTenantSchema(this.db)
    }
    this.replication = new ReplicationLog(this, {replicated, tenantTables: TENANT_TABLES})
    this.audit = new AuditLog(this, retention)
    this.tenants = new TenantStore(this, this.audit)
    // The replication entry is logged before the audit retention runs, as one transaction; the tenant's sealed
    // journal gets the transaction's statements last.
    if (vault) {
      this.encrypted = new EncryptedTenants(this, vault, TENANT_TABLES)
      vault.listen(this.encrypted)
      this.encrypted.migratePlaintext()
      this.encrypted.loadAll()
      this.participants = [this.replication, this.audit, this.encrypted]
    } else {
      this.participants = [this.replication, this.audit]
    }
  }

  close(): void {
    this.encrypted?.close()
    this.db.close()
  }

  /** A prepared statement, kept for the next use of the same SQL (bulk appends run one per event). */
  statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql)
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)))
    return stmt
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction, checked by the guard first; what it runs, its audit events and its
   * replication entries commit together or not at all. Listeners and the shipper hear of it after the commit.
   */
  write<T>(tenantId: string, fn: (w: WriteTx) => T): T {
    const w = this.open(tenantId)
    const result = this.db
      .transaction(() => {
        this.guard(tenantId)
        const value = fn(w)
        for (const p of this.participants) p.beforeCommit(w)
        return value
      })
      .immediate()
    for (const p of this.participants) p.afterCommit(w)
    return result
  }

  /** Like write, for entries shipped from the tenant's active cluster: no guard (this is the passive copy), nothing logged again. */
  replay<T>(tenantId: string, fn: (w: WriteTx) => T): T {
    const w = this.open(tenantId)
    const result = this.db.transaction(() => {
      const value = fn(w)
      for (const p of this.participants) p.beforeCommit(w)
      return value
    })()
    for (const p of this.participants) p.afterCommit(w)
    return result
  }

  private open(tenantId: string): WriteTx {
    return new WriteTx(this, tenantId, (w, op) => {
      for (const p of this.participants) p.replayed?.(w, op)
    })
  }
}
