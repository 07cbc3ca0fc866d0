// What the audit API reads: a tenant's ordered audit log on one cluster (the cluster store implements it; tests use memory).
import type {AuditEvent} from '../audit-sink.js'

export type {AuditEvent}
// The contract is the cluster store's; this module only adds the filter semantics the in-memory reader needs.
export type {AuditQuery, AuditReader} from '../clusters/audit-store.js'
import type {AuditQuery} from '../clusters/audit-store.js'

/** The glob of the `action` filter as a RegExp: `*` is any run of characters, `?` one character, the rest literal. */
export function actionGlob(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  )
}

/** Whether an event passes the query's filters other than `after` and `limit`. */
export function matchesQuery(e: AuditEvent, q: Omit<AuditQuery, 'limit' | 'tenantId'>, action?: RegExp): boolean {
  if (q.since && e.time < q.since) return false
  if (q.until && e.time >= q.until) return false
  if (action && !action.test(e.action)) return false
  if (q.actor && e.actor.id !== q.actor && e.actor.upn !== q.actor && e.actor.appId !== q.actor) return false
  if (q.result && e.result !== q.result) return false
  return true
}
