// Tenant data at rest under the tenant's data key: with encryption on, a cluster keeps its tenants' tables in an
// in-memory SQLite schema, and on disk only per-tenant files sealed with AES-256-GCM — a snapshot of the tenant's rows
// and a journal of the statements committed since (the same statements replication ships). A locked tenant's rows
// are dropped from memory; its files cannot be read without the key the vault no longer gives out.
import {closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import type Database from 'better-sqlite3'

import {writeFileSyncAtomic} from '../fs-util.js'
import {open, seal, sealedVersion} from '../keys/envelope.js'
import type {DataKeys, KeyListener, KeyVault} from '../keys/key-vault.js'
import type {ClusterDb, TxParticipant, WriteTx} from './cluster-db.js'
import type {Op} from './replication-log.js'

/** The attached in-memory schema the tenant tables live in when encryption is on. */
export const MEMORY_SCHEMA = 'tenantdata'
/** Journal records after which the tenant's snapshot is written again and the journal emptied. */
const SNAPSHOT_EVERY = 2000

/** The tenant schema's CREATE statements, made to create their tables and indexes in the in-memory schema. */
export const inMemorySchema = (schema: string) => schema.replace(/(CREATE (?:UNIQUE )?(?:TABLE|INDEX) IF NOT EXISTS )/g, `$1${MEMORY_SCHEMA}.`)

interface Journal {
  fd: number
  records: number
}

export class EncryptedTenants implements TxParticipant, KeyListener {
  readonly dir: string
  private readonly journals = new Map<string, Journal>()
  private readonly replayedOps = new WeakMap<WriteTx, Op[]>()
  private readonly loaded = new Set<string>()

  constructor(
    private readonly cluster: ClusterDb,
    file: string,
    readonly vault: KeyVault,
    private readonly tables: readonly string[],
  ) {
    this.dir = join(dirname(file), `${basename(file, '.db')}.tenants`)
    mkdirSync(this.dir, {recursive: true, mode: 0o700})
  }

  private get db(): Database.Database {
    return this.cluster.db
  }

  /** Tenants with files in this cluster's folder. */
  tenantsOnDisk(): string[] {
    const ids = readdirSync(this.dir)
      .map((f) => /^([\w-]+)\.(snap|journal)$/.exec(f)?.[1])
      .filter((x): x is string => x !== undefined)
    return [...new Set(ids)]
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
    this.db.exec('VACUUM')
    this.db.pragma('wal_checkpoint(TRUNCATE)')
  }

  isLoaded(tenantId: string): boolean {
    return this.loaded.has(tenantId)
  }

  // Write transactions

  replayed(w: WriteTx, op: Op): void {
    let ops = this.replayedOps.get(w)
    if (!ops) this.replayedOps.set(w, (ops = []))
    ops.push(op)
  }

  /** Appends the transaction's statements to the tenant's journal (fsync'd); a locked tenant's write fails here and rolls back. */
  beforeCommit(w: WriteTx): void {
    const ops = [...w.entries.flat(), ...(this.replayedOps.get(w) ?? [])]
    if (ops.length === 0) return
    const keys = this.vault.dataKeys(w.tenantId)
    this.loaded.add(w.tenantId)
    const sealed = seal(keys.keys.get(keys.current)!, keys.current, Buffer.from(JSON.stringify(ops)), `${w.tenantId}/journal`)
    const frame = Buffer.alloc(4 + sealed.length)
    frame.writeUInt32BE(sealed.length, 0)
    sealed.copy(frame, 4)
    const journal = this.journal(w.tenantId)
    writeSync(journal.fd, frame)
    fsyncSync(journal.fd)
    journal.records += 1
  }

  afterCommit(w: WriteTx): void {
    const journal = this.journals.get(w.tenantId)
    if (journal && journal.records >= SNAPSHOT_EVERY && !this.vault.isLocked(w.tenantId)) this.snapshot(w.tenantId, this.vault.dataKeys(w.tenantId))
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

  /** A locked tenant's copy, file for file (sealed): how a rebuilt secondary gets it without the key. */
  copyFilesFrom(from: EncryptedTenants, tenantId: string): void {
    this.closeJournal(tenantId)
    for (const ext of ['snap', 'journal']) {
      const source = join(from.dir, `${tenantId}.${ext}`)
      const target = join(this.dir, `${tenantId}.${ext}`)
      if (existsSync(source)) copyFileSync(source, target)
      else rmSync(target, {force: true})
    }
  }

  /** Writes the tenant's rows sealed with the current data key, then empties its journal. */
  snapshot(tenantId: string, keys: DataKeys): void {
    const rows: Record<string, unknown[]> = {}
    for (const t of this.tables) rows[t] = this.db.prepare(`SELECT * FROM ${MEMORY_SCHEMA}.${t} WHERE tenant_id = ?`).all(tenantId)
    const sealed = seal(keys.keys.get(keys.current)!, keys.current, Buffer.from(JSON.stringify(rows)), `${tenantId}/snapshot`)
    writeFileSyncAtomic(join(this.dir, `${tenantId}.snap`), sealed)
    this.closeJournal(tenantId)
    writeFileSyncAtomic(join(this.dir, `${tenantId}.journal`), Buffer.alloc(0))
  }

  close(): void {
    for (const tenantId of [...this.loaded]) if (!this.vault.isLocked(tenantId)) this.snapshot(tenantId, this.vault.dataKeys(tenantId))
    for (const tenantId of [...this.journals.keys()]) this.closeJournal(tenantId)
  }

  private load(tenantId: string, keys: DataKeys): void {
    this.unload(tenantId)
    const snap = join(this.dir, `${tenantId}.snap`)
    const journal = join(this.dir, `${tenantId}.journal`)
    this.db.transaction(() => {
      if (existsSync(snap)) {
        const rows = JSON.parse(this.openWith(keys, readFileSync(snap), `${tenantId}/snapshot`).toString()) as Record<string, Array<Record<string, unknown>>>
        for (const [table, list] of Object.entries(rows)) {
          if (!this.tables.includes(table) || list.length === 0) continue
          const columns = Object.keys(list[0])
          const insert = this.db.prepare(`INSERT INTO ${MEMORY_SCHEMA}.${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
          for (const row of list) insert.run(...columns.map((c) => row[c]))
        }
      }
      if (existsSync(journal)) {
        const bytes = readFileSync(journal)
        let at = 0
        // A record torn by a crash (its length or its bytes incomplete) was never committed: the replay stops there.
        while (at + 4 <= bytes.length) {
          const length = bytes.readUInt32BE(at)
          if (at + 4 + length > bytes.length) break
          const ops = JSON.parse(this.openWith(keys, bytes.subarray(at + 4, at + 4 + length), `${tenantId}/journal`).toString()) as Op[]
          for (const [sql, params] of ops) this.cluster.statement(sql).run(...params)
          at += 4 + length
        }
      }
    })()
    this.loaded.add(tenantId)
  }

  private unload(tenantId: string): void {
    this.closeJournal(tenantId)
    this.db.transaction(() => {
      for (const t of this.tables) this.db.prepare(`DELETE FROM ${MEMORY_SCHEMA}.${t} WHERE tenant_id = ?`).run(tenantId)
    })()
    this.loaded.delete(tenantId)
  }

  private openWith(keys: DataKeys, sealed: Buffer, aad: string): Buffer {
    const version = sealedVersion(sealed)
    const key = keys.keys.get(version)
    if (!key) throw new Error(`data key version ${version} of this record is no longer in the vault`)
    return open(key, sealed, aad)
  }

  private journal(tenantId: string): Journal {
    let j = this.journals.get(tenantId)
    if (!j) {
      j = {fd: openSync(join(this.dir, `${tenantId}.journal`), 'a', 0o600), records: 0}
      this.journals.set(tenantId, j)
    }
    return j
  }

  private closeJournal(tenantId: string): void {
    const j = this.journals.get(tenantId)
    if (!j) return
    closeSync(j.fd)
    this.journals.delete(tenantId)
  }
}
