// A cluster's replication log: each committed write as one entry to ship, how far each source was applied here, and why shipping stopped.
import type Database from 'better-sqlite3'

import type {ClusterDb, TxParticipant, WriteTx} from './cluster-db.js'

/** A replicated statement: SQL and its parameters, replayed as-is on the secondary. */
export type Op = [sql: string, params: unknown[]]

export interface ReplEntry {
  lsn: number
  tenantId: string
  time: number
  ops: Op[]
}

export const REPLICATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS repl_log (lsn INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, time INTEGER NOT NULL, ops TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS repl_log_tenant ON repl_log (tenant_id, lsn);
CREATE TABLE IF NOT EXISTS repl_applied (tenant_id TEXT NOT NULL, source TEXT NOT NULL, lsn INTEGER NOT NULL, PRIMARY KEY (tenant_id, source));
CREATE TABLE IF NOT EXISTS repl_broken (tenant_id TEXT PRIMARY KEY, target TEXT NOT NULL, lsn INTEGER NOT NULL, error TEXT NOT NULL, since TEXT NOT NULL);
`

const APPLIED_UPSERT = 'INSERT INTO repl_applied (tenant_id, source, lsn) VALUES (?, ?, ?) ON CONFLICT (tenant_id, source) DO UPDATE SET lsn = excluded.lsn'

/** Why a tenant's replication stopped: kept in the shipping (active) cluster's database, so a restart still knows. */
export interface ReplBroken {
  target: string
  /** The entry that could not be applied. */
  lsn: number
  error: string
  since: string
}

/** An entry the secondary could not apply: which one, and SQLite's reason. */
export class ReplicationApplyError extends Error {
  constructor(
    readonly lsn: number,
    readonly reason: string,
    /** SQLite's error code, e.g. SQLITE_CONSTRAINT_PRIMARYKEY. */
    readonly sqliteCode?: string,
  ) {
    super(`replication entry ${lsn} cannot be applied: ${reason}`)
  }
}

/** A lock held elsewhere (another process on the file): worth retrying on the next tick, not a broken replication. */
export function isTransientSqliteError(err: unknown): boolean {
  const code = err instanceof ReplicationApplyError ? err.sqliteCode : (err as {code?: unknown})?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
}

export interface ReplicationLogOptions {
  /** false for the operator's global log: nothing to replicate to, so nothing is logged. */
  replicated: boolean
  /** Tables holding a tenant's replicated state, copied whole when a secondary is rebuilt. */
  tenantTables: readonly string[]
}

/** Takes part in every write of the database: the write's statements become its replication entries in the same transaction. */
export class ReplicationLog implements TxParticipant {
  /** Called after each commit that appended to the replication log. */
  onCommit: (tenantId: string) => void = () => {}
  private readonly logged = new WeakSet<WriteTx>()

  constructor(
    readonly cluster: ClusterDb,
    private readonly options: ReplicationLogOptions,
  ) {}

  private get db(): Database.Database {
    return this.cluster.db
  }

  beforeCommit(w: WriteTx): void {
    if (!this.options.replicated) return
    const log = this.cluster.statement('INSERT INTO repl_log (tenant_id, time, ops) VALUES (?, ?, ?)')
    for (const ops of w.entries) {
      if (ops.length === 0) continue
      const json = JSON.stringify(ops)
      log.run(w.tenantId, Date.now(), this.cluster.encrypted ? this.cluster.encrypted.sealOps(w.tenantId, json) : json)
      this.logged.add(w)
    }
  }

  afterCommit(w: WriteTx): void {
    if (this.logged.has(w)) this.onCommit(w.tenantId)
  }

  /** Applies entries shipped from `source` in one transaction and remembers how far it got. */
  apply(source: string, tenantId: string, entries: readonly ReplEntry[]): void {
    if (entries.length === 0) return
    this.cluster.replay(tenantId, (w) => {
      for (const entry of entries) {
        try {
          for (const op of entry.ops) w.replay(op)
        } catch (err) {
          throw new ReplicationApplyError(entry.lsn, (err as Error).message, (err as {code?: string}).code)
        }
      }
      this.db.prepare(APPLIED_UPSERT).run(tenantId, source, entries[entries.length - 1].lsn)
    })
  }

  appliedLsn(tenantId: string, source: string): number {
    const row = this.db.prepare('SELECT lsn FROM repl_applied WHERE tenant_id = ? AND source = ?').get(tenantId, source) as {lsn: number} | undefined
    return row?.lsn ?? 0
  }

  setAppliedLsn(tenantId: string, source: string, lsn: number): void {
    this.db.prepare(APPLIED_UPSERT).run(tenantId, source, lsn)
  }

  /** Why shipping the tenant from here stopped, if it did. */
  broken(tenantId: string): ReplBroken | undefined {
    return this.db.prepare('SELECT target, lsn, error, since FROM repl_broken WHERE tenant_id = ?').get(tenantId) as ReplBroken | undefined
  }

  setBroken(tenantId: string, broken: ReplBroken | undefined): void {
    if (!broken) {
      this.db.prepare('DELETE FROM repl_broken WHERE tenant_id = ?').run(tenantId)
      return
    }
    this.db
      .prepare(
        'INSERT INTO repl_broken (tenant_id, target, lsn, error, since) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET target = excluded.target, lsn = excluded.lsn, error = excluded.error, since = excluded.since',
      )
      .run(tenantId, broken.target, broken.lsn, broken.error, broken.since)
  }

  /** Replication entries of the tenant after `lsn`, oldest first. */
  pendingEntries(tenantId: string, afterLsn: number, limit: number): ReplEntry[] {
    const rows = this.db
      .prepare('SELECT lsn, tenant_id AS tenantId, time, ops FROM repl_log WHERE tenant_id = ? AND lsn > ? ORDER BY lsn LIMIT ?')
      .all(tenantId, afterLsn, limit) as Array<{lsn: number; tenantId: string; time: number; ops: string | Buffer}>
    // Sealed with the tenant's data key when encryption is on: opened only to be applied.
    const text = (ops: string | Buffer) => (typeof ops === 'string' ? ops : this.cluster.encrypted!.openOps(tenantId, ops))
    return rows.map((r) => ({...r, ops: JSON.parse(text(r.ops)) as Op[]}))
  }

  pendingStats(tenantId: string, afterLsn: number): {entries: number; oldestTime?: number} {
    const row = this.db.prepare('SELECT COUNT(*) AS n, MIN(time) AS t FROM repl_log WHERE tenant_id = ? AND lsn > ?').get(tenantId, afterLsn) as {
      n: number
      t: number | null
    }
    return {entries: row.n, oldestTime: row.t ?? undefined}
  }

  /** Drops shipped (or lost) entries of the tenant up to `lsn`. */
  trim(tenantId: string, uptoLsn: number): number {
    return this.db.prepare('DELETE FROM repl_log WHERE tenant_id = ? AND lsn <= ?').run(tenantId, uptoLsn).changes
  }

  maxLsn(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'repl_log'").get() as {seq: number} | undefined
    return row?.seq ?? 0
  }

  /** Replaces the tenant's state here with a copy of `from`'s (a secondary rebuilt after a forced failover or a resync). */
  copyTenantFrom(from: ReplicationLog, tenantId: string): void {
    const sealed = this.cluster.encrypted
    if (sealed && sealed.vault.isLocked(tenantId) && from.cluster.encrypted) {
      // Nothing of a locked tenant is in memory: its sealed state is copied instead, still locked.
      sealed.copySealedFrom(from.cluster.encrypted, tenantId)
      this.db.prepare('DELETE FROM repl_log WHERE tenant_id = ?').run(tenantId)
      return
    }
    this.db.transaction(() => {
      for (const table of this.options.tenantTables) {
        this.db.prepare(`DELETE FROM ${table} WHERE tenant_id = ?`).run(tenantId)
        const rows = from.db.prepare(`SELECT * FROM ${table} WHERE tenant_id = ?`).all(tenantId) as Array<Record<string, unknown>>
        if (rows.length === 0) continue
        const columns = Object.keys(rows[0])
        const insert = this.db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
        for (const row of rows) insert.run(...columns.map((c) => row[c]))
      }
      this.db.prepare('DELETE FROM repl_log WHERE tenant_id = ?').run(tenantId)
    })()
    if (sealed) sealed.snapshot(tenantId, sealed.vault.dataKeys(tenantId))
  }
}
