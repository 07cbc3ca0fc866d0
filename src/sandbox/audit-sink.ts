// Audit event types and the sink the identity records through; the platform's sink is the cluster store (clusters/cluster-set.ts).
import {randomUUID} from 'node:crypto'
import {appendFileSync, existsSync, openSync, closeSync, fsyncSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

export interface AuditActor {
  type: 'user' | 'servicePrincipal' | 'system' | 'anonymous'
  id?: string
  upn?: string
  appId?: string
}

export interface AuditTarget {
  type: string
  id: string
  displayName?: string
  upn?: string
}

export interface AuditInput {
  tenantId: string
  action: string
  result: 'succeeded' | 'failed'
  actor: AuditActor
  /** What was acted on; displayName and upn where the platform knows them (additive: readers keyed on type and id). */
  target?: AuditTarget
  clientIp?: string
  userAgent?: string
  correlationId?: string
  cluster?: string
  details?: Record<string, unknown>
}

export interface AuditEvent extends AuditInput {
  id: string
  seq: number
  time: string
  cluster: string
}

export interface AuditSink {
  record(event: AuditInput): AuditEvent
}

/** A file-backed sink for running the identity alone (its tests); the platform itself uses the cluster databases. */
export class JsonlAuditLog implements AuditSink {
  private readonly file: string
  private readonly seqs = new Map<string, number>()

  constructor(
    dataDir: string,
    private readonly clusterOf: (tenantId: string) => string,
  ) {
    this.file = join(dataDir, 'audit.jsonl')
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (!line) continue
        try {
          const event = JSON.parse(line) as AuditEvent
          this.seqs.set(event.tenantId, Math.max(this.seqs.get(event.tenantId) ?? 0, event.seq))
        } catch {
          // A torn last line from a crash: the event was never acknowledged, so it is skipped.
        }
      }
    }
  }

  record(input: AuditInput): AuditEvent {
    const seq = (this.seqs.get(input.tenantId) ?? 0) + 1
    const event: AuditEvent = {
      id: randomUUID(),
      seq,
      time: new Date().toISOString(),
      ...input,
      cluster: input.cluster ?? this.clusterOf(input.tenantId),
    }
    appendFileSync(this.file, JSON.stringify(event) + '\n', {mode: 0o600})
    const fd = openSync(this.file, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    this.seqs.set(input.tenantId, seq)
    return event
  }

  /** Every event recorded so far (tests and `sandbox status`). */
  all(): AuditEvent[] {
    if (!existsSync(this.file)) return []
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as AuditEvent]
        } catch {
          return []
        }
      })
  }
}
