// Audits the gateway's refusals (401, 429) in the tenant's log, coalesced per window so a flood adds few events.
import type {IncomingMessage} from 'node:http'

import type {AuditActor, AuditInput} from '../audit-sink.js'
import {actorOf} from '../clusters/api/request.js'
import {hostOf, type RequestContext} from '../http-util.js'
import {OPERATOR_TENANT_ID} from '../seed.js'
import {unverifiedTenantOf, type Principal} from './verify-token.js'

const REFUSAL_ACTION = 'request.refused'
const DEFAULT_WINDOW_MS = 1000
const DEFAULT_MAX_PENDING = 10_000

/** One refused request, as the coalescer keys it. */
export interface Refusal {
  /** The log it goes to: the caller's tenant, or the operator's (platform) log when there is no usable tenant. */
  tenantId: string
  status: number
  code: string
  reason: string
  host: string
  actor: AuditActor
  clientIp?: string
  userAgent?: string
  correlationId?: string
}

export interface RefusalAuditOptions {
  record: (event: AuditInput) => void
  windowMs?: number
  now?: () => number
  /** Runs `fn` once after `ms`; returns its cancel. Default: an unref'd setTimeout. */
  schedule?: (fn: () => void, ms: number) => () => void
  /** Open windows held at once; past it the oldest is recorded early (its count so far), so memory stays bounded. */
  maxPending?: number
  log?: (line: string) => void
}

export interface RefusalAudit {
  refuse(refusal: Refusal): void
  /** Records every open window now (platform close); refusals after it are recorded one event each. */
  close(): void
  /** Open windows (tests). */
  readonly pending: number
}

interface Window {
  key: string
  first: Refusal
  count: number
  firstAt: number
  lastAt: number
  cancel: () => void
}

const realSchedule = (fn: () => void, ms: number) => {
  const timer = setTimeout(fn, ms)
  timer.unref()
  return () => clearTimeout(timer)
}

/**
 * One event per (tenant log, source IP, status, code, reason, host, actor) per window, recorded when the window
 * ends, with `details.count` = the requests it stands for: counts add up to every refused request, and a flood
 * from one source costs one event per window however many requests it sends.
 */
export function createRefusalAudit(options: RefusalAuditOptions): RefusalAudit {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS
  const now = options.now ?? Date.now
  const schedule = options.schedule ?? realSchedule
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING
  const open = new Map<string, Window>()
  let closed = false

  const write = (first: Refusal, count: number, firstAt: number, lastAt: number) => {
    try {
      options.record({
        tenantId: first.tenantId,
        action: REFUSAL_ACTION,
        result: 'failed',
        actor: first.actor,
        ...(first.clientIp ? {clientIp: first.clientIp} : {}),
        ...(first.userAgent ? {userAgent: first.userAgent} : {}),
        ...(first.correlationId ? {correlationId: first.correlationId} : {}),
        details: {
          status: first.status,
          code: first.code,
          reason: first.reason,
          host: first.host,
          count,
          firstAt: new Date(firstAt).toISOString(),
          lastAt: new Date(lastAt).toISOString(),
          windowSeconds: windowMs / 1000,
        },
      })
    } catch (err) {
      // Auditing a refusal must never fail the request it refuses.
      options.log?.(`gateway: could not record ${count} refusal(s) (${first.status} ${first.code}): ${(err as Error).message}`)
    }
  }

  const flush = (w: Window) => {
    if (open.get(w.key) !== w) return
    open.delete(w.key)
    w.cancel()
    write(w.first, w.count, w.firstAt, w.lastAt)
  }

  return {
    get pending() {
      return open.size
    },
    refuse(refusal) {
      const t = now()
      if (closed) {
        write(refusal, 1, t, t)
        return
      }
      const key = JSON.stringify([
        refusal.tenantId,
        refusal.clientIp,
        refusal.status,
        refusal.code,
        refusal.reason,
        refusal.host,
        refusal.actor.type,
        refusal.actor.id,
        refusal.actor.appId,
      ])
      let w = open.get(key)
      // A window whose timer is late (a busy event loop) still ends on time: this refusal opens the next one.
      if (w && t - w.firstAt >= windowMs) {
        flush(w)
        w = undefined
      }
      if (w) {
        w.count += 1
        w.lastAt = t
        return
      }
      if (open.size >= maxPending) flush(open.values().next().value as Window)
      const opened: Window = {key, first: refusal, count: 1, firstAt: t, lastAt: t, cancel: () => {}}
      open.set(key, opened)
      opened.cancel = schedule(() => flush(opened), windowMs)
    },
    close() {
      closed = true
      for (const w of [...open.values()]) flush(w)
    },
  }
}

export interface GatewayRefusalContext {
  /** True for a tenant that has a log on this platform (a seeded tenant with a route). */
  hasLog: (tenantId: string) => boolean
}

const CODES: Readonly<Record<number, string>> = {401: 'UNAUTHENTICATED', 429: 'RATE_LIMITED'}

/**
 * The refusal of a gateway 401 or 429. A 429's tenant is the verified principal's; a 401's is the `tid` the token
 * claims, read without trusting it: it only picks which tenant's log hears of the refusal (the actor stays
 * anonymous). A token without a usable tid goes to the operator's log.
 */
export function gatewayRefusal(
  ctx: GatewayRefusalContext,
  rc: RequestContext,
  req: IncomingMessage,
  status: number,
  reason: string,
  principal?: Principal,
): Refusal {
  const claimed = principal ? principal.tenantId : unverifiedTenantOf(req.headers.authorization)
  const tenantId = claimed !== undefined && ctx.hasLog(claimed) ? claimed : OPERATOR_TENANT_ID
  const ua = req.headers['user-agent']
  return {
    tenantId,
    status,
    code: CODES[status] ?? 'REFUSED',
    reason,
    host: hostOf(req),
    actor: principal ? actorOf(principal) : {type: 'anonymous'},
    clientIp: req.socket.remoteAddress,
    userAgent: typeof ua === 'string' && ua ? ua.slice(0, 256) : undefined,
    correlationId: rc.correlationId,
  }
}
