// The cluster databases of the platform, the shipper that replicates each tenant to its secondary, and failover.
import {join} from 'node:path'

import type {AuditEvent, AuditInput} from '../audit-sink.js'
import type {Directory} from '../directory.js'
import type {KeyVault} from '../keys/key-vault.js'
import type {RouteTable} from '../global/route-table.js'
import {CLUSTERS, OPERATOR_TENANT_ID, TENANTS, findTenant} from '../seed.js'
import type {AuditRetention, AuditStore, PlatformAudit} from './audit-store.js'
import type {AuditLog} from './audit-log.js'
import {ClusterDb} from './cluster-db.js'
import {ReplicationApplyError, isTransientSqliteError} from './replication-log.js'
import {wrongCluster} from './api/problem.js'
import {seedMore, seedTenant, type SeedMore, type SeedMoreResult} from './tenant-seed.js'

const GLOBAL_LOG = 'global'
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
  /** Set when an entry could not be applied on the secondary: shipping of this tenant has stopped until repaired. */
  broken?: ReplicationBroken
}

export interface ReplicationBroken {
  /** The replication entry (lsn on the active cluster) that could not be applied. */
  lsn: number
  error: string
  since: string
  /** The command that repairs it. */
  repair: string
}

/** A planned failover cannot drain a tenant whose replication is broken. */
export class ReplicationBrokenError extends Error {
  readonly code = 'REPLICATION_BROKEN'
  constructor(
    readonly tenantId: string,
    readonly broken: ReplicationBroken,
  ) {
    super(`Replication of ${findTenant(tenantId)?.name ?? tenantId} is broken (entry ${broken.lsn}: ${broken.error}).`)
  }
}

/** A tenant as an audit target, with its display name (the seed's). */
const tenantTarget = (tenantId: string) => {
  const name = findTenant(tenantId)?.displayName
  return {type: 'tenant', id: tenantId, ...(name ? {displayName: name} : {})}
}

const repairCommand = (tenantId: string) => `ppctl sandbox resync --tenant ${findTenant(tenantId)?.name ?? tenantId}`

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
  /** Encryption at rest: the key vault holding each tenant's keys. Without it the cluster files are plain SQLite. */
  vault?: KeyVault
}

export class ClusterSet implements PlatformAudit {
  private readonly dbs = new Map<string, ClusterDb>()
  /** The operator's audit log: in a database of its own, not replicated. */
  readonly globalLog: AuditLog
  private readonly globalDb: ClusterDb
  private readonly paused = new Set<string>()
  private shipScheduled = false
  private timer?: NodeJS.Timeout
  private closed = false
  /** The URI a 421 names; the server sets it once its port is known. */
  clusterUri: (clusterId: string) => string = (clusterId) => clusterId

  constructor(private readonly options: ClusterSetOptions) {
    for (const id of Object.keys(CLUSTERS)) {
      const db = new ClusterDb(id, join(options.dataDir, 'clusters', `${id}.db`), options.retention, true, options.vault)
      db.replication.onCommit = () => this.scheduleShip()
      // Checked inside each write's transaction: a failover (synchronous, like the transaction) is either wholly
      // before it, and the write is refused, or wholly after it, and the write is drained or counted as lost.
      db.guard = (tenantId) => {
        const route = options.routes.get(tenantId)
        if (route && route.home !== id) throw wrongCluster(route, this.clusterUri(route.home))
      }
      this.dbs.set(id, db)
    }
    this.globalDb = new ClusterDb(GLOBAL_LOG, join(options.dataDir, 'clusters', 'global-audit.db'), options.retention, false)
    this.globalLog = this.globalDb.audit
    for (const tenant of TENANTS) {
      const route = options.routes.get(tenant.id)
      // A locked tenant stays as it is on disk until its key is unlocked.
      if (route && !options.vault?.isLocked(tenant.id)) seedTenant(this.cluster(route.home).tenants, tenant, options.directory)
    }
    // Entries left unshipped by a previous run, and delayed ones, are picked up by a slow tick.
    this.timer = setInterval(() => this.ship(), Math.max(20, Math.min(250, options.replicationDelayMs ?? 250)))
    this.timer.unref()
    this.scheduleShip()
  }

  /** The key vault, when tenant data is encrypted at rest. */
  get vault(): KeyVault | undefined {
    return this.options.vault
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
    return this.storeFor(input.tenantId).record(input)
  }

  storeFor(tenantId: string): AuditLog {
    if (tenantId === OPERATOR_TENANT_ID || !this.options.routes.get(tenantId)) return this.globalLog
    return this.active(tenantId).audit
  }

  clusterStore(clusterId: string): AuditStore {
    return clusterId === GLOBAL_LOG ? this.globalLog : this.cluster(clusterId).audit
  }

  all(): AuditEvent[] {
    return [OPERATOR_TENANT_ID, ...TENANTS.map((t) => t.id)].flatMap((t) => this.storeFor(t).allEvents(t))
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

  /**
   * Ships one batch per tenant; reschedules itself while entries remain. Runs from timers, so nothing may escape:
   * a tenant whose entry cannot be applied is marked broken and skipped, the others keep replicating.
   */
  ship(): void {
    if (this.closed) return
    let more = false
    for (const tenant of TENANTS) {
      try {
        // A locked tenant's entries stay sealed in the log until its key is unlocked.
        if (this.paused.has(tenant.id) || this.broken(tenant.id) || this.options.vault?.isLocked(tenant.id)) continue
        const shipped = this.shipTenant(tenant.id, SHIP_BATCH, this.options.replicationDelayMs ?? 0)
        if (shipped === SHIP_BATCH) more = true
      } catch (err) {
        if (isTransientSqliteError(err)) this.options.log?.(`replication of ${tenant.id} waits for a lock, retried on the next tick: ${(err as Error).message}`)
        else this.markBroken(tenant.id, err)
      }
    }
    if (more) this.scheduleShip()
  }

  /** Why the tenant's replication stopped, if it did (kept in the active cluster's database). */
  broken(tenantId: string): ReplicationBroken | undefined {
    const route = this.options.routes.get(tenantId)
    if (!route) return undefined
    const row = this.cluster(route.home).replication.broken(tenantId)
    if (!row || row.target !== route.secondary) return undefined
    return {lsn: row.lsn, error: row.error, since: row.since, repair: repairCommand(tenantId)}
  }

  /** Stops shipping the tenant, says so in the log and in the tenant's audit; never throws. */
  private markBroken(tenantId: string, err: unknown): void {
    try {
      const route = this.options.routes.get(tenantId)
      if (!route) return
      const lsn = err instanceof ReplicationApplyError ? err.lsn : 0
      const error = err instanceof ReplicationApplyError ? err.reason : ((err as Error)?.message ?? String(err))
      const since = new Date().toISOString()
      this.cluster(route.home).replication.setBroken(tenantId, {target: route.secondary, lsn, error, since})
      this.options.log?.(`replication of ${tenantId} ${route.home} → ${route.secondary} broken at entry ${lsn}: ${error}; repair: ${repairCommand(tenantId)}`)
      this.cluster(route.home).audit.record({
        tenantId,
        action: 'replication.broken',
        result: 'failed',
        actor: {type: 'system', id: 'replication'},
        target: tenantTarget(tenantId),
        cluster: route.home,
        details: {from: route.home, to: route.secondary, epoch: route.epoch, lsn, error, repair: repairCommand(tenantId)},
      })
    } catch (inner) {
      // The stores themselves fail (closed, disk full): the log line is all that is left; the process stays up.
      this.options.log?.(`replication of ${tenantId} failed and could not be marked broken: ${(inner as Error)?.message ?? String(inner)}`)
    }
  }

  private shipTenant(tenantId: string, limit: number, minAgeMs: number): number {
    const route = this.options.routes.get(tenantId)
    if (!route) return 0
    const source = this.cluster(route.home).replication
    const target = this.cluster(route.secondary).replication
    let entries = source.pendingEntries(tenantId, target.appliedLsn(tenantId, route.home), limit)
    if (minAgeMs > 0) {
      const cutoff = Date.now() - minAgeMs
      const ready = entries.findIndex((e) => e.time > cutoff)
      if (ready >= 0) entries = entries.slice(0, ready)
    }
    if (entries.length === 0) return 0
    target.apply(route.home, tenantId, entries)
    source.trim(tenantId, entries[entries.length - 1].lsn)
    return entries.length
  }

  /** Applies everything pending for the tenant now, whatever the pause or delay; throws when replication is (or breaks) broken. */
  drain(tenantId: string): number {
    let total = 0
    for (;;) {
      const already = this.broken(tenantId)
      if (already) throw new ReplicationBrokenError(tenantId, already)
      let n: number
      try {
        n = this.shipTenant(tenantId, SHIP_BATCH, 0)
      } catch (err) {
        this.markBroken(tenantId, err)
        const broken = this.broken(tenantId)
        if (broken) throw new ReplicationBrokenError(tenantId, broken)
        throw err
      }
      total += n
      if (n < SHIP_BATCH) return total
    }
  }

  /**
   * Repairs a broken (or suspect) replication: the secondary's copy of the tenant is rebuilt from the active
   * cluster and shipping resumes from the active's current position. Nothing acknowledged is lost: the active
   * cluster holds every acknowledged write.
   */
  /** More members and seats on the tenant's active cluster (`ppctl sandbox seed`). */
  seedMore(tenantId: string, request: SeedMore): SeedMoreResult {
    const route = this.options.routes.get(tenantId)
    const tenant = TENANTS.find((t) => t.id === tenantId)
    if (!route || !tenant) throw new Error(`no route for tenant ${tenantId}`)
    return seedMore(this.cluster(route.home).tenants, tenant, request)
  }

  resync(tenantId: string): ReplicationStatus {
    const route = this.options.routes.get(tenantId)
    if (!route) throw new Error(`no route for tenant ${tenantId}`)
    const active = this.cluster(route.home)
    const secondary = this.cluster(route.secondary)
    const was = this.broken(tenantId)
    secondary.replication.copyTenantFrom(active.replication, tenantId)
    secondary.replication.setAppliedLsn(tenantId, route.home, active.replication.maxLsn())
    active.replication.trim(tenantId, active.replication.maxLsn())
    active.replication.setBroken(tenantId, undefined)
    active.audit.record({
      tenantId,
      action: 'replication.resynced',
      result: 'succeeded',
      actor: {type: 'system', id: 'sandbox-control'},
      target: tenantTarget(tenantId),
      cluster: route.home,
      details: {from: route.home, to: route.secondary, epoch: route.epoch, ...(was ? {brokenAt: was.lsn, error: was.error} : {})},
    })
    this.options.log?.(`replication of ${tenantId} resynced: ${route.secondary} rebuilt from ${route.home}`)
    try {
      // Ships the resync's own event now, which also proves the repaired pair replicates.
      this.drain(tenantId)
    } catch (err) {
      if (!(err instanceof ReplicationBrokenError)) throw err
    }
    return this.replicationStatus(tenantId)
  }

  replicationStatus(tenantId: string): ReplicationStatus {
    const route = this.options.routes.get(tenantId)
    if (!route) throw new Error(`no route for tenant ${tenantId}`)
    const stats = this.cluster(route.home).replication.pendingStats(tenantId, this.cluster(route.secondary).replication.appliedLsn(tenantId, route.home))
    const broken = this.broken(tenantId)
    return {
      tenantId,
      tenant: findTenant(tenantId)?.name ?? tenantId,
      active: route.home,
      secondary: route.secondary,
      epoch: route.epoch,
      lagEntries: stats.entries,
      lagMs: stats.oldestTime === undefined ? 0 : Math.max(0, Date.now() - stats.oldestTime),
      paused: this.paused.has(tenantId),
      ...(broken ? {broken} : {}),
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
      // The pair is rebuilt below from the new active: whatever broke the old shipping is gone with it.
      oldActive.replication.setBroken(tenantId, undefined)
      const applied = newActive.replication.appliedLsn(tenantId, from)
      lostWrites = oldActive.replication.pendingStats(tenantId, applied).entries
      oldActive.replication.trim(tenantId, Number.MAX_SAFE_INTEGER)
    } else {
      drainedWrites = this.drain(tenantId)
    }
    const swapped = this.options.routes.swap(tenantId)
    this.paused.delete(tenantId)
    if (force) {
      // The old region "comes back" as the secondary, with the new active's state.
      oldActive.replication.copyTenantFrom(newActive.replication, tenantId)
    }
    // The old active has everything the new one logged so far; ship only what comes next.
    oldActive.replication.setAppliedLsn(tenantId, to, newActive.replication.maxLsn())
    newActive.replication.trim(tenantId, newActive.replication.maxLsn())
    // A locked tenant's log cannot be written (its key is unavailable): the operator's log records its failover.
    const log = this.options.vault?.isLocked(tenantId) ? this.globalLog : newActive.audit
    const event = log.record({
      tenantId,
      action: 'failover.completed',
      result: 'succeeded',
      actor: {type: 'system', id: 'sandbox-control'},
      target: tenantTarget(tenantId),
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
    this.globalDb.close()
  }
}
