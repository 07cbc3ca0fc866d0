// Tenant data at rest under the tenant's data key: with encryption on, a cluster keeps its tenants' tables in an
// in-memory SQLite schema, and in its file only values sealed with AES-256-GCM — per tenant, a snapshot of its rows and
// a journal of the statements committed since (the same statements replication ships), written in the transaction
// of the change itself (one commit, one fsync). A locked tenant's rows are dropped from memory; what is in the file
// cannot be read without the key the vault no longer gives out.
import type Database from 'better-sqlite3'

import {open, seal, sealedVersion} from '../keys/envelope.js'
import type {DataKeys, KeyListener, KeyVault} from '../keys/key-vault.js'
import type {ClusterDb, TxParticipant, WriteTx} from './cluster-db.js'
import type {Op} from './replication-log.js'

/** The attached in-memory schema the tenant tables live in when encryption is on. */
export const MEMORY_SCHEMA = 'tenantdata'
/**
 * Journal records after which the tenant's snapshot is written again and the journal emptied: 2000, or an eighth of
 * the rows the last snapshot held when that is more. A snapshot costs the whole tenant (every row serialized and
 * sealed), so at a fixed count a large tenant's writes cost its size each (a bulk run over 80,000 users slowed with
 * every page); in proportion, each write pays a bounded share, and a start replays at most an eighth of the rows.
 */
const SNAPSHOT_EVERY = 2000
const SNAPSHOT_SHARE = 8

/** The sealed tenant state, in the cluster's file: no tenant value is in it in the clear. */
const SEALED_SCHEMA = `
CREATE TABLE IF NOT EXISTS main.tenant_journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, sealed BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS main.tenant_journal_tenant ON tenant_journal (tenant_id, seq);
CREATE TABLE IF NOT EXISTS main.tenant_snapshot (tenant_id TEXT PRIMARY KEY, journal_seq INTEGER NOT NULL, sealed BLOB NOT NULL, at TEXT NOT NULL);
`

/** The tenant schema's CREATE statements, made to create their tables and indexes in the in-memory schema. */
export const inMemorySchema = (schema: string) => schema.replace(/(CREATE (?:UNIQUE )?(?:TABLE|INDEX) IF NOT EXISTS )/g, `$1${MEMORY_SCHEMA}.`)

export class EncryptedTenants implements TxParticipant, KeyListener {
  /** Journal records per loaded tenant since its snapshot. */
  private readonly journaled = new Map<string, number>()
  /** Rows in each tenant's last snapshot written by this process. */
  private readonly snapshotRows = new Map<string, number>()
  private readonly replayedOps = new WeakMap<WriteTx, Op[]>()
  private readonly loaded = new Set<string>()

  constructor(
    private readonly cluster: ClusterDb,
    readonly vault: KeyVault,
    private readonly tables: readonly string[],
  ) {
    cluster.db.exec(SEALED_SCHEMA)
  }

  private get db(): Database.Database {
    return this.cluster.db
  }

  /** Tenants with sealed state in this cluster's file. */
  tenantsOnDisk(): string[] {
    const rows = this.db.prepare('SELECT tenant_id FROM main.tenant_snapshot UNION SELECT DISTINCT tenant_id FROM main.tenant_journal').all() as Array<{
      tenant_id: string
    }>
    return rows.map((r) => r.tenant_id)
  }

  /** Loads every tenant on disk whose key is available; a locked one stays on disk only. */
  loadAll(): void {
    for (const tenantId of this.tenantsOnDisk()) if (!this.vault.isLocked(tenantId)) this.load(tenantId, this.vault.dataKeys(tenantId))
  }

  /** Plaintext tenant tables left in the file by a run without encryption: moved into memory, then sealed and wiped from disk. */
  migratePlaintext(): void {
    const inMain = this.tables.filter((t) => this.db.prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?").get(t))
    if (inMain.length === 0) return
    const tenants = new Set<string>()
    this.db.transaction(() => {
      for (const t of inMain) {
        const columns = (this.db.prepare(`PRAGMA main.table_info(${t})`).all() as Array<{name: string}>).map((c) => c.name).join(', ')
        this.db.exec(`INSERT OR REPLACE INTO ${MEMORY_SCHEMA}.${t} (${columns}) SELECT ${columns} FROM main.${t}`)
        for (const r of this.db.prepare(`SELECT DISTINCT tenant_id FROM main.${t}`).all() as Array<{tenant_id: string}>) tenants.add(r.tenant_id)
        this.db.exec(`DROP TABLE main.${t}`)
      }
    })()
    for (const tenantId of tenants) {
      this.loaded.add(tenantId)
      this.snapshot(tenantId, this.vault.dataKeys(tenantId))
    }
    // Replication entries not shipped yet carry their statements in the clear: sealed in place.
    const clear = this.db.prepare("SELECT lsn, tenant_id, ops FROM main.repl_log WHERE typeof(ops) = 'text'").all() as Array<{
      lsn: number
      tenant_id: string
      ops: string
    }>
    const update = this.db.prepare('UPDATE main.repl_log SET ops = ? WHERE lsn = ?')
    this.db.transaction(() => {
      for (const r of clear) update.run(this.sealOps(r.tenant_id, r.ops), r.lsn)
    })()
    this.db.exec('VACUUM')
    this.db.pragma('wal_checkpoint(TRUNCATE)')
  }

  // Write transactions

  replayed(w: WriteTx, op: Op): void {
    let ops = this.replayedOps.get(w)
    if (!ops) this.replayedOps.set(w, (ops = []))
    ops.push(op)
  }

  /** Appends the transaction's statements, sealed, to the tenant's journal in the same transaction; a locked tenant's write fails here and rolls back. */
  beforeCommit(w: WriteTx): void {
    const ops = [...w.entries.flat(), ...(this.replayedOps.get(w) ?? [])]
    if (ops.length === 0) return
    const keys = this.vault.dataKeys(w.tenantId)
    const sealed = seal(keys.keys.get(keys.current)!, keys.current, Buffer.from(JSON.stringify(ops)), `${w.tenantId}/journal`)
    this.cluster.statement('INSERT INTO main.tenant_journal (tenant_id, sealed) VALUES (?, ?)').run(w.tenantId, sealed)
  }

  afterCommit(w: WriteTx): void {
    if (!this.replayedOps.has(w) && !w.entries.some((e) => e.length > 0)) return
    this.loaded.add(w.tenantId)
    const n = (this.journaled.get(w.tenantId) ?? 0) + 1
    this.journaled.set(w.tenantId, n)
    const every = Math.max(SNAPSHOT_EVERY, Math.ceil((this.snapshotRows.get(w.tenantId) ?? 0) / SNAPSHOT_SHARE))
    if (n >= every && !this.vault.isLocked(w.tenantId)) this.snapshot(w.tenantId, this.vault.dataKeys(w.tenantId))
  }

  // Replication entries

  sealOps(tenantId: string, json: string): Buffer {
    const keys = this.vault.dataKeys(tenantId)
    return seal(keys.keys.get(keys.current)!, keys.current, Buffer.from(json), `${tenantId}/replication`)
  }

  openOps(tenantId: string, sealed: Buffer): string {
    return this.openWith(this.vault.dataKeys(tenantId), sealed, `${tenantId}/replication`).toString()
  }

  // Key changes

  beforeLock(tenantId: string, keys: DataKeys): void {
    if (this.loaded.has(tenantId)) this.snapshot(tenantId, keys)
    this.unload(tenantId)
  }

  afterRotate(tenantId: string, keys: DataKeys): void {
    // Re-encrypted under the new data key at once: the snapshot is written again and the journal starts empty.
    if (this.loaded.has(tenantId)) this.snapshot(tenantId, keys)
  }

  afterUnlock(tenantId: string, keys: DataKeys): void {
    this.load(tenantId, keys)
  }

  /** A locked tenant's copy, as it is sealed: how a rebuilt secondary gets it without the key. */
  copySealedFrom(from: EncryptedTenants, tenantId: string): void {
    const snapshot = from.db.prepare('SELECT tenant_id, journal_seq, sealed, at FROM main.tenant_snapshot WHERE tenant_id = ?').get(tenantId) as
      Record<string, unknown> | undefined
    const journal = from.db.prepare('SELECT sealed FROM main.tenant_journal WHERE tenant_id = ? ORDER BY seq').all(tenantId) as Array<{sealed: Buffer}>
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM main.tenant_snapshot WHERE tenant_id = ?').run(tenantId)
      this.db.prepare('DELETE FROM main.tenant_journal WHERE tenant_id = ?').run(tenantId)
      // The copied journal gets this file's seqs: the snapshot then covers none of it (0), and all of it replays.
      if (snapshot)
        this.db.prepare('INSERT INTO main.tenant_snapshot (tenant_id, journal_seq, sealed, at) VALUES (?, 0, ?, ?)').run(tenantId, snapshot.sealed, snapshot.at)
      const insert = this.db.prepare('INSERT INTO main.tenant_journal (tenant_id, sealed) VALUES (?, ?)')
      for (const j of journal) insert.run(tenantId, j.sealed)
    })()
  }

  /** Writes the tenant's rows sealed with the current data key and drops the journal it covers, in one transaction. */
  snapshot(tenantId: string, keys: DataKeys): void {
    this.db.transaction(() => {
      const last = this.db.prepare('SELECT MAX(seq) AS seq FROM main.tenant_journal WHERE tenant_id = ?').get(tenantId) as {seq: number | null}
      const rows: Record<string, unknown[]> = {}
      for (const t of this.tables) rows[t] = this.db.prepare(`SELECT * FROM ${MEMORY_SCHEMA}.${t} WHERE tenant_id = ?`).all(tenantId)
      this.snapshotRows.set(
        tenantId,
        Object.values(rows).reduce((sum, r) => sum + r.length, 0),
      )
      const sealed = seal(keys.keys.get(keys.current)!, keys.current, Buffer.from(JSON.stringify(rows)), `${tenantId}/snapshot`)
      this.db
        .prepare('INSERT OR REPLACE INTO main.tenant_snapshot (tenant_id, journal_seq, sealed, at) VALUES (?, ?, ?, ?)')
        .run(tenantId, last.seq ?? 0, sealed, new Date().toISOString())
      this.db.prepare('DELETE FROM main.tenant_journal WHERE tenant_id = ? AND seq <= ?').run(tenantId, last.seq ?? 0)
    })()
    this.journaled.set(tenantId, 0)
  }

  close(): void {
    for (const tenantId of [...this.loaded]) if (!this.vault.isLocked(tenantId)) this.snapshot(tenantId, this.vault.dataKeys(tenantId))
  }

  private load(tenantId: string, keys: DataKeys): void {
    this.unload(tenantId)
    let replayed = 0
    this.db.transaction(() => {
      const snap = this.db.prepare('SELECT journal_seq, sealed FROM main.tenant_snapshot WHERE tenant_id = ?').get(tenantId) as
        {journal_seq: number; sealed: Buffer} | undefined
      if (snap) {
        const rows = JSON.parse(this.openWith(keys, snap.sealed, `${tenantId}/snapshot`).toString()) as Record<string, Array<Record<string, unknown>>>
        for (const [table, list] of Object.entries(rows)) {
          if (!this.tables.includes(table) || list.length === 0) continue
          const columns = Object.keys(list[0])
          const insert = this.db.prepare(`INSERT INTO ${MEMORY_SCHEMA}.${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
          for (const row of list) insert.run(...columns.map((c) => row[c]))
        }
      }
      const journal = this.db
        .prepare('SELECT sealed FROM main.tenant_journal WHERE tenant_id = ? AND seq > ? ORDER BY seq')
        .all(tenantId, snap?.journal_seq ?? 0) as Array<{sealed: Buffer}>
      for (const j of journal) {
        const ops = JSON.parse(this.openWith(keys, j.sealed, `${tenantId}/journal`).toString()) as Op[]
        for (const [sql, params] of ops) this.cluster.statement(sql).run(...params)
      }
      replayed = journal.length
    })()
    this.loaded.add(tenantId)
    this.journaled.set(tenantId, replayed)
  }

  private unload(tenantId: string): void {
    this.db.transaction(() => {
      for (const t of this.tables) this.db.prepare(`DELETE FROM ${MEMORY_SCHEMA}.${t} WHERE tenant_id = ?`).run(tenantId)
    })()
    this.loaded.delete(tenantId)
    this.journaled.delete(tenantId)
    this.snapshotRows.delete(tenantId)
  }

  private openWith(keys: DataKeys, sealed: Buffer, aad: string): Buffer {
    const version = sealedVersion(sealed)
    const key = keys.keys.get(version)
    if (!key) throw new Error(`data key version ${version} of this record is no longer in the vault`)
    return open(key, sealed, aad)
  }
}
