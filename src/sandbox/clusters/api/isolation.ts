// Tenant isolation's API (the policy, read and replaced with If-Match, audited; the cross-tenant connection report) and its check of a flow's connections.
import {sendJson} from '../../http-util.js'
import type {FlowConnector} from '../../dlp/model.js'
import {allows, DEFAULT_ISOLATION, IsolationInputError, parseIsolation, type Direction, type IsolationSettings} from '../../isolation/policy.js'
import type {ApiRoute, Ctx} from './context.js'
import {readerOf, type Reader} from './governance.js'
import {problem} from './problem.js'
import {actorOf, header, readBody} from './request.js'
import {tenantSettings} from './tenant-settings.js'

const doc = tenantSettings<IsolationSettings>({
  table: 'isolation_policies',
  defaults: DEFAULT_ISOLATION,
  what: 'tenant isolation policy',
  action: 'isolation.policy.updated',
  target: {type: 'isolationPolicy', id: 'tenant'},
})

/** A tenant's isolation settings as its data holds them (off when never set). */
export const isolationOf = (r: Reader, tenantId: string): IsolationSettings => doc.read(r, tenantId)

interface Crossing {
  connectorId: string
  accountTenant: string
  direction: Direction
  /** Which tenant's policy refuses it: this tenant's (outbound) or the partner's (inbound). */
  refusedBy?: 'this tenant' | 'partner tenant'
}

/** The connections of a flow that cross into another tenant, and whether the policies in force (this tenant's, the partner's) let each through. */
function crossingsOf(ctx: Ctx, connectors: readonly FlowConnector[], own: IsolationSettings): Crossing[] {
  return connectors.flatMap((c) => {
    if (!c.accountTenant || c.accountTenant === ctx.tenantId) return []
    const partner = ctx.isolationOf?.(c.accountTenant) ?? DEFAULT_ISOLATION
    // This tenant's flow, an account of the partner: outbound here, inbound there.
    const refusedBy = !allows(own, c.accountTenant, 'outbound') ? 'this tenant' : !allows(partner, ctx.tenantId, 'inbound') ? 'partner tenant' : undefined
    return [{connectorId: c.id, accountTenant: c.accountTenant, direction: 'outbound' as const, ...(refusedBy ? {refusedBy} : {})}]
  })
}

/**
 * Refuses (403 TENANT_ISOLATION, audited `isolation.refused`) a flow whose connections reach a tenant that this
 * tenant's policy (outbound) or the partner's (inbound) does not allow. Runs before the flow's write.
 */
export function checkIsolation(ctx: Ctx, flow: {id?: string; displayName: string; environmentId: string}, connectors: readonly FlowConnector[]): void {
  const refused = crossingsOf(ctx, connectors, isolationOf(readerOf(ctx.store), ctx.tenantId)).filter((c) => c.refusedBy)
  const first = refused[0]
  if (!first) return
  const message =
    first.refusedBy === 'this tenant'
      ? `Tenant isolation: connections to accounts of tenant ${first.accountTenant} are not allowed (outbound) by this tenant's policy.`
      : `Tenant isolation: tenant ${first.accountTenant} does not allow connections from this tenant into its accounts (inbound).`
  ctx.store.write(ctx.tenantId, (tx) =>
    tx.audit({
      tenantId: ctx.tenantId,
      action: 'isolation.refused',
      result: 'failed',
      actor: actorOf(ctx.principal),
      target: {type: 'flow', id: flow.id ?? '(new)', displayName: flow.displayName},
      clientIp: ctx.req.socket.remoteAddress,
      userAgent: header(ctx.req, 'user-agent'),
      correlationId: ctx.rc.correlationId,
      details: {environmentId: flow.environmentId, connections: refused},
    }),
  )
  throw problem(403, 'TENANT_ISOLATION', 'Tenant isolation refuses this connection', message, {
    connectorId: first.connectorId,
    accountTenant: first.accountTenant,
    direction: first.direction,
    refusedBy: first.refusedBy,
  })
}

async function replace(ctx: Ctx) {
  const body = await readBody(ctx.req)
  let settings: IsolationSettings
  try {
    settings = parseIsolation(body)
  } catch (err) {
    if (err instanceof IsolationInputError)
      throw problem(400, 'INVALID_ISOLATION_POLICY', 'The tenant isolation policy is not valid', err.message, {field: err.field})
    throw err
  }
  return doc.replace(ctx, settings)
}

/** Every connection of this tenant's flows that crosses into another tenant, and what isolation (on, as set now) would do with it. */
function report(ctx: Ctx) {
  const r = readerOf(ctx.store)
  const own = isolationOf(r, ctx.tenantId)
  const asIfOn = {...own, enabled: true}
  const flows = r.all<{id: string; display_name: string; environment_id: string; connectors: string; state: string}>(
    'SELECT id, display_name, environment_id, connectors, state FROM flows WHERE tenant_id = ? ORDER BY id',
    ctx.tenantId,
  )
  const items = flows.flatMap((f) =>
    crossingsOf(ctx, JSON.parse(f.connectors) as FlowConnector[], asIfOn).map((c) => ({
      flowId: f.id,
      flowName: f.display_name,
      environmentId: f.environment_id,
      state: f.state,
      connectorId: c.connectorId,
      accountTenant: c.accountTenant,
      direction: c.direction,
      wouldBeRefused: c.refusedBy !== undefined,
      ...(c.refusedBy ? {refusedBy: c.refusedBy} : {}),
    })),
  )
  return {isolationEnabled: own.enabled, crossings: items.length, wouldBeRefused: items.filter((i) => i.wouldBeRefused).length, items}
}

export const isolationApi: ApiRoute = async (ctx, seg) => {
  if (seg[1] !== 'isolation') return false
  if (seg.length === 3 && seg[2] === 'report' && ctx.method === 'GET') {
    sendJson(ctx.res, 200, report(ctx))
    return true
  }
  if (seg.length !== 2) return false
  const p = ctx.method === 'PUT' ? await replace(ctx) : doc.answer(readerOf(ctx.store), ctx.tenantId)
  sendJson(ctx.res, 200, p, {etag: p.etag})
  return true
}
