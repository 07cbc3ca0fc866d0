// The tenant's data keys: GET /v1/keys (status), POST /v1/keys/rotate|lock|unlock (Admin; If-Match optional, audited
// with before/after). Served while the tenant is locked: it is how an Admin unlocks it.
import {sendJson} from '../../http-util.js'
import type {KeyStatus, KeyVault} from '../../keys/key-vault.js'
import {findTenant} from '../../seed.js'
import {auditChange, type ApiRoute, type Ctx} from './context.js'
import {checkIfMatch, etagOf} from './etag.js'
import {problem} from './problem.js'

/** What the key routes need of the platform: its vault, and replication drained before a lock. */
export interface KeyAdmin {
  vault: KeyVault
  /** Ships what the tenant's secondary has not applied yet; throws when its replication is broken. */
  drain(tenantId: string): void
}

/** `GET /v1/keys` and the answer of each change. */
export interface TenantKeyJson extends KeyStatus {
  tenant: string
  displayName: string
  encryption: 'on'
  etag: string
}

const KEYS_PATH = ['v1', 'keys']

function keyJson(tenantId: string, status: KeyStatus): TenantKeyJson {
  const tenant = findTenant(tenantId)
  return {
    tenant: tenant?.name ?? tenantId,
    displayName: tenant?.displayName ?? tenantId,
    encryption: 'on',
    ...status,
    etag: etagOf({version: status.revision}),
  }
}

function admin(ctx: Ctx): KeyAdmin {
  if (!ctx.keys) {
    throw problem(
      409,
      'ENCRYPTION_OFF',
      'This platform does not encrypt tenant data at rest',
      'It was started with PPCTL_SANDBOX_ENCRYPTION=off: there are no tenant keys to manage.',
    )
  }
  return ctx.keys
}

const brief = (s: KeyStatus) => ({state: s.state, keyVersion: s.keyVersion, dataKeyVersion: s.dataKeyVersion})

export const keysApi: ApiRoute = async (ctx, seg) => {
  if (seg[0] !== KEYS_PATH[0] || seg[1] !== KEYS_PATH[1] || seg.length > 3) return false
  const action = seg[2]
  const {vault, drain} = admin(ctx)
  const before = vault.status(ctx.tenantId)
  const send = (status: KeyStatus) => {
    const body = keyJson(ctx.tenantId, status)
    sendJson(ctx.res, 200, body, {etag: body.etag})
  }
  if (action === undefined && ctx.method === 'GET') {
    send(before)
    return true
  }
  if (ctx.method !== 'POST') return false
  checkIfMatch(ctx, {version: before.revision}, false, 'tenant key')
  const target = {type: 'tenant', id: ctx.tenantId, displayName: findTenant(ctx.tenantId)?.displayName ?? ctx.tenantId}
  switch (action) {
    case 'rotate': {
      if (before.state === 'locked') throw problem(423, 'TENANT_LOCKED', 'The tenant key is locked', 'Unlock it first: ppctl keys unlock.')
      const after = vault.rotate(ctx.tenantId)
      ctx.store.write(ctx.tenantId, (tx) => auditChange(ctx, tx, 'tenant.key_rotated', target, {before: brief(before), after: brief(after)}))
      send(after)
      return true
    }
    case 'lock': {
      if (before.state === 'locked') {
        send(before)
        return true
      }
      // Recorded while the tenant's log can still be written; the lock follows at once, in the same turn.
      ctx.store.write(ctx.tenantId, (tx) =>
        auditChange(ctx, tx, 'tenant.key_locked', target, {before: brief(before), after: {...brief(before), state: 'locked'}}),
      )
      try {
        drain(ctx.tenantId)
      } catch {
        // Broken replication: what was not shipped stays sealed in the log until the tenant is unlocked and repaired.
      }
      send(vault.lock(ctx.tenantId))
      return true
    }
    case 'unlock': {
      if (before.state !== 'locked') {
        send(before)
        return true
      }
      const after = vault.unlock(ctx.tenantId)
      ctx.store.write(ctx.tenantId, (tx) => auditChange(ctx, tx, 'tenant.key_unlocked', target, {before: brief(before), after: brief(after)}))
      send(after)
      return true
    }
    default:
      return false
  }
}

/** 423 for every request of a locked tenant but the key routes: what the admin can do is in the answer. */
export function lockedProblem(tenantId: string) {
  const tenant = findTenant(tenantId)
  return problem(
    423,
    'TENANT_LOCKED',
    'The tenant is locked: its data key is unavailable',
    `The data key of ${tenant?.displayName ?? tenantId} is locked, so none of its data can be read. An Admin can unlock it with: ppctl keys unlock`,
    {tenantId},
  )
}
