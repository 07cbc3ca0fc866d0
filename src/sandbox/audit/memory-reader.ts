// An in-memory AuditReader with retention, for tests and the benchmark's baseline.
import {randomUUID} from 'node:crypto'

import type {AuditInput} from '../audit-sink.js'
import {actionGlob, matchesQuery, type AuditEvent, type AuditQuery, type AuditReader} from './reader.js'

export class MemoryAuditReader implements AuditReader {
  private readonly logs = new Map<string, AuditEvent[]>()
  private readonly seqs = new Map<string, number>()
  private readonly listeners = new Map<string, Set<(e: AuditEvent) => void>>()

  constructor(private readonly cluster = 'eastus-1') {}

  append(input: AuditInput): AuditEvent {
    return this.appendMany([input])[0]
  }

  appendMany(inputs: AuditInput[]): AuditEvent[] {
    const out = inputs.map((input) => {
      const seq = (this.seqs.get(input.tenantId) ?? 0) + 1
      this.seqs.set(input.tenantId, seq)
      const event: AuditEvent = {id: randomUUID(), seq, time: new Date().toISOString(), ...input, cluster: input.cluster ?? this.cluster}
      const log = this.logs.get(input.tenantId) ?? []
      log.push(event)
      this.logs.set(input.tenantId, log)
      return event
    })
    for (const event of out) for (const listener of this.listeners.get(event.tenantId) ?? []) listener(event)
    return out
  }

  /** Drops every event with seq < oldest (what a retention sweep does). */
  prune(tenantId: string, oldest: number): void {
    const log = this.logs.get(tenantId) ?? []
    this.logs.set(
      tenantId,
      log.filter((e) => e.seq >= oldest),
    )
  }

  list(q: AuditQuery): AuditEvent[] {
    const log = this.logs.get(q.tenantId) ?? []
    const after = q.after ?? 0
    // Seqs are dense from the oldest held one, so the start is found by arithmetic.
    let i = log.length > 0 ? Math.max(0, after + 1 - log[0].seq) : 0
    const action = q.action ? actionGlob(q.action) : undefined
    const out: AuditEvent[] = []
    const through = q.through ?? Number.MAX_SAFE_INTEGER
    for (; i < log.length && out.length < q.limit && log[i].seq <= through; i++) if (log[i].seq > after && matchesQuery(log[i], q, action)) out.push(log[i])
    return out
  }

  lastSeq(tenantId: string): number {
    return this.seqs.get(tenantId) ?? 0
  }

  oldestRetainedSeq(tenantId: string): number {
    return this.logs.get(tenantId)?.[0]?.seq ?? this.lastSeq(tenantId) + 1
  }

  onAppend(tenantId: string, listener: (e: AuditEvent) => void): () => void {
    const set = this.listeners.get(tenantId) ?? new Set()
    set.add(listener)
    this.listeners.set(tenantId, set)
    return () => set.delete(listener)
  }
}
