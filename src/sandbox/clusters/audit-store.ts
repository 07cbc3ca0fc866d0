// The audit log's contract: per-tenant, gap-free events kept in each cluster's database (and a small global log for the operator).
import type {AuditEvent, AuditInput} from '../audit-sink.js'

export type {AuditEvent, AuditInput} from '../audit-sink.js'

export interface AuditQuery {
  tenantId: string
  /** Only events with seq > after. */
  after?: number
  /** Only events with seq <= through (a stream's end=head bound). */
  through?: number
  /** ISO 8601; events at or after this time. */
  since?: string
  /** ISO 8601; events strictly before this time. */
  until?: string
  /** A glob on the action: `*` any run, `?` one character (e.g. `signin*`). Case-sensitive. */
  action?: string
  /** Matches the actor's id, upn or appId exactly. */
  actor?: string
  result?: 'succeeded' | 'failed'
  limit: number
}

export interface AuditReader {
  /** Events in ascending seq. */
  list(q: AuditQuery): AuditEvent[]
  /** The last seq assigned for the tenant (0 when none). Never goes down, even when retention drops events. */
  lastSeq(tenantId: string): number
  /** The smallest seq still stored; lastSeq + 1 when nothing is stored. A cursor `after` < oldestRetainedSeq - 1 has expired. */
  oldestRetainedSeq(tenantId: string): number
  /**
   * Called after commit for each event that lands in this store: appended here (active cluster) or applied by
   * replication (passive secondary). Returns an unsubscribe function.
   */
  onAppend(tenantId: string, listener: (e: AuditEvent) => void): () => void
}

/** Fields of a synthetic event for appendMany; tenantId comes from the call, id/seq/time are filled in when absent. */
export type SyntheticAuditEvent = Partial<Omit<AuditInput, 'tenantId'>> & {action: string; time?: string}

export interface AuditWriter {
  /**
   * Appends events in one transaction (fast: for tests and benchmarks), assigning consecutive seqs.
   * Replicated to the tenant's secondary like any write. Returns the first and last seq assigned.
   */
  appendMany(tenantId: string, events: readonly SyntheticAuditEvent[]): {firstSeq: number; lastSeq: number}
}

export interface AuditStore extends AuditReader, AuditWriter {}

/** Retention, applied per tenant in every store at each append (and on replication apply). */
export interface AuditRetention {
  /** Drop events older than this many days. */
  maxAgeDays?: number
  /** Keep at most this many events per tenant (the newest). */
  maxEvents?: number
}

/** The platform-wide audit: the identity's sink, and the way to reach a tenant's store. */
export interface PlatformAudit {
  /** Records one event in the tenant's ACTIVE cluster (operator tenant: the global log). */
  record(input: AuditInput): AuditEvent
  /** The store of the tenant's ACTIVE cluster right now (operator tenant: the global log). Re-resolve after a failover. */
  storeFor(tenantId: string): AuditStore
  /** The store of one cluster ('global' for the operator's log). */
  clusterStore(clusterId: string): AuditStore
  /** Every event of every tenant from the active stores, by tenant then seq (tests, `sandbox status`). */
  all(): AuditEvent[]
}

/** What the cluster handler hands the audit HTTP routes (PlatformOptions.auditRoutes' last argument). */
export interface AuditRouteContext {
  clusterId: string
  /** The caller's tenant; this cluster is its active one (the handler has answered 421 otherwise). */
  tenantId: string
  /** This cluster's store: the tenant's active store. */
  audit: AuditStore
  /** The platform-wide audit, e.g. to follow a tenant across a failover. */
  platform: PlatformAudit
}
