// Flows in an environment: list, create and change (checked against the environment's security group and DLP policies), read, delete.
import {randomBytes} from 'node:crypto'

import {sendJson} from '../../http-util.js'
import {evaluate, type CatalogConnector} from '../../dlp/evaluate.js'
import type {DlpEvaluation, FlowConnector} from '../../dlp/model.js'
import {auditChange, isAdmin, type ApiRoute, type Ctx} from './context.js'
import {checkIfMatch, etagOf} from './etag.js'
import {
  admits,
  catalogOf,
  ENDPOINT_FILTERING,
  environmentOf,
  findEnvironment,
  findFlow,
  flowJson,
  policiesOf,
  readerOf,
  type EnvironmentRow,
  type FlowRow,
  type Reader,
} from './governance.js'
import {idempotent} from './idempotency.js'
import {decodeCursor, encodeCursor, limitOf} from './paging.js'
import {HttpProblem, problem} from './problem.js'
import {readBody} from './request.js'
import {checkIsolation} from './isolation.js'
import {tenantKey} from '../../isolation/policy.js'
import {findUser} from './users.js'

const MAX_FLOW_CONNECTORS = 50
const NAME = /^[^\u0000-\u001f\u007f]{1,120}$/u

const bad = (field: string, title: string, detail?: string) => problem(400, 'INVALID_BODY', title, detail, {field})

function strings(v: unknown, field: string, max: number, maxLength: number): string[] {
  if (
    !Array.isArray(v) ||
    v.length > max ||
    !v.every((s) => typeof s === 'string' && s.length > 0 && s.length <= maxLength && !/[\u0000-\u001f\u007f]/.test(s))
  )
    throw bad(field, `${field} must be a list of at most ${max} strings of 1–${maxLength} characters`)
  return v as string[]
}

/**
 * A flow's connector list, checked against the catalogue: each connector once, existing, and (custom ones) of the
 * environment; endpoints only for connectors with endpoint filtering. `allowIds` also takes bare ids.
 */
export function parseFlowConnectors(raw: unknown, catalog: ReadonlyMap<string, CatalogConnector>, environmentId: string, allowIds = false): FlowConnector[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_FLOW_CONNECTORS)
    throw bad('connectors', `connectors must list 1–${MAX_FLOW_CONNECTORS} connectors`, 'Each {"id": "shared_sql", "actions": [...], "endpoints": [...]}.')
  const seen = new Set<string>()
  return raw.map((item: unknown, i) => {
    const f = `connectors[${i}]`
    const o = allowIds && typeof item === 'string' ? {id: item} : item
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad(f, `${f} must be {id, actions?, endpoints?}`)
    const c = o as Record<string, unknown>
    for (const k of Object.keys(c))
      if (!['id', 'actions', 'endpoints', 'accountTenant'].includes(k))
        throw bad(`${f}.${k}`, `${f}.${k} is not a field`, 'Fields: id, actions, endpoints, accountTenant.')
    if (typeof c.id !== 'string' || !c.id || c.id.length > 200) throw bad(`${f}.id`, `${f}.id is required`)
    const known = catalog.get(c.id)
    if (!known)
      throw problem(404, 'CONNECTOR_NOT_FOUND', `No connector ${c.id} in this tenant`, 'List them with GET /v1/connectors.', {
        field: `${f}.id`,
        connectorId: c.id,
      })
    if (known.tier === 'custom' && known.environmentId !== environmentId)
      throw problem(
        422,
        'CONNECTOR_NOT_IN_ENVIRONMENT',
        `Custom connector ${c.id} belongs to environment ${known.environmentId}`,
        `Use it in ${known.environmentId}, or a custom connector of ${environmentId}.`,
        {
          field: `${f}.id`,
          connectorId: c.id,
          environmentId,
        },
      )
    if (seen.has(c.id)) throw bad(`${f}.id`, `${c.id} is listed twice`, 'List each connector once, with all its actions and endpoints.')
    seen.add(c.id)
    const out: FlowConnector = {id: c.id}
    if (c.accountTenant !== undefined) {
      const tenant = typeof c.accountTenant === 'string' ? tenantKey(c.accountTenant) : undefined
      if (!tenant) throw bad(`${f}.accountTenant`, `${f}.accountTenant must be a tenant id or domain`, 'The tenant of the account the connection signs in as.')
      out.accountTenant = tenant
    }
    if (c.actions !== undefined) out.actions = strings(c.actions, `${f}.actions`, 100, 100)
    if (c.endpoints !== undefined) {
      out.endpoints = strings(c.endpoints, `${f}.endpoints`, 100, 500)
      if (out.endpoints.length > 0 && !ENDPOINT_FILTERING.has(c.id))
        throw problem(
          422,
          'ENDPOINT_FILTERING_UNSUPPORTED',
          `${c.id} does not support endpoint filtering`,
          `Endpoints are checked for ${[...ENDPOINT_FILTERING].join(', ')}.`,
          {
            field: `${f}.endpoints`,
            connectorId: c.id,
          },
        )
    }
    return out
  })
}

/** 403 DLP_VIOLATION: the first violation's policy, groups and connectors, and every violation. */
function dlpViolation(evaluation: DlpEvaluation): HttpProblem {
  const first = evaluation.violations[0]
  return new HttpProblem({
    status: 403,
    code: 'DLP_VIOLATION',
    title: 'A DLP policy forbids this flow',
    detail: `${first.message} ${first.fixes[0] ?? ''}`.trim(),
    policyId: first.policyId,
    policyName: first.policyName,
    groups: first.groups,
    connectors: first.connectors,
    violations: evaluation.violations,
  })
}

function refuseOutsider(env: EnvironmentRow, upn: string): HttpProblem {
  return problem(
    403,
    'ENVIRONMENT_ACCESS_DENIED',
    `${upn} may not use environment ${env.display_name}`,
    `Only members of security group ${env.security_group_id} use ${env.id}; ask an Admin to add them, or use another environment.`,
    {environmentId: env.id, securityGroupId: env.security_group_id},
  )
}

/** Refuses a flow its environment's group or policies do not allow. */
function checkFlow(r: Reader, ctx: Ctx, env: EnvironmentRow, owner: {id: string; upn: string}, connectors: FlowConnector[], flowId?: string): void {
  if (!admits(r, ctx.tenantId, env, owner.id)) throw refuseOutsider(env, owner.upn)
  const evaluation = evaluate({environmentId: env.id, connectors, ...(flowId ? {flowId} : {})}, catalogOf(r, ctx.tenantId), policiesOf(r, ctx.tenantId))
  if (!evaluation.allowed) throw dlpViolation(evaluation)
}

const callerId = (ctx: Ctx) => ctx.principal.oid ?? ctx.principal.clientId ?? ctx.principal.subject

function requireOwnerOrAdmin(ctx: Ctx, flow: FlowRow): void {
  if (!isAdmin(ctx.principal) && flow.owner_id !== callerId(ctx))
    throw problem(403, 'ROLE_FORBIDDEN', 'A Maker changes only the flows it owns', 'Ask an Admin or the owner.')
}

const flowName = (v: unknown) => {
  const name = typeof v === 'string' ? v.trim() : ''
  if (!NAME.test(name)) throw bad('displayName', 'displayName is required', '1–120 characters, no control characters.')
  return name
}

export const flowsApi: ApiRoute = async (ctx, seg) => {
  const {method, url, tenantId, res, principal} = ctx
  const [, top, id] = seg
  if (top !== 'flows') return false
  const reader = readerOf(ctx.store)
  if (seg.length === 2 && method === 'GET') {
    const limit = limitOf(url)
    const after = decodeCursor(url.searchParams.get('cursor')) ?? ''
    const where = ['tenant_id = ?', 'id > ?']
    const params: unknown[] = [tenantId, after]
    const envKey = url.searchParams.get('environment')
    if (envKey !== null) {
      where.push('environment_id = ?')
      params.push(environmentOf(reader, tenantId, envKey, 'environment').id)
    }
    const state = url.searchParams.get('state')
    if (state !== null) {
      if (state !== 'on' && state !== 'suspended') throw problem(400, 'INVALID_FILTER', 'state must be on or suspended')
      where.push('state = ?')
      params.push(state)
    }
    const owner = url.searchParams.get('owner')
    if (owner !== null) {
      where.push('owner_id = ?')
      params.push(findUser(ctx, owner).id)
    }
    const name = url.searchParams.get('name')
    if (name !== null) {
      where.push('display_name = ? COLLATE NOCASE')
      params.push(name)
    }
    const rows = reader.all<FlowRow>(`SELECT * FROM flows WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, ...params, limit + 1)
    const page = rows.slice(0, limit)
    sendJson(res, 200, {items: page.map((f) => flowJson(reader, tenantId, f)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null})
    return true
  }
  if (seg.length === 2 && method === 'POST') {
    const body = await readBody(ctx.req)
    for (const k of Object.keys(body))
      if (!['displayName', 'environmentId', 'ownerId', 'connectors'].includes(k))
        throw bad(k, `${k} is not a field of a flow`, 'Fields: displayName, environmentId, ownerId, connectors.')
    const displayName = flowName(body.displayName)
    const env = environmentOf(reader, tenantId, body.environmentId)
    if (body.ownerId !== undefined && typeof body.ownerId !== 'string') throw bad('ownerId', 'ownerId must be a user id or UPN')
    const owner = findUser(ctx, (body.ownerId as string | undefined) ?? callerId(ctx))
    if (owner.id !== callerId(ctx) && !isAdmin(principal))
      throw problem(403, 'ROLE_FORBIDDEN', 'Only an Admin creates flows owned by someone else', 'Leave ownerId out to own it.')
    const connectors = parseFlowConnectors(body.connectors, catalogOf(reader, tenantId), env.id)
    checkIsolation(ctx, {displayName, environmentId: env.id}, connectors)
    const slug =
      displayName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 40) || 'flow'
    const newId = `flow-${slug}-${randomBytes(3).toString('hex')}`
    await idempotent(ctx, body, (tx) => {
      const envNow = findEnvironment(tx, tenantId, env.id)
      checkFlow(tx, ctx, envNow, owner, connectors, newId)
      const at = new Date().toISOString()
      tx.run(
        "INSERT INTO flows (tenant_id, id, display_name, environment_id, owner_id, connectors, state, suspension, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 'on', NULL, ?, ?, ?, 1)",
        tenantId,
        newId,
        displayName,
        env.id,
        owner.id,
        JSON.stringify(connectors),
        callerId(ctx),
        at,
        at,
      )
      const flow = flowJson(tx, tenantId, findFlow(tx, tenantId, newId))
      auditChange(ctx, tx, 'flow.created', {type: 'flow', id: newId, displayName}, {environmentId: env.id, after: flow})
      return {status: 201, body: flow}
    })
    return true
  }
  if (id && seg.length === 3 && method === 'GET') {
    const row = findFlow(reader, tenantId, id)
    sendJson(res, 200, flowJson(reader, tenantId, row), {etag: etagOf(row)})
    return true
  }
  if (id && seg.length === 3 && method === 'PATCH') {
    const body = await readBody(ctx.req)
    const keys = Object.keys(body)
    if (keys.length === 0) throw bad('displayName', 'Nothing to change', 'Body: {"displayName": …} and/or {"connectors": [...]}.')
    for (const k of keys) if (k !== 'displayName' && k !== 'connectors') throw bad(k, `${k} cannot be changed`, 'Fields: displayName, connectors.')
    const displayName = body.displayName !== undefined ? flowName(body.displayName) : undefined
    if (body.connectors !== undefined) {
      // Tenant isolation before the write: its refusal is audited, which a rolled-back write could not be.
      const current = findFlow(reader, tenantId, id)
      requireOwnerOrAdmin(ctx, current)
      const next = parseFlowConnectors(body.connectors, catalogOf(reader, tenantId), current.environment_id)
      checkIsolation(ctx, {id, displayName: current.display_name, environmentId: current.environment_id}, next)
    }
    const updated = ctx.store.write(tenantId, (tx) => {
      const row = findFlow(tx, tenantId, id)
      requireOwnerOrAdmin(ctx, row)
      checkIfMatch(ctx, row, true, 'flow')
      const env = findEnvironment(tx, tenantId, row.environment_id)
      const connectors =
        body.connectors !== undefined ? parseFlowConnectors(body.connectors, catalogOf(tx, tenantId), env.id) : (JSON.parse(row.connectors) as FlowConnector[])
      const owner = findUser(ctx, row.owner_id)
      checkFlow(tx, ctx, env, owner, connectors, id)
      const before = flowJson(tx, tenantId, row)
      const at = new Date().toISOString()
      tx.run(
        "UPDATE flows SET display_name = ?, connectors = ?, state = 'on', suspension = NULL, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?",
        displayName ?? row.display_name,
        JSON.stringify(connectors),
        at,
        tenantId,
        id,
      )
      const after = flowJson(tx, tenantId, findFlow(tx, tenantId, id))
      const target = {type: 'flow', id, displayName: after.displayName}
      auditChange(ctx, tx, 'flow.updated', target, {environmentId: env.id, before, after})
      if (before.state === 'suspended')
        auditChange(ctx, tx, 'flow.resumed', target, {
          environmentId: env.id,
          cause: 'flow.updated',
          before: {state: 'suspended', reason: before.suspension?.reason},
          after: {state: 'on'},
        })
      return after
    })
    sendJson(res, 200, updated, {etag: updated.etag})
    return true
  }
  if (id && seg.length === 3 && method === 'DELETE') {
    ctx.store.write(tenantId, (tx) => {
      const row = findFlow(tx, tenantId, id)
      requireOwnerOrAdmin(ctx, row)
      checkIfMatch(ctx, row, false, 'flow')
      tx.run('DELETE FROM flows WHERE tenant_id = ? AND id = ?', tenantId, id)
      auditChange(
        ctx,
        tx,
        'flow.deleted',
        {type: 'flow', id, displayName: row.display_name},
        {environmentId: row.environment_id, before: flowJson(tx, tenantId, row)},
      )
    })
    res.writeHead(204).end()
    return true
  }
  return false
}
