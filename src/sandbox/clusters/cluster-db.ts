// One cluster's SQLite database: tenant data, the audit log, and the replication log written in the same transaction.
import {randomUUID} from 'node:crypto'
import {mkdirSync} from 'node:fs'
import {dirname} from 'node:path'

import Database from 'better-sqlite3'

import type {AuditEvent, AuditInput} from '../audit-sink.js'
import type {AuditQuery, AuditRetention, AuditStore, SyntheticAuditEvent} from './audit-store.js'

/** A replicated statement: SQL and its parameters, replayed as-is on the secondary. */
export type Op = [sql: string, params: unknown[]]

export interface ReplEntry {
  lsn: number
  tenantId: string
  time: number
  ops: Op[]
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (tenant_id TEXT NOT NULL, id TEXT NOT NULL, upn TEXT NOT NULL, display_name TEXT NOT NULL,
  roles TEXT NOT NULL, sign_in INTEGER NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE UNIQUE INDEX IF NOT EXISTS users_upn ON users (tenant_id, upn);
CREATE TABLE IF NOT EXISTS connectors (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, publisher TEXT NOT NULL,
  tier TEXT NOT NULL, blocked INTEGER NOT NULL, unblockable INTEGER NOT NULL, description TEXT NOT NULL, created_by TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE IF NOT EXISTS skus (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, enabled INTEGER NOT NULL,
  grants_premium INTEGER NOT NULL, capabilities TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE IF NOT EXISTS assignments (tenant_id TEXT NOT NULL, sku_id TEXT NOT NULL, user_id TEXT NOT NULL, assigned_at TEXT NOT NULL,
  assigned_by TEXT NOT NULL, PRIMARY KEY (tenant_id, sku_id, user_id));
CREATE TABLE IF NOT EXISTS idempotency (tenant_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
  body TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, key));
CREATE TABLE IF NOT EXISTS seeded (tenant_id TEXT PRIMARY KEY, version INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, time TEXT NOT NULL, action TEXT NOT NULL,
  result TEXT NOT NULL, actor_id TEXT, actor_upn TEXT, actor_app TEXT, json TEXT NOT NULL, PRIMARY KEY (tenant_id, seq));
CREATE INDEX IF NOT EXISTS audit_time ON audit (tenant_id, time);
CREATE TABLE IF NOT EXISTS audit_seq (tenant_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS repl_log (lsn INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, time INTEGER NOT NULL, ops TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS repl_log_tenant ON repl_log (tenant_id, lsn);
CREATE TABLE IF NOT EXISTS repl_applied (tenant_id TEXT NOT NULL, source TEXT NOT NULL, lsn INTEGER NOT NULL, PRIMARY KEY (tenant_id, source));
CREATE TABLE IF NOT EXISTS repl_broken (tenant_id TEXT PRIMARY KEY, target TEXT NOT NULL, lsn INTEGER NOT NULL, error TEXT NOT NULL, since TEXT NOT NULL);
`

/** Tables holding a tenant's replicated state, copied whole when a secondary is rebuilt after a forced failover. */
export const TENANT_TABLES = ['users', 'connectors', 'skus', 'assignments', 'idempotency', 'seeded', 'audit', 'audit_seq'] as const

const AUDIT_INSERT =
  'INSERT INTO audit (tenant_id, seq, id, time, action, result, actor_id, actor_upn, actor_app, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
const AUDIT_SEQ_UPSERT = 'INSERT INTO audit_seq (tenant_id, last_seq) VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq'
/** Audit rows per replication entry in a bulk append, so one entry stays small. */
const BULK_CHUNK = 1000

export interface Tx {
  readonly tenantId: string
  /** Runs a write and records it for replication. */
  run(sql: string, ...params: unknown[]): Database.RunResult
  get<T>(sql: string, ...params: unknown[]): T | undefined
  all<T>(sql: string, ...params: unknown[]): T[]
  /** Appends an audit event with the tenant's next seq, in this transaction. */
  audit(input: AuditInput): AuditEvent
}

type Listener = (e: AuditEvent) => void

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

export class ClusterDb implements AuditStore {
  readonly db: Database.Database
  private readonly listeners = new Map<string, Set<Listener>>()
  private readonly prunedAt = new Map<string, number>()
  /** Called after each commit that appended to the replication log. */
  onCommit: (tenantId: string) => void = () => {}
  /**
   * Called inside every write transaction, after the write lock is taken: throws when this cluster is not the
   * tenant's active one (any more), so a write that raced a failover is refused instead of committed here and lost.
   */
  guard: (tenantId: string) => void = () => {}

  constructor(
    readonly clusterId: string,
    file: string,
    private readonly retention: AuditRetention = {},
    /** false for the operator's global log: nothing to replicate to. */
    private readonly replicated = true,
  ) {
    mkdirSync(dirname(file), {recursive: true})
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.pragma('busy_timeout = 5000')
    this.db.exec(SCHEMA)
  }

  close(): void {
    this.db.close()
  }

  /** Runs `fn` in one transaction; its writes and audit events are committed together with one replication entry. */
  write<T>(tenantId: string, fn: (tx: Tx) => T): T {
    const events: AuditEvent[] = []
    const ops: Op[] = []
    const tx: Tx = {
      tenantId,
      run: (sql, ...params) => {
        ops.push([sql, params])
        return this.db.prepare(sql).run(...params)
      },
      get: <R>(sql: string, ...params: unknown[]) => this.db.prepare(sql).get(...params) as R | undefined,
      all: <R>(sql: string, ...params: unknown[]) => this.db.prepare(sql).all(...params) as R[],
      audit: (input) => {
        const event = this.buildEvent(tenantId, this.lastSeq(tenantId) + 1, input)
        for (const op of auditOps(event)) {
          ops.push(op)
          this.db.prepare(op[0]).run(...op[1])
        }
        events.push(event)
        return event
      },
    }
    const result = this.db.transaction(() => {
      this.guard(tenantId)
      const value = fn(tx)
      if (ops.length > 0 && this.replicated) {
        this.db.prepare('INSERT INTO repl_log (tenant_id, time, ops) VALUES (?, ?, ?)').run(tenantId, Date.now(), JSON.stringify(ops))
      }
      if (events.length > 0) this.prune(tenantId)
      return value
    }).immediate()
    if (ops.length > 0 && this.replicated) this.onCommit(tenantId)
    this.emit(events)
    return result
  }

  private buildEvent(tenantId: string, seq: number, input: Partial<AuditInput> & {time?: string; id?: string}): AuditEvent {
    return {
      id: input.id ?? randomUUID(),
      seq,
      time: input.time ?? new Date().toISOString(),
      tenantId,
      cluster: input.cluster ?? this.clusterId,
      action: input.action ?? 'unknown',
      result: input.result ?? 'succeeded',
      actor: input.actor ?? {type: 'system'},
      ...(input.target ? {target: input.target} : {}),
      ...(input.clientIp ? {clientIp: input.clientIp} : {}),
      ...(input.userAgent ? {userAgent: input.userAgent} : {}),
      ...(input.correlationId ? {correlationId: input.correlationId} : {}),
      ...(input.details ? {details: input.details} : {}),
    }
  }

  record(input: AuditInput): AuditEvent {
    return this.write(input.tenantId, (tx) => tx.audit(input))
  }

  appendMany(tenantId: string, inputs: readonly SyntheticAuditEvent[]): {firstSeq: number; lastSeq: number} {
    const events: AuditEvent[] = []
    const insert = this.db.prepare(AUDIT_INSERT)
    const log = this.db.prepare('INSERT INTO repl_log (tenant_id, time, ops) VALUES (?, ?, ?)')
    let firstSeq = 0
    // IMMEDIATE: the write lock is taken before the last seq is read, so another process appending to the same
    // file (a test seeding events beside a running platform) cannot be handed the same seqs.
    this.db.transaction(() => {
      this.guard(tenantId)
      firstSeq = this.lastSeq(tenantId) + 1
      let chunk: Op[] = []
      inputs.forEach((input, i) => {
        const event = this.buildEvent(tenantId, firstSeq + i, input)
        const [op] = auditOps(event)
        insert.run(...op[1])
        chunk.push(op)
        events.push(event)
        if (chunk.length >= BULK_CHUNK || i === inputs.length - 1) {
          chunk.push([AUDIT_SEQ_UPSERT, [tenantId, event.seq]])
          if (this.replicated) log.run(tenantId, Date.now(), JSON.stringify(chunk))
          chunk = []
        }
      })
      this.db.prepare(AUDIT_SEQ_UPSERT).run(tenantId, firstSeq + inputs.length - 1)
      this.prune(tenantId, true)
    }).immediate()
    if (inputs.length > 0 && this.replicated) this.onCommit(tenantId)
    this.emit(events)
    return {firstSeq, lastSeq: firstSeq + inputs.length - 1}
  }

  /** Applies entries shipped from `source` in one transaction and remembers how far it got. */
  applyReplicated(source: string, tenantId: string, entries: readonly ReplEntry[]): void {
    if (entries.length === 0) return
    const events: AuditEvent[] = []
    this.db.transaction(() => {
      for (const entry of entries) {
        try {
          for (const [sql, params] of entry.ops) {
            this.db.prepare(sql).run(...params)
            if (sql === AUDIT_INSERT) events.push(JSON.parse(params[9] as string) as AuditEvent)
          }
        } catch (err) {
          throw new ReplicationApplyError(entry.lsn, (err as Error).message, (err as {code?: string}).code)
        }
      }
      this.db
        .prepare('INSERT INTO repl_applied (tenant_id, source, lsn) VALUES (?, ?, ?) ON CONFLICT (tenant_id, source) DO UPDATE SET lsn = excluded.lsn')
        .run(tenantId, source, entries[entries.length - 1].lsn)
      if (events.length > 0) this.prune(tenantId)
    })()
    this.emit(events)
  }

  appliedLsn(tenantId: string, source: string): number {
    const row = this.db.prepare('SELECT lsn FROM repl_applied WHERE tenant_id = ? AND source = ?').get(tenantId, source) as {lsn: number} | undefined
    return row?.lsn ?? 0
  }

  setAppliedLsn(tenantId: string, source: string, lsn: number): void {
    this.db
      .prepare('INSERT INTO repl_applied (tenant_id, source, lsn) VALUES (?, ?, ?) ON CONFLICT (tenant_id, source) DO UPDATE SET lsn = excluded.lsn')
      .run(tenantId, source, lsn)
  }

  /** Why shipping the tenant from here stopped, if it did. */
  replBroken(tenantId: string): ReplBroken | undefined {
    return this.db.prepare('SELECT target, lsn, error, since FROM repl_broken WHERE tenant_id = ?').get(tenantId) as ReplBroken | undefined
  }

  setReplBroken(tenantId: string, broken: ReplBroken | undefined): void {
    if (!broken) {
      this.db.prepare('DELETE FROM repl_broken WHERE tenant_id = ?').run(tenantId)
      return
    }
    this.db
      .prepare('INSERT INTO repl_broken (tenant_id, target, lsn, error, since) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET target = excluded.target, lsn = excluded.lsn, error = excluded.error, since = excluded.since')
      .run(tenantId, broken.target, broken.lsn, broken.error, broken.since)
  }

  /** Replication entries of the tenant after `lsn`, oldest first. */
  pendingEntries(tenantId: string, afterLsn: number, limit: number): ReplEntry[] {
    const rows = this.db
      .prepare('SELECT lsn, tenant_id AS tenantId, time, ops FROM repl_log WHERE tenant_id = ? AND lsn > ? ORDER BY lsn LIMIT ?')
      .all(tenantId, afterLsn, limit) as Array<{lsn: number; tenantId: string; time: number; ops: string}>
    return rows.map((r) => ({...r, ops: JSON.parse(r.ops) as Op[]}))
  }

  pendingStats(tenantId: string, afterLsn: number): {entries: number; oldestTime?: number} {
    const row = this.db.prepare('SELECT COUNT(*) AS n, MIN(time) AS t FROM repl_log WHERE tenant_id = ? AND lsn > ?').get(tenantId, afterLsn) as {
      n: number
      t: number | null
    }
    return {entries: row.n, oldestTime: row.t ?? undefined}
  }

  /** Drops shipped (or lost) entries of the tenant up to `lsn`. */
  trimLog(tenantId: string, uptoLsn: number): number {
    return this.db.prepare('DELETE FROM repl_log WHERE tenant_id = ? AND lsn <= ?').run(tenantId, uptoLsn).changes
  }

  maxLsn(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'repl_log'").get() as {seq: number} | undefined
    return row?.seq ?? 0
  }

  /** Replaces the tenant's state here with a copy of `from`'s (a secondary rebuilt after a forced failover). */
  copyTenantFrom(from: ClusterDb, tenantId: string): void {
    this.db.transaction(() => {
      for (const table of TENANT_TABLES) {
        this.db.prepare(`DELETE FROM ${table} WHERE tenant_id = ?`).run(tenantId)
        const rows = from.db.prepare(`SELECT * FROM ${table} WHERE tenant_id = ?`).all(tenantId) as Array<Record<string, unknown>>
        if (rows.length === 0) continue
        const columns = Object.keys(rows[0])
        const insert = this.db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
        for (const row of rows) insert.run(...columns.map((c) => row[c]))
      }
      this.db.prepare('DELETE FROM repl_log WHERE tenant_id = ?').run(tenantId)
    })()
  }

  // AuditReader

  list(q: AuditQuery): AuditEvent[] {
    const where = ['tenant_id = ?', 'seq > ?']
    const params: unknown[] = [q.tenantId, q.after ?? 0]
    if (q.through !== undefined) {
      where.push('seq <= ?')
      params.push(q.through)
    }
    if (q.since) {
      where.push('time >= ?')
      params.push(normalizeTime(q.since))
    }
    if (q.until) {
      where.push('time < ?')
      params.push(normalizeTime(q.until))
    }
    if (q.action) {
      where.push('action GLOB ?')
      params.push(q.action)
    }
    if (q.actor) {
      where.push('(actor_id = ? OR actor_upn = ? COLLATE NOCASE OR actor_app = ?)')
      params.push(q.actor, q.actor, q.actor)
    }
    if (q.result) {
      where.push('result = ?')
      params.push(q.result)
    }
    params.push(Math.max(0, q.limit))
    const rows = this.db.prepare(`SELECT json FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params) as Array<{json: string}>
    return rows.map((r) => JSON.parse(r.json) as AuditEvent)
  }

  lastSeq(tenantId: string): number {
    const row = this.db.prepare('SELECT last_seq FROM audit_seq WHERE tenant_id = ?').get(tenantId) as {last_seq: number} | undefined
    return row?.last_seq ?? 0
  }

  oldestRetainedSeq(tenantId: string): number {
    const row = this.db.prepare('SELECT MIN(seq) AS s FROM audit WHERE tenant_id = ?').get(tenantId) as {s: number | null}
    return row.s ?? this.lastSeq(tenantId) + 1
  }

  onAppend(tenantId: string, listener: Listener): () => void {
    let set = this.listeners.get(tenantId)
    if (!set) this.listeners.set(tenantId, (set = new Set()))
    set.add(listener)
    return () => set.delete(listener)
  }

  /** Every stored event of the tenant (tests). */
  allEvents(tenantId: string): AuditEvent[] {
    return (this.db.prepare('SELECT json FROM audit WHERE tenant_id = ? ORDER BY seq').all(tenantId) as Array<{json: string}>).map(
      (r) => JSON.parse(r.json) as AuditEvent,
    )
  }

  private emit(events: readonly AuditEvent[]): void {
    for (const event of events) {
      const set = this.listeners.get(event.tenantId)
      if (!set) continue
      for (const listener of [...set]) {
        try {
          listener(event)
        } catch {
          // A listener's failure is its own; the write is committed.
        }
      }
    }
  }

  /** Local retention: not replicated, each store applies it to what it holds. */
  private prune(tenantId: string, force = false): void {
    if (this.retention.maxEvents !== undefined) {
      this.db.prepare('DELETE FROM audit WHERE tenant_id = ? AND seq <= ?').run(tenantId, this.lastSeq(tenantId) - this.retention.maxEvents)
    }
    if (this.retention.maxAgeDays !== undefined) {
      const now = Date.now()
      if (!force && now - (this.prunedAt.get(tenantId) ?? 0) < 1000) return
      this.prunedAt.set(tenantId, now)
      const cutoff = new Date(now - this.retention.maxAgeDays * 86_400_000).toISOString()
      this.db.prepare('DELETE FROM audit WHERE tenant_id = ? AND time < ?').run(tenantId, cutoff)
    }
  }
}

function auditOps(event: AuditEvent): Op[] {
  return [
    [
      AUDIT_INSERT,
      [
        event.tenantId,
        event.seq,
        event.id,
        event.time,
        event.action,
        event.result,
        event.actor.id ?? null,
        event.actor.upn ?? null,
        event.actor.appId ?? null,
        JSON.stringify(event),
      ],
    ],
    [AUDIT_SEQ_UPSERT, [event.tenantId, event.seq]],
  ]
}

function normalizeTime(value: string): string {
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? value : new Date(ms).toISOString()
}
