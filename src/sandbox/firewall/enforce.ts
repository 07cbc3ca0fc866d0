// The gateway's IP firewall check: after the token is verified, before any service sees the request; blocked → 403 IP_BLOCKED, audit-only → request.would_block.
import type {IncomingMessage} from 'node:http'

import type {AuditInput} from '../audit-sink.js'
import {actorOf} from '../clusters/api/request.js'
import type {Principal} from '../gateway/verify-token.js'
import {hostOf, type Problem, type RequestContext} from '../http-util.js'
import {decide, type FirewallDecision} from './policy.js'
import {effectiveSettings, TENANT_SCOPE, type FirewallReader} from './store.js'

export interface FirewallEnforcementOptions {
  /** The tenant's data on its active cluster, or undefined for a principal without tenant data (the operator). */
  reader: (tenantId: string) => FirewallReader | undefined
  tenantName: (tenantId: string) => string
  /** A blocked request, for the coalesced refusal audit (`request.refused`, code IP_BLOCKED). */
  refused: (req: IncomingMessage, rc: RequestContext, principal: Principal, decision: FirewallDecision, reason: string) => void
  /** An audit-only miss: `request.would_block`. */
  record: (event: AuditInput) => void
  log?: (line: string) => void
}

const segmentsOf = (req: IncomingMessage) => {
  const url = new URL(req.url ?? '/', 'https://gateway.invalid')
  return {
    seg: url.pathname
      .split('/')
      .slice(1)
      .map((s) => safeDecode(s)),
    query: url.searchParams,
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * The environment a request is about, when its path or query names one: /v1/environments/{id}/…, a flow by id
 * (its environment), or `?environmentId=`. Anything else is the tenant's (its default applies).
 */
function environmentOfRequest(r: FirewallReader, tenantId: string, req: IncomingMessage): string | undefined {
  const {seg, query} = segmentsOf(req)
  const byKey = (key: string) =>
    r.get<{id: string}>(
      'SELECT id FROM environments WHERE tenant_id = ? AND (id = ? OR display_name = ? COLLATE NOCASE) ORDER BY id = ? DESC LIMIT 1',
      tenantId,
      key,
      key,
      key,
    )?.id
  if (seg[0] === 'v1' && seg[1] === 'environments' && seg[2]) return byKey(seg[2])
  if (seg[0] === 'v1' && seg[1] === 'flows' && seg[2]) {
    return r.get<{environment_id: string}>('SELECT environment_id FROM flows WHERE tenant_id = ? AND id = ?', tenantId, seg[2])?.environment_id
  }
  const named = query.get('environmentId') ?? query.get('environment')
  return named ? byKey(named) : undefined
}

const forwardedFor = (req: IncomingMessage) => {
  const v = req.headers['x-forwarded-for']
  return Array.isArray(v) ? v.join(',') : v
}

export function createFirewallEnforcement(options: FirewallEnforcementOptions) {
  return function admit(req: IncomingMessage, rc: RequestContext, principal: Principal): Problem | undefined {
    const r = options.reader(principal.tenantId)
    if (!r) return undefined
    let decision: FirewallDecision
    let scope: string
    try {
      const environmentId = environmentOfRequest(r, principal.tenantId, req)
      const effective = effectiveSettings(r, principal.tenantId, environmentId)
      scope = effective.scope
      decision = decide(effective.settings, {remoteAddress: req.socket.remoteAddress, forwardedFor: forwardedFor(req), kind: principal.kind})
    } catch (err) {
      // A policy that cannot be read fails closed: the request is refused, and the operator learns why.
      options.log?.(`firewall: could not evaluate the policy of ${principal.tenantId}: ${(err as Error).message}`)
      return {
        status: 503,
        code: 'FIREWALL_UNAVAILABLE',
        title: 'The IP firewall could not be evaluated',
        detail: 'Try again; if it persists, report it with the correlation id.',
      }
    }
    if (decision.outcome === 'allowed') return undefined
    const where = scope === TENANT_SCOPE ? 'tenant default' : `environment ${scope}`
    if (decision.outcome === 'would-block') {
      try {
        options.record({
          tenantId: principal.tenantId,
          action: 'request.would_block',
          result: 'succeeded',
          actor: actorOf(principal),
          ...(decision.clientIp ? {clientIp: decision.clientIp} : {}),
          correlationId: rc.correlationId,
          details: {method: req.method, host: hostOf(req), path: (req.url ?? '/').split('?')[0], scope: where, via: decision.via, reason: decision.reason},
        })
      } catch (err) {
        options.log?.(`firewall: could not record request.would_block: ${(err as Error).message}`)
      }
      return undefined
    }
    const tenant = options.tenantName(principal.tenantId)
    options.refused(req, rc, principal, decision, `IP firewall (${where}): ${decision.reason}`)
    return {
      status: 403,
      code: 'IP_BLOCKED',
      title: 'Blocked by the IP firewall',
      detail: `blocked by the IP firewall of ${tenant}: ${decision.reason}`,
      tenant,
      clientIp: decision.clientIp,
      firewallScope: scope === TENANT_SCOPE ? 'tenant' : 'environment',
      ...(scope === TENANT_SCOPE ? {} : {environmentId: scope}),
    }
  }
}
