// A cluster's audit log: per-tenant, gap-free events appended in the write transaction of the change they record, retention, and listeners.
import {randomUUID} from 'node:crypto'

import type {AuditEvent, AuditInput} from '../audit-sink.js'
import type {AuditQuery, AuditRetention, AuditStore, SyntheticAuditEvent} from './audit-store.js'
import type {ClusterDb, TxParticipant, WriteTx} from './cluster-db.js'
import type {Op} from './replication-log.js'

export const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit (tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, time TEXT NOT NULL, action TEXT NOT NULL,
  result TEXT NOT NULL, actor_id TEXT, actor_upn TEXT, actor_app TEXT, json TEXT NOT NULL, PRIMARY KEY (tenant_id, seq));
CREATE INDEX IF NOT EXISTS audit_time ON audit (tenant_id, time);
CREATE TABLE IF NOT EXISTS audit_seq (tenant_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
`

/** The audit log's share of a tenant's replicated state. */
export const AUDIT_TABLES = ['audit', 'audit_seq'] as const

const AUDIT_INSERT = 'INSERT INTO audit (tenant_id, seq, id, time, action, result, actor_id, actor_upn, actor_app, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
const AUDIT_SEQ_UPSERT = 'INSERT INTO audit_seq (tenant_id, last_seq) VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq'
/** Audit rows per replication entry in a bulk append, so one entry stays small. */
const BULK_CHUNK = 1000

type Listener = (e: AuditEvent) => void

/** What one transaction added to the log: announced to listeners once it commits. */
interface Pending {
  events: AuditEvent[]
  /** A bulk append applies the age retention at once, not at most once a second. */
  forcePrune: boolean
}

export class AuditLog implements AuditStore, TxParticipant {
  private readonly listeners = new Map<string, Set<Listener>>()
  private readonly prunedAt = new Map<string, number>()
  private readonly pending = new WeakMap<WriteTx, Pending>()

  constructor(
    private readonly cluster: ClusterDb,
    private readonly retention: AuditRetention = {},
  ) {}

  /** Appends an event with the tenant's next seq in the write `w`: committed (and replicated) with it, or not at all. */
  append(w: WriteTx, input: AuditInput): AuditEvent {
    const event = this.buildEvent(w.tenantId, this.lastSeq(w.tenantId) + 1, input)
    for (const [sql, params] of auditOps(event)) w.run(sql, ...params)
    this.pendingOf(w).events.push(event)
    return event
  }

  record(input: AuditInput): AuditEvent {
    return this.cluster.write(input.tenantId, (w) => this.append(w, input))
  }

  appendMany(tenantId: string, inputs: readonly SyntheticAuditEvent[]): {firstSeq: number; lastSeq: number} {
    // The write is IMMEDIATE: the write lock is taken before the last seq is read, so another process appending to
    // the same file (a test seeding events beside a running platform) cannot be handed the same seqs.
    const firstSeq = this.cluster.write(tenantId, (w) => {
      const pending = this.pendingOf(w)
      pending.forcePrune = true
      const first = this.lastSeq(tenantId) + 1
      inputs.forEach((input, i) => {
        const event = this.buildEvent(tenantId, first + i, input)
        const [[sql, params]] = auditOps(event)
        w.run(sql, ...params)
        pending.events.push(event)
        if ((i + 1) % BULK_CHUNK === 0 || i === inputs.length - 1) {
          // Each entry carries the seq it reaches; here the seq is written once, below.
          w.replicate([AUDIT_SEQ_UPSERT, [tenantId, event.seq]])
          w.cut()
        }
      })
      this.cluster.statement(AUDIT_SEQ_UPSERT).run(tenantId, first + inputs.length - 1)
      return first
    })
    return {firstSeq, lastSeq: firstSeq + inputs.length - 1}
  }

  // TxParticipant

  replayed(w: WriteTx, [sql, params]: Op): void {
    if (sql === AUDIT_INSERT) this.pendingOf(w).events.push(JSON.parse(params[9] as string) as AuditEvent)
  }

  beforeCommit(w: WriteTx): void {
    const pending = this.pending.get(w)
    if (pending && (pending.events.length > 0 || pending.forcePrune)) this.prune(w.tenantId, pending.forcePrune)
  }

  afterCommit(w: WriteTx): void {
    const pending = this.pending.get(w)
    if (pending) this.emit(pending.events)
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
    const rows = this.cluster.db.prepare(`SELECT json FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params) as Array<{json: string}>
    return rows.map((r) => JSON.parse(r.json) as AuditEvent)
  }

  lastSeq(tenantId: string): number {
    const row = this.cluster.statement('SELECT last_seq FROM audit_seq WHERE tenant_id = ?').get(tenantId) as {last_seq: number} | undefined
    return row?.last_seq ?? 0
  }

  oldestRetainedSeq(tenantId: string): number {
    const row = this.cluster.db.prepare('SELECT MIN(seq) AS s FROM audit WHERE tenant_id = ?').get(tenantId) as {s: number | null}
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
    return (this.cluster.db.prepare('SELECT json FROM audit WHERE tenant_id = ? ORDER BY seq').all(tenantId) as Array<{json: string}>).map(
      (r) => JSON.parse(r.json) as AuditEvent,
    )
  }

  private pendingOf(w: WriteTx): Pending {
    let pending = this.pending.get(w)
    if (!pending) this.pending.set(w, (pending = {events: [], forcePrune: false}))
    return pending
  }

  private buildEvent(tenantId: string, seq: number, input: Partial<AuditInput> & {time?: string; id?: string}): AuditEvent {
    return {
      id: input.id ?? randomUUID(),
      seq,
      time: input.time ?? new Date().toISOString(),
      tenantId,
      cluster: input.cluster ?? this.cluster.clusterId,
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
    const db = this.cluster.db
    if (this.retention.maxEvents !== undefined) {
      db.prepare('DELETE FROM audit WHERE tenant_id = ? AND seq <= ?').run(tenantId, this.lastSeq(tenantId) - this.retention.maxEvents)
    }
    if (this.retention.maxAgeDays !== undefined) {
      const now = Date.now()
      if (!force && now - (this.prunedAt.get(tenantId) ?? 0) < 1000) return
      this.prunedAt.set(tenantId, now)
      const cutoff = new Date(now - this.retention.maxAgeDays * 86_400_000).toISOString()
      db.prepare('DELETE FROM audit WHERE tenant_id = ? AND time < ?').run(tenantId, cutoff)
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
