// The IP firewall's API: the tenant default and each environment's policy (read, replace with If-Match, audited), the decision for an address, and what a policy would have blocked.
import type {IncomingMessage} from 'node:http'

import {sendJson} from '../../http-util.js'
import {decide, FirewallInputError, parseSettings, type FirewallDecision, type FirewallSettings} from '../../firewall/policy.js'
import {parseAddress} from '../../firewall/ranges.js'
import {effectiveSettings, firewallRow, policyJson, settingsOf, TENANT_SCOPE} from '../../firewall/store.js'
import {auditChange, type ApiRoute, type Ctx} from './context.js'
import {checkIfMatch} from './etag.js'
import {findEnvironment, readerOf} from './governance.js'
import {problem} from './problem.js'
import {readBody} from './request.js'

const MAX_DRY_RUN_DAYS = 90
const DRY_RUN_EVENTS = 50_000

const invalid = (err: unknown) => {
  if (err instanceof FirewallInputError)
    return problem(400, 'INVALID_FIREWALL_POLICY', 'The firewall policy is not valid', err.message, {
      field: err.field,
      ...(err.index === undefined ? {} : {index: err.index}),
    })
  return err
}

const forwardedFor = (req: IncomingMessage) => {
  const v = req.headers['x-forwarded-for']
  return Array.isArray(v) ? v.join(',') : v
}

/** The decision a policy makes about this very request (the caller's own address). */
const selfDecision = (ctx: Ctx, settings: FirewallSettings): FirewallDecision =>
  decide(settings, {remoteAddress: ctx.req.socket.remoteAddress, forwardedFor: forwardedFor(ctx.req), kind: ctx.principal.kind})

function scopeOf(ctx: Ctx, seg: string[]): string | undefined {
  if (seg[1] === 'firewall' && seg.length === 2) return TENANT_SCOPE
  if (seg[1] === 'environments' && seg[3] === 'firewall' && seg.length === 4) return findEnvironment(readerOf(ctx.store), ctx.tenantId, seg[2]).id
  return undefined
}

function show(ctx: Ctx, scope: string) {
  const r = readerOf(ctx.store)
  const row = firewallRow(r, ctx.tenantId, scope)
  const inherited = scope === TENANT_SCOPE ? undefined : settingsOf(firewallRow(r, ctx.tenantId, TENANT_SCOPE))
  const policy = policyJson(row, scope, inherited)
  const overrides =
    scope === TENANT_SCOPE
      ? r
          .all<{scope: string}>('SELECT scope FROM firewall_policies WHERE tenant_id = ? AND scope <> ? ORDER BY scope', ctx.tenantId, TENANT_SCOPE)
          .map((x) => x.scope)
      : undefined
  return {...policy, ...(overrides ? {environmentOverrides: overrides} : {inheritsTenantDefault: row === undefined})}
}

async function replace(ctx: Ctx, scope: string) {
  const body = await readBody(ctx.req)
  let settings: FirewallSettings
  try {
    settings = parseSettings(body)
  } catch (err) {
    throw invalid(err)
  }
  const force = ctx.url.searchParams.get('force') === 'true'
  const self = selfDecision(ctx, settings)
  if (self.outcome === 'blocked' && !force) {
    throw problem(
      409,
      'FIREWALL_SELF_LOCKOUT',
      'This policy would block your own address',
      `${self.reason}: add it to allowedRanges, use auditOnly first, or send force=true to apply it anyway.`,
      {clientIp: self.clientIp},
    )
  }
  const at = new Date().toISOString()
  const actor = ctx.principal.oid ?? ctx.principal.clientId ?? ctx.principal.subject
  const result = ctx.store.write(ctx.tenantId, (tx) => {
    const row = firewallRow(tx, ctx.tenantId, scope)
    checkIfMatch(ctx, row ?? {version: 0}, true, 'firewall policy')
    const inherited = scope === TENANT_SCOPE ? undefined : settingsOf(firewallRow(tx, ctx.tenantId, TENANT_SCOPE))
    const before = policyJson(row, scope, inherited)
    if (row) {
      tx.run(
        'UPDATE firewall_policies SET doc = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND scope = ?',
        JSON.stringify(settings),
        actor,
        at,
        ctx.tenantId,
        scope,
      )
    } else {
      tx.run(
        'INSERT INTO firewall_policies (tenant_id, scope, doc, updated_by, updated_at, version) VALUES (?, ?, ?, ?, ?, 1)',
        ctx.tenantId,
        scope,
        JSON.stringify(settings),
        actor,
        at,
      )
    }
    const after = policyJson(firewallRow(tx, ctx.tenantId, scope), scope)
    auditChange(
      ctx,
      tx,
      'firewall.updated',
      {type: 'firewallPolicy', id: scope === TENANT_SCOPE ? 'tenant' : scope},
      {
        scope: after.scope,
        ...(after.environmentId ? {environmentId: after.environmentId} : {}),
        ...(force && self.outcome === 'blocked' ? {forced: true, callerAddress: self.clientIp} : {}),
        before,
        after,
      },
    )
    return after
  })
  return {...result, ...(self.outcome === 'blocked' ? {warning: `This policy blocks your own address ${self.clientIp ?? '(unknown)'}.`} : {})}
}

function testAddress(ctx: Ctx, body: Record<string, unknown>) {
  for (const k of Object.keys(body))
    if (!['ip', 'environmentId', 'servicePrincipal', 'forwardedFor'].includes(k))
      throw problem(400, 'INVALID_BODY', `Unknown field ${k}`, 'The fields are ip, environmentId, servicePrincipal, forwardedFor.', {field: k})
  if (typeof body.ip !== 'string' || !parseAddress(body.ip))
    throw problem(400, 'INVALID_BODY', 'ip must be an IPv4 or IPv6 address', 'e.g. {"ip": "203.0.113.7"}', {field: 'ip'})
  if (body.servicePrincipal !== undefined && typeof body.servicePrincipal !== 'boolean')
    throw problem(400, 'INVALID_BODY', 'servicePrincipal must be true or false', undefined, {field: 'servicePrincipal'})
  if (body.forwardedFor !== undefined && (typeof body.forwardedFor !== 'string' || body.forwardedFor.length > 1024))
    throw problem(400, 'INVALID_BODY', 'forwardedFor must be an X-Forwarded-For value', undefined, {field: 'forwardedFor'})
  const r = readerOf(ctx.store)
  let environmentId: string | undefined
  if (body.environmentId !== undefined) {
    if (typeof body.environmentId !== 'string' || !body.environmentId)
      throw problem(400, 'INVALID_BODY', 'environmentId must be an environment id or name', undefined, {field: 'environmentId'})
    environmentId = findEnvironment(r, ctx.tenantId, body.environmentId).id
  }
  const {settings, scope} = effectiveSettings(r, ctx.tenantId, environmentId)
  const decision = decide(settings, {
    remoteAddress: body.ip,
    ...(typeof body.forwardedFor === 'string' ? {forwardedFor: body.forwardedFor} : {}),
    kind: body.servicePrincipal === true ? 'servicePrincipal' : 'user',
  })
  return {
    ip: body.ip,
    ...(environmentId ? {environmentId} : {}),
    policyScope: scope === TENANT_SCOPE ? 'tenant' : 'environment',
    ...(scope === TENANT_SCOPE ? {} : {policyEnvironmentId: scope}),
    enabled: settings.enabled,
    auditOnly: settings.auditOnly,
    ...decision,
  }
}

interface WouldBlock {
  ip: string
  requests: number
  firstSeen: string
  lastSeen: string
  actors: string[]
}

/** What a proposed policy would have blocked: the addresses of the audit log's events of the last days that it refuses. */
async function dryRun(ctx: Ctx, body: Record<string, unknown>) {
  const {days: rawDays, policy, environmentId: envKey, ...rest} = body
  const extra = Object.keys(rest)[0]
  if (extra) throw problem(400, 'INVALID_BODY', `Unknown field ${extra}`, 'The fields are policy, days, environmentId.', {field: extra})
  const days = rawDays === undefined ? 7 : rawDays
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DRY_RUN_DAYS)
    throw problem(400, 'INVALID_BODY', `days must be a whole number from 1 to ${MAX_DRY_RUN_DAYS}`, undefined, {field: 'days'})
  if (!policy || typeof policy !== 'object' || Array.isArray(policy))
    throw problem(400, 'INVALID_BODY', 'policy must be a firewall policy object', undefined, {field: 'policy'})
  let settings: FirewallSettings
  try {
    settings = parseSettings(policy as Record<string, unknown>)
  } catch (err) {
    throw invalid(err)
  }
  if (envKey !== undefined && typeof envKey !== 'string')
    throw problem(400, 'INVALID_BODY', 'environmentId must be an environment id or name', undefined, {field: 'environmentId'})
  const environmentId = envKey ? findEnvironment(readerOf(ctx.store), ctx.tenantId, envKey).id : undefined
  const since = new Date(Date.now() - days * 86_400_000).toISOString()
  const db = ctx.store
  const rows = db
    .prepare('SELECT json FROM audit WHERE tenant_id = ? AND time >= ? ORDER BY seq DESC LIMIT ?')
    .all(ctx.tenantId, since, DRY_RUN_EVENTS) as Array<{json: string}>
  const blocked = new Map<string, WouldBlock>()
  let events = 0
  for (const {json} of rows) {
    const e = JSON.parse(json) as {
      time: string
      clientIp?: string
      actor?: {type?: string; upn?: string; id?: string; appId?: string}
      details?: {environmentId?: unknown}
    }
    if (!e.clientIp) continue
    // An environment's policy is judged on that environment's events only; the tenant default on all of them.
    if (environmentId && e.details?.environmentId !== environmentId) continue
    events += 1
    const d = decide(
      {...settings, auditOnly: false, enabled: true},
      {remoteAddress: e.clientIp, kind: e.actor?.type === 'servicePrincipal' ? 'servicePrincipal' : 'user'},
    )
    if (d.outcome === 'allowed') continue
    const key = d.clientIp ?? e.clientIp
    const who = e.actor?.upn ?? e.actor?.appId ?? e.actor?.id ?? 'anonymous'
    const entry = blocked.get(key) ?? {ip: key, requests: 0, firstSeen: e.time, lastSeen: e.time, actors: []}
    entry.requests += 1
    if (e.time < entry.firstSeen) entry.firstSeen = e.time
    if (e.time > entry.lastSeen) entry.lastSeen = e.time
    if (!entry.actors.includes(who) && entry.actors.length < 20) entry.actors.push(who)
    blocked.set(key, entry)
  }
  const self = selfDecision(ctx, {...settings, auditOnly: false, enabled: true})
  return {
    days,
    since,
    ...(environmentId ? {environmentId} : {}),
    eventsChecked: events,
    truncated: rows.length === DRY_RUN_EVENTS,
    wouldBlock: [...blocked.values()].sort((a, b) => b.requests - a.requests || a.ip.localeCompare(b.ip)),
    callerAddress: self.clientIp,
    callerWouldBeBlocked: self.outcome !== 'allowed',
  }
}

/** What the tenant default makes of the caller's own request (`route diagnose`): the gateway let it in, so allowed or would-block. */
function self(ctx: Ctx) {
  const {settings} = effectiveSettings(readerOf(ctx.store), ctx.tenantId, undefined)
  const d = selfDecision(ctx, settings)
  return {
    enabled: settings.enabled,
    auditOnly: settings.auditOnly,
    rangeCount: settings.allowedRanges.length,
    outcome: d.outcome,
    clientIp: d.clientIp,
    via: d.via,
    reason: d.reason,
  }
}

export const firewallApi: ApiRoute = async (ctx, seg) => {
  const {method, res} = ctx
  if (seg[1] === 'firewall' && seg[2] === 'self' && seg.length === 3 && method === 'GET') {
    sendJson(res, 200, self(ctx), {'cache-control': 'no-store'})
    return true
  }
  if (seg[1] === 'firewall' && seg.length === 3 && method === 'POST' && (seg[2] === 'test' || seg[2] === 'dry-run')) {
    const body = await readBody(ctx.req)
    sendJson(res, 200, seg[2] === 'test' ? testAddress(ctx, body) : await dryRun(ctx, body))
    return true
  }
  const scope = scopeOf(ctx, seg)
  if (scope === undefined) return false
  if (method === 'GET') {
    const p = show(ctx, scope)
    sendJson(res, 200, p, {etag: p.etag})
    return true
  }
  if (method === 'PUT') {
    const p = await replace(ctx, scope)
    sendJson(res, 200, p, {etag: p.etag})
    return true
  }
  return false
}
