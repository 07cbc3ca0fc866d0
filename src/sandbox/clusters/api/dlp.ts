// DLP policies: list, read, create, replace, delete; the all-or-nothing batch (with dry run); and the evaluation that explains a decision.
import {sendJson} from '../../http-util.js'
import {evaluate, policyApplies} from '../../dlp/evaluate.js'
import {MANAGED_POLICY_ID, type DlpApplyChange, type DlpApplyRequest, type DlpApplyResult, type DlpPolicy} from '../../dlp/model.js'
import type {Tx} from '../tenant-store.js'
import {auditChange, type ApiRoute, type Ctx} from './context.js'
import {parsePolicyInput, POLICY_ID, type PolicyInputContext} from './dlp-input.js'
import {checkIfMatch, etagOf} from './etag.js'
import {parseFlowConnectors} from './flows.js'
import {
  catalogOf,
  ENDPOINT_FILTERING,
  environmentOf,
  findFlow,
  findPolicy,
  policiesOf,
  policyJson,
  policyRows,
  readerOf,
  reconcileFlows,
  type FlowRow,
  type PolicyRow,
  type Reader,
} from './governance.js'
import {idempotent} from './idempotency.js'
import {decodeCursor, encodeCursor, limitOf} from './paging.js'
import {HttpProblem, problem} from './problem.js'
import {header, readBody} from './request.js'

/** A policy body may list every connector of a large tenant; a batch, many such policies. */
const POLICY_BODY_LIMIT = 2 * 1024 * 1024
const BATCH_BODY_LIMIT = 32 * 1024 * 1024
const MAX_OPERATIONS = 500

/** A batch operation as received: its policy is checked when the operation runs. */
type Operation = DlpApplyRequest['operations'][number] extends infer O ? (O extends {policy: unknown} ? Omit<O, 'policy'> & {policy: unknown} : O) : never

const actorId = (ctx: Ctx) => ctx.principal.oid ?? ctx.principal.clientId ?? ctx.principal.subject

function inputContext(r: Reader, tenantId: string): PolicyInputContext {
  return {
    catalog: catalogOf(r, tenantId),
    environments: new Set(r.all<{id: string}>('SELECT id FROM environments WHERE tenant_id = ?', tenantId).map((e) => e.id)),
    endpointFiltering: ENDPOINT_FILTERING,
  }
}

function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 56) || 'policy'
  )
}

/** Compares what a policy says (not who changed it or when). */
const sameContent = (a: DlpPolicy, b: DlpPolicy) => {
  const strip = ({createdBy: _c, createdAt: _ca, updatedBy: _u, updatedAt: _ua, etag: _e, ...rest}: DlpPolicy) => JSON.stringify(rest)
  return strip(a) === strip(b)
}

function checkEtag(row: PolicyRow, etag: string, index: number): void {
  const tag = etag.trim().replace(/^W\//, '')
  if (tag !== '*' && tag !== etagOf(row)) {
    throw problem(
      412,
      'PRECONDITION_FAILED',
      `DLP policy ${row.id} changed since the plan was made`,
      `Its ETag is ${etagOf(row)}, not ${etag}; export or plan again. Nothing was applied.`,
      {
        policyId: row.id,
        currentEtag: etagOf(row),
        operationIndex: index,
      },
    )
  }
}

function refuseManaged(id: string, at: Record<string, unknown>): never {
  throw problem(
    422,
    'MANAGED_POLICY',
    `${id} is managed by connector block and unblock`,
    `Block or unblock connectors instead (POST /v1/connectors/{id}/block).`,
    {
      policyId: id,
      ...at,
    },
  )
}

/**
 * Runs the operations in the transaction: each checked, written and audited, then every flow brought to its new
 * state. Any refusal throws, so the transaction commits all of it or none.
 */
function applyOperations(ctx: Ctx, tx: Tx, operations: readonly Operation[], cause: string): DlpApplyResult {
  const {tenantId} = ctx
  const input = inputContext(tx, tenantId)
  const changes: DlpApplyChange[] = []
  const touched = new Set<string>()
  const at = new Date().toISOString()
  operations.forEach((o, index) => {
    const where = operations.length > 1 || cause === 'dlp.batch' ? {operationIndex: index} : {}
    if (o.op === 'create') {
      const parsed = parsePolicyInput(o.policy, input, where)
      let id = parsed.id
      if (id) {
        if (tx.get('SELECT 1 AS one FROM dlp_policies WHERE tenant_id = ? AND id = ?', tenantId, id) || touched.has(id))
          throw problem(409, 'POLICY_EXISTS', `A DLP policy ${id} already exists`, 'Choose another id, or update it.', {policyId: id, ...where})
      } else {
        const base = slugOf(parsed.displayName)
        id = base
        for (let n = 2; tx.get('SELECT 1 AS one FROM dlp_policies WHERE tenant_id = ? AND id = ?', tenantId, id) || touched.has(id); n++) id = `${base}-${n}`
      }
      touched.add(id)
      tx.run(
        'INSERT INTO dlp_policies (tenant_id, id, display_name, managed, doc, created_by, created_at, updated_by, updated_at, version) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, 1)',
        tenantId,
        id,
        parsed.displayName,
        JSON.stringify(parsed.doc),
        actorId(ctx),
        at,
        actorId(ctx),
        at,
      )
      const after = policyJson(findPolicy(tx, tenantId, id))
      auditChange(ctx, tx, 'dlp.policy.created', {type: 'dlpPolicy', id, displayName: after.displayName}, {after})
      changes.push({op: 'create', id, displayName: after.displayName, changed: true, etag: after.etag, after})
      return
    }
    if (touched.has(o.id))
      throw problem(400, 'DUPLICATE_OPERATION', `DLP policy ${o.id} appears in two operations`, 'Give each policy one operation.', {policyId: o.id, ...where})
    touched.add(o.id)
    const row = findPolicy(tx, tenantId, o.id)
    if (row.managed === 1) refuseManaged(o.id, where)
    checkEtag(row, o.etag, index)
    const before = policyJson(row)
    if (o.op === 'delete') {
      tx.run('DELETE FROM dlp_policies WHERE tenant_id = ? AND id = ?', tenantId, o.id)
      auditChange(ctx, tx, 'dlp.policy.deleted', {type: 'dlpPolicy', id: o.id, displayName: before.displayName}, {before})
      changes.push({op: 'delete', id: o.id, displayName: before.displayName, changed: true, before})
      return
    }
    const parsed = parsePolicyInput(o.policy, input, where)
    if (parsed.id !== undefined && parsed.id !== o.id)
      throw problem(400, 'INVALID_BODY', `The policy's id ${parsed.id} is not ${o.id}`, 'A policy keeps its id; create a new one instead.', {
        ...where,
        field: 'id',
      })
    const candidate: DlpPolicy = {...before, displayName: parsed.displayName, ...parsed.doc}
    if (sameContent(before, candidate)) {
      changes.push({op: 'update', id: o.id, displayName: before.displayName, changed: false, etag: before.etag})
      return
    }
    tx.run(
      'UPDATE dlp_policies SET display_name = ?, doc = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?',
      parsed.displayName,
      JSON.stringify(parsed.doc),
      actorId(ctx),
      at,
      tenantId,
      o.id,
    )
    const after = policyJson(findPolicy(tx, tenantId, o.id))
    auditChange(ctx, tx, 'dlp.policy.updated', {type: 'dlpPolicy', id: o.id, displayName: after.displayName}, {before, after})
    changes.push({op: 'update', id: o.id, displayName: after.displayName, changed: true, etag: after.etag, before, after})
  })
  const impact = changes.some((c) => c.changed) ? reconcileFlows(ctx, tx, cause) : {suspended: [], resumed: []}
  return {dryRun: false, changes, ...impact}
}

/** The batch as one event beside the events of its changes, when it changed anything. */
function auditBatch(ctx: Ctx, tx: Tx, result: DlpApplyResult): void {
  if (!result.changes.some((c) => c.changed)) return
  const count = (op: string) => result.changes.filter((c) => c.op === op && c.changed).length
  auditChange(
    ctx,
    tx,
    'dlp.batch.applied',
    {type: 'tenant', id: ctx.tenantId},
    {
      created: count('create'),
      updated: count('update'),
      deleted: count('delete'),
      policies: result.changes.filter((c) => c.changed).map((c) => c.id),
      suspended: result.suspended.map((f) => f.id),
      resumed: result.resumed.map((f) => f.id),
    },
  )
}

/** Thrown to roll a dry run's transaction back once its answer is known. */
class DryRun extends Error {
  constructor(readonly result: DlpApplyResult) {
    super('dry run')
  }
}

function parseOperations(body: Record<string, unknown>): {dryRun: boolean; operations: Operation[]} {
  for (const k of Object.keys(body))
    if (k !== 'dryRun' && k !== 'operations')
      throw problem(400, 'INVALID_BODY', `${k} is not a field of a batch`, 'Body: {"dryRun": false, "operations": [...]}', {field: k})
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean')
    throw problem(400, 'INVALID_BODY', 'dryRun must be true or false', undefined, {field: 'dryRun'})
  if (!Array.isArray(body.operations) || body.operations.length > MAX_OPERATIONS)
    throw problem(400, 'INVALID_BODY', 'operations must be a list', `At most ${MAX_OPERATIONS} operations of {op: create|update|delete, …}.`, {
      field: 'operations',
    })
  const operations = body.operations.map((raw: unknown, i): Operation => {
    const at = {operationIndex: i, field: `operations[${i}]`}
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw problem(400, 'INVALID_BODY', `operations[${i}] must be an object`, undefined, at)
    const o = raw as Record<string, unknown>
    const allowed =
      o.op === 'create' ? ['op', 'policy'] : o.op === 'update' ? ['op', 'id', 'etag', 'policy'] : o.op === 'delete' ? ['op', 'id', 'etag'] : undefined
    if (!allowed) throw problem(400, 'INVALID_BODY', `operations[${i}].op must be create, update or delete`, undefined, at)
    for (const k of Object.keys(o))
      if (!allowed.includes(k))
        throw problem(400, 'INVALID_BODY', `operations[${i}].${k} is not a field of a ${o.op as string}`, `Fields: ${allowed.join(', ')}.`, at)
    if (o.op === 'create') return {op: 'create', policy: o.policy}
    if (typeof o.id !== 'string' || (!POLICY_ID.test(o.id) && o.id !== MANAGED_POLICY_ID))
      throw problem(400, 'INVALID_BODY', `operations[${i}].id must be a policy id`, undefined, at)
    if (typeof o.etag !== 'string' || !o.etag)
      throw problem(400, 'INVALID_BODY', `operations[${i}].etag is required`, 'The ETag the change was planned against.', at)
    return o.op === 'update' ? {op: 'update', id: o.id, etag: o.etag, policy: o.policy} : {op: 'delete', id: o.id, etag: o.etag}
  })
  return {dryRun: body.dryRun === true, operations}
}

/** Runs the batch; a dry run does all of it in a transaction that is then rolled back, so its answer is the real one. */
function runBatch(ctx: Ctx, operations: Operation[], dryRun: boolean, cause: string): DlpApplyResult {
  try {
    return ctx.store.write(ctx.tenantId, (tx) => {
      const result = applyOperations(ctx, tx, operations, cause)
      if (cause === 'dlp.batch') auditBatch(ctx, tx, result)
      if (dryRun) throw new DryRun({...result, dryRun: true})
      return result
    })
  } catch (err) {
    if (err instanceof DryRun) return err.result
    throw err
  }
}

export const dlpApi: ApiRoute = async (ctx, seg) => {
  const {method, url, tenantId, res} = ctx
  const [, top, sub, id] = seg
  if (top !== 'dlp') return false
  const reader = readerOf(ctx.store)
  if (sub === 'policies' && seg.length === 3 && method === 'GET') {
    const limit = limitOf(url)
    const after = decodeCursor(url.searchParams.get('cursor')) ?? ''
    const envKey = url.searchParams.get('environment')
    let rows = policyRows(reader, tenantId).filter((r) => r.id > after)
    if (envKey !== null) {
      const env = environmentOf(reader, tenantId, envKey, 'environment')
      const applying = new Set(
        policiesOf(reader, tenantId)
          .filter((p) => policyApplies(p, env.id))
          .map((p) => p.policy.id),
      )
      rows = rows.filter((r) => applying.has(r.id))
    }
    const page = rows.slice(0, limit)
    sendJson(res, 200, {items: page.map(policyJson), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null})
    return true
  }
  if (sub === 'policies' && seg.length === 3 && method === 'POST') {
    const body = await readBody(ctx.req, {limit: POLICY_BODY_LIMIT})
    await idempotent(ctx, body, (tx) => {
      const result = applyOperations(ctx, tx, [{op: 'create', policy: body}], 'dlp.policy.created')
      return {status: 201, body: result.changes[0].after}
    })
    return true
  }
  if (sub === 'policies' && id && seg.length === 4 && method === 'GET') {
    const row = findPolicy(reader, tenantId, id)
    sendJson(res, 200, policyJson(row), {etag: etagOf(row)})
    return true
  }
  if (sub === 'policies' && id && seg.length === 4 && (method === 'PUT' || method === 'DELETE')) {
    const body = method === 'PUT' ? await readBody(ctx.req, {limit: POLICY_BODY_LIMIT}) : undefined
    const row = findPolicy(reader, tenantId, id)
    if (row.managed === 1) refuseManaged(id, {})
    checkIfMatch(ctx, row, true, 'DLP policy', {policyId: id})
    // Checked again inside the transaction, against the row as it is there: a change in between is a 412.
    const ifMatch = (header(ctx.req, 'if-match') ?? '').split(',').some((t) => t.trim() === '*') ? '*' : etagOf(row)
    runBatch(
      ctx,
      [method === 'PUT' ? {op: 'update', id, etag: ifMatch, policy: body} : {op: 'delete', id, etag: ifMatch}],
      false,
      method === 'PUT' ? 'dlp.policy.updated' : 'dlp.policy.deleted',
    )
    if (method === 'DELETE') {
      res.writeHead(204).end()
      return true
    }
    const after = policyJson(findPolicy(reader, tenantId, id))
    sendJson(res, 200, after, {etag: after.etag})
    return true
  }
  if (sub === 'apply' && seg.length === 3 && method === 'POST') {
    const body = await readBody(ctx.req, {limit: BATCH_BODY_LIMIT})
    const {dryRun, operations} = parseOperations(body)
    if (dryRun) {
      sendJson(res, 200, runBatch(ctx, operations, true, 'dlp.batch'))
      return true
    }
    // Under an Idempotency-Key the answer is stored with the change, so a retried apply replays it.
    await idempotent(ctx, body, (tx) => {
      const result = applyOperations(ctx, tx, operations, 'dlp.batch')
      auditBatch(ctx, tx, result)
      return {status: 200, body: result}
    })
    return true
  }
  if (sub === 'evaluate' && seg.length === 3 && method === 'POST') {
    const body = await readBody(ctx.req)
    for (const k of Object.keys(body))
      if (!['environmentId', 'connectors', 'flow'].includes(k))
        throw problem(400, 'INVALID_BODY', `${k} is not a field of an evaluation`, 'Fields: environmentId, connectors, flow.', {field: k})
    let flow: FlowRow | undefined
    if (body.flow !== undefined) {
      if (typeof body.flow !== 'string' || !body.flow) throw problem(400, 'INVALID_BODY', 'flow must be a flow id or display name', undefined, {field: 'flow'})
      flow = findFlowByKey(reader, tenantId, body.flow, body.environmentId)
    }
    if (!flow && body.connectors === undefined)
      throw problem(
        400,
        'INVALID_BODY',
        'connectors or flow is required',
        'Body: {"environmentId": "default", "connectors": ["shared_sql", "shared_twitter"]}',
        {field: 'connectors'},
      )
    const env = environmentOf(reader, tenantId, body.environmentId ?? flow?.environment_id)
    const catalog = catalogOf(reader, tenantId)
    const connectors =
      body.connectors !== undefined
        ? parseFlowConnectors(body.connectors, catalog, env.id, true)
        : (JSON.parse(flow!.connectors) as ReturnType<typeof parseFlowConnectors>)
    sendJson(res, 200, evaluate({environmentId: env.id, connectors, ...(flow ? {flowId: flow.id} : {})}, catalog, policiesOf(reader, tenantId)))
    return true
  }
  return false
}

/** A flow by id, or by display name (in the environment given, when one is): 409 when the name is not unique. */
function findFlowByKey(r: Reader, tenantId: string, key: string, envKey: unknown): FlowRow {
  const byId = r.get<FlowRow>('SELECT * FROM flows WHERE tenant_id = ? AND id = ?', tenantId, key)
  if (byId) return byId
  const env = envKey === undefined ? undefined : environmentOf(r, tenantId, envKey)
  const rows = r
    .all<FlowRow>('SELECT * FROM flows WHERE tenant_id = ? AND display_name = ? COLLATE NOCASE ORDER BY id', tenantId, key)
    .filter((f) => !env || f.environment_id === env.id)
  if (rows.length === 0) return findFlow(r, tenantId, key)
  if (rows.length > 1)
    throw new HttpProblem({
      status: 409,
      code: 'AMBIGUOUS_FLOW',
      title: `Several flows are named ${key}`,
      detail: 'Name it by id, or give its environmentId.',
      flowIds: rows.map((f) => f.id),
    })
  return rows[0]
}
