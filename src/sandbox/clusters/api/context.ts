// What a cluster API route works with (the request, the caller, the tenant's data), roles, and audited changes.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {Principal} from '../../gateway/verify-token.js'
import type {RequestContext} from '../../http-util.js'
import type {AuditTarget} from '../../audit-sink.js'
import type {TenantStore, Tx} from '../tenant-store.js'
import {ROLE_HOLDERS, satisfies, type RequiredRole} from '../../route-spec.js'
import {problem} from './problem.js'
import {actorOf, header} from './request.js'
import type {KeyAdmin} from './keys.js'
import type {SessionAdmin} from './sessions.js'
import type {IsolationSettings} from '../../isolation/policy.js'

export interface Ctx {
  clusterId: string
  req: IncomingMessage
  res: ServerResponse
  rc: RequestContext
  principal: Principal
  url: URL
  method: string
  path: string
  /** The tenant data of this cluster (the tenant's active one). */
  store: TenantStore
  tenantId: string
  /** The identity's session revocation (POST /v1/users/{id}/revoke-sessions). */
  sessions?: SessionAdmin
  /** The tenant's keys, when the platform encrypts at rest (/v1/keys). */
  keys?: KeyAdmin
  /** Another tenant's isolation policy, wherever its data is (tenant isolation's inbound rule). */
  isolationOf?: (tenantId: string) => IsolationSettings | undefined
}

/** A route's share of the path: ['v1', top, id, sub, subId]. Returns false when the request is not its. */
export type ApiRoute = (ctx: Ctx, seg: string[]) => Promise<boolean>

/** A route's required role, from its table entry (dispatch and the audit prefix call it, not the handlers). */
export function requireRole(principal: Principal, required: RequiredRole): void {
  if (!satisfies(required, principal.roles)) {
    const allowed = required === 'anonymous' || required === 'signed-in' ? [] : ROLE_HOLDERS[required]
    throw problem(403, 'ROLE_FORBIDDEN', 'Your role does not allow this', `One of these roles is required: ${allowed.join(', ')}.`)
  }
}

export const isAdmin = (p: Principal) => p.roles.includes('Admin')

export function auditChange(ctx: Ctx, tx: Tx, action: string, target: AuditTarget, details?: Record<string, unknown>) {
  return tx.audit({
    tenantId: ctx.tenantId,
    action,
    result: 'succeeded',
    actor: actorOf(ctx.principal),
    target,
    clientIp: ctx.req.socket.remoteAddress,
    userAgent: header(ctx.req, 'user-agent'),
    correlationId: ctx.rc.correlationId,
    ...(details ? {details} : {}),
  })
}
