// The cluster databases of the platform, the shipper that replicates each tenant to its secondary, and failover.
import {join} from 'node:path'

import type {AuditEvent, AuditInput} from '../audit-sink.js'
import type {Directory} from '../directory.js'
import type {RouteTable} from '../global/route-table.js'
import {CLUSTERS, OPERATOR_TENANT_ID, TENANTS, findTenant} from '../seed.js'
import type {AuditRetention, AuditStore, PlatformAudit} from './audit-store.js'
import {ClusterDb} from './cluster-db.js'
import {seedTenant} from './tenant-seed.js'

export const GLOBAL_LOG = 'global'
const SHIP_BATCH = 200

/** A tenant's replication as the control socket reports it (also `ppctl sandbox status --json`). */
export interface ReplicationStatus {
  tenantId: string
  tenant: string
  active: string
  secondary: string
  epoch: number
  lagEntries: number
  lagMs: number
  paused: boolean
}

/** What a failover did; the control socket answers it as is (also `ppctl sandbox failover --json`). */
export interface FailoverResult {
  tenantId: string
  tenant: string
  mode: 'planned' | 'forced'
  /** The cluster that was active before. */
  from: string
  /** The cluster that is active now. */
  to: string
  previousEpoch: number
  epoch: number
  /** Replication entries applied to the new active cluster before the swap (planned). */
  drainedWrites: number
  /** Committed writes of the old active cluster that never reached the new one (forced; 0 when planned). */
  lostWrites: number
  /** The seq of the `failover.completed` audit event in the tenant's log. */
  auditSeq: number
}

export interface ClusterSetOptions {
  dataDir: string
  routes: RouteTable
  directory: Directory
  retention?: AuditRetention
  /** Ship only entries at least this old (simulates a slow link). */
  replicationDelayMs?: number
  log?: (line: string) => void
}

export class ClusterSet implements PlatformAudit {
  private readonly dbs = new Map<string, ClusterDb>()
  readonly globalLog: ClusterDb
  private readonly paused = new Set<string>()
  private shipScheduled = false
  private timer?: NodeJS.Timeout
  private closed = false

  constructor(private readonly options: ClusterSetOptions) {
    for (const id of Object.keys(CLUSTERS)) {
      const db = new ClusterDb(id, join(options.dataDir, 'clusters', `${id}.db`), options.retention)
      db.onCommit = () => this.scheduleShip()
      this.dbs.set(id, db)
    }
    this.globalLog = new ClusterDb(GLOBAL_LOG, join(options.dataDir, 'clusters', 'global-audit.db'), options.retention, false)
    for (const tenant of TENANTS) {
      const route = options.routes.get(tenant.id)
      if (route) seedTenant(this.cluster(route.home), tenant, options.directory)
    }
    // Entries left unshipped by a previous run, and delayed ones, are picked up by a slow tick.
    this.timer = setInterval(() => this.ship(), Math.max(20, Math.min(250, options.replicationDelayMs ?? 250)))
    this.timer.unref()
    this.scheduleShip()
  }

  cluster(clusterId: string): ClusterDb {
    const db = this.dbs.get(clusterId)
    if (!db) throw new Error(`no cluster ${clusterId}`)
    return db
  }

  /** The tenant's active cluster database. */
  active(tenantId: string): ClusterDb {
    const route = this.options.routes.get(tenantId)
    if (!route) throw new Error(`no route for tenant ${tenantId}`)
    return this.cluster(route.home)
  }

  // PlatformAudit

  record(input: AuditInput): AuditEvent {
    return this.storeFor(input.tenantId).record(input) as AuditEvent
  }

  storeFor(tenantId: string): AuditStore & {record(input: AuditInput): AuditEvent} {
    if (tenantId === OPERATOR_TENANT_ID || !this.options.routes.get(tenantId)) return this.globalLog
    return this.active(tenantId)
  }

  clusterStore(clusterId: string): AuditStore {
    return clusterId === GLOBAL_LOG ? this.globalLog : this.cluster(clusterId)
  }

  all(): AuditEvent[] {
    return [OPERATOR_TENANT_ID, ...TENANTS.map((t) => t.id)].flatMap((t) => (this.storeFor(t) as ClusterDb).allEvents(t))
  }

  // Replication

  setPaused(tenantId: string | undefined, paused: boolean): void {
    for (const t of tenantId ? [tenantId] : TENANTS.map((x) => x.id)) {
      if (paused) this.paused.add(t)
      else this.paused.delete(t)
    }
    if (!paused) this.scheduleShip()
  }

  private scheduleShip(): void {
    if (this.shipScheduled || this.closed) return
    this.shipScheduled = true
    setImmediate(() => {
      this.shipScheduled = false
      this.ship()
    })
  }

  /** Ships one batch per tenant; reschedules itself while entries remain. */
  ship(): void {
    if (this.closed) return
    let more = false
    for (const tenant of TENANTS) {
      if (this.paused.has(tenant.id)) continue
      const shipped = this.shipTenant(tenant.id, SHIP_BATCH, this.options.replicationDelayMs ?? 0)
      if (shipped === SHIP_BATCH) more = true
    }
    if (more) this.scheduleShip()
  }

  private shipTenant(tenantId: string, limit: number, minAgeMs: number): number {
    const route = this.options.routes.get(tenantId)
    if (!route) return 0
    const source = this.cluster(route.home)
    const target = this.cluster(route.secondary)
    let entries = source.pendingEntries(tenantId, target.appliedLsn(tenantId, route.home), limit)
    if (minAgeMs > 0) {
      const cutoff = Date.now() - minAgeMs
      const ready = entries.findIndex((e) => e.time > cutoff)
      if (ready >= 0) entries = entries.slice(0, ready)
    }
    if (entries.length === 0) return 0
    target.applyReplicated(route.home, tenantId, entries)
    source.trimLog(tenantId, entries[entries.length - 1].lsn)
    return entries.length
  }

  /** Applies everything pending for the tenant now, whatever the pause or delay. */
  drain(tenantId: string): number {
    let total = 0
    for (;;) {
      const n = this.shipTenant(tenantId, SHIP_BATCH, 0)
      total += n
      if (n < SHIP_BATCH) return total
    }
  }

  replicationStatus(tenantId: string): ReplicationStatus {
    const route = this.options.routes.get(tenantId)
    if (!route) throw new Error(`no route for tenant ${tenantId}`)
    const stats = this.cluster(route.home).pendingStats(tenantId, this.cluster(route.secondary).appliedLsn(tenantId, route.home))
    return {
      tenantId,
      tenant: findTenant(tenantId)?.name ?? tenantId,
      active: route.home,
      secondary: route.secondary,
      epoch: route.epoch,
      lagEntries: stats.entries,
      lagMs: stats.oldestTime === undefined ? 0 : Math.max(0, Date.now() - stats.oldestTime),
      paused: this.paused.has(tenantId),
    }
  }

  replication(): ReplicationStatus[] {
    return TENANTS.map((t) => this.replicationStatus(t.id))
  }

  /**
   * Planned: drain, swap, audit — nothing acknowledged is lost. Forced: swap at once; what the old active had not
   * shipped is lost, and the old active is rebuilt from the new one as its secondary.
   */
  failover(tenantId: string, force: boolean): FailoverResult {
    const route = this.options.routes.get(tenantId)
    if (!route) throw new Error(`no route for tenant ${tenantId}`)
    const from = route.home
    const to = route.secondary
    const previousEpoch = route.epoch
    const oldActive = this.cluster(from)
    const newActive = this.cluster(to)
    let drainedWrites = 0
    let lostWrites = 0
    if (force) {
      const applied = newActive.appliedLsn(tenantId, from)
      lostWrites = oldActive.pendingStats(tenantId, applied).entries
      oldActive.trimLog(tenantId, Number.MAX_SAFE_INTEGER)
    } else {
      drainedWrites = this.drain(tenantId)
    }
    const swapped = this.options.routes.swap(tenantId)
    this.paused.delete(tenantId)
    if (force) {
      // The old region "comes back" as the secondary, with the new active's state.
      oldActive.copyTenantFrom(newActive, tenantId)
    }
    // The old active has everything the new one logged so far; ship only what comes next.
    oldActive.setAppliedLsn(tenantId, to, newActive.maxLsn())
    newActive.trimLog(tenantId, newActive.maxLsn())
    const event = newActive.record({
      tenantId,
      action: 'failover.completed',
      result: 'succeeded',
      actor: {type: 'system', id: 'sandbox-control'},
      target: {type: 'tenant', id: tenantId},
      cluster: to,
      details: {mode: force ? 'forced' : 'planned', from, to, previousEpoch, epoch: swapped.epoch, drainedWrites, lostWrites},
    })
    this.options.log?.(`failover of ${tenantId}: ${from} → ${to} (${force ? 'forced' : 'planned'}), epoch ${swapped.epoch}, lost ${lostWrites}`)
    return {
      tenantId,
      tenant: findTenant(tenantId)?.name ?? tenantId,
      mode: force ? 'forced' : 'planned',
      from,
      to,
      previousEpoch,
      epoch: swapped.epoch,
      drainedWrites,
      lostWrites,
      auditSeq: event.seq,
    }
  }

  close(): void {
    if (this.closed) return
    this.ship()
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    for (const db of this.dbs.values()) db.close()
    this.globalLog.close()
  }
}
