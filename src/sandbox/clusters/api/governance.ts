// The tenant's governance state as the API reads it (environments, security groups, flows, DLP policies) and the reconciliation that suspends and resumes flows after a change.
import {compilePolicy, evaluate, type CatalogConnector, type CompiledPolicy} from '../../dlp/evaluate.js'
import {MANAGED_POLICY_ID, type DlpEvaluation, type DlpPolicy, type EnvironmentType, type FlowConnector, type FlowImpact} from '../../dlp/model.js'
import type {TenantStore, Tx} from '../tenant-store.js'
import {auditChange, type Ctx} from './context.js'
import {etagOf} from './etag.js'
import {problem} from './problem.js'

/** Reads of the tenant data: a store outside a write, or the write transaction itself. */
export interface Reader {
  get<T>(sql: string, ...params: unknown[]): T | undefined
  all<T>(sql: string, ...params: unknown[]): T[]
}

export const readerOf = (store: TenantStore): Reader => ({
  get: <T>(sql: string, ...params: unknown[]) => store.prepare(sql).get(...params) as T | undefined,
  all: <T>(sql: string, ...params: unknown[]) => store.prepare(sql).all(...params) as T[],
})

export const DEFAULT_ENVIRONMENT_ID = 'default'

/** Connectors whose policies may filter the endpoints they reach (the reference platform's list). */
export const ENDPOINT_FILTERING = new Set(['shared_webcontents', 'shared_webcontents_aad', 'shared_webhook', 'shared_sql', 'shared_azureblob', 'shared_smtp'])

export interface EnvironmentRow {
  id: string
  display_name: string
  type: EnvironmentType
  security_group_id: string | null
  is_default: number
  created_by: string
  created_at: string
  updated_at: string
  version: number
}

export const environmentJson = (e: EnvironmentRow) => ({
  id: e.id,
  displayName: e.display_name,
  type: e.type,
  isDefault: e.is_default === 1,
  securityGroupId: e.security_group_id,
  createdBy: e.created_by,
  createdAt: e.created_at,
  updatedAt: e.updated_at,
  etag: etagOf(e),
})

/** An environment by id or display name (case-insensitive); 404 ENVIRONMENT_NOT_FOUND otherwise. */
export function findEnvironment(r: Reader, tenantId: string, key: string, status = 404): EnvironmentRow {
  const row = r.get<EnvironmentRow>(
    'SELECT * FROM environments WHERE tenant_id = ? AND (id = ? OR display_name = ? COLLATE NOCASE) ORDER BY id = ? DESC LIMIT 1',
    tenantId,
    key,
    key,
    key,
  )
  if (!row) throw problem(status, 'ENVIRONMENT_NOT_FOUND', 'No such environment in this tenant', `${key}: list them with GET /v1/environments.`)
  return row
}

/** The environment a request names, or the default one when it names none. */
export function environmentOf(r: Reader, tenantId: string, key: unknown, field = 'environmentId'): EnvironmentRow {
  if (key === undefined || key === null) return findEnvironment(r, tenantId, DEFAULT_ENVIRONMENT_ID)
  if (typeof key !== 'string' || key.length === 0 || key.length > 120)
    throw problem(400, 'INVALID_BODY', `${field} must be an environment id or display name`, undefined, {field})
  return findEnvironment(r, tenantId, key)
}

const isMember = (r: Reader, tenantId: string, groupId: string, userId: string) =>
  r.get('SELECT 1 AS one FROM group_members WHERE tenant_id = ? AND group_id = ? AND user_id = ?', tenantId, groupId, userId) !== undefined

/** Whether the environment's security group (if any) admits the user. */
export function admits(r: Reader, tenantId: string, env: EnvironmentRow, userId: string): boolean {
  return env.security_group_id === null || isMember(r, tenantId, env.security_group_id, userId)
}

export function catalogOf(r: Reader, tenantId: string): Map<string, CatalogConnector> {
  const rows = r.all<{
    id: string
    display_name: string
    tier: CatalogConnector['tier']
    unblockable: number
    host_url: string | null
    environment_id: string | null
  }>('SELECT id, display_name, tier, unblockable, host_url, environment_id FROM connectors WHERE tenant_id = ?', tenantId)
  return new Map(
    rows.map((c) => [
      c.id,
      {
        id: c.id,
        displayName: c.display_name,
        tier: c.tier,
        unblockable: c.unblockable === 1,
        ...(c.host_url ? {hostUrl: c.host_url} : {}),
        ...(c.tier === 'custom' ? {environmentId: c.environment_id ?? DEFAULT_ENVIRONMENT_ID} : {}),
      },
    ]),
  )
}

// Policies

export interface PolicyRow {
  id: string
  display_name: string
  managed: number
  doc: string
  created_by: string
  created_at: string
  updated_by: string
  updated_at: string
  version: number
}

/** The fields of a policy kept in its `doc` column. */
export type PolicyDoc = Pick<
  DlpPolicy,
  'description' | 'environmentScope' | 'environments' | 'defaultGroup' | 'groups' | 'connectorRules' | 'customConnectorUrlPatterns'
>

export function policyJson(p: PolicyRow): DlpPolicy {
  const doc = JSON.parse(p.doc) as PolicyDoc
  return {
    id: p.id,
    displayName: p.display_name,
    description: doc.description,
    managed: p.managed === 1,
    environmentScope: doc.environmentScope,
    environments: doc.environments,
    defaultGroup: doc.defaultGroup,
    groups: doc.groups,
    connectorRules: doc.connectorRules,
    customConnectorUrlPatterns: doc.customConnectorUrlPatterns,
    createdBy: p.created_by,
    createdAt: p.created_at,
    updatedBy: p.updated_by,
    updatedAt: p.updated_at,
    etag: etagOf(p),
  }
}

/** Compiled policies, reused while a policy's row is the same (keyed by tenant and id, checked against its doc). */
const compiled = new Map<string, {row: string; policy: CompiledPolicy}>()
const MAX_COMPILED = 2000

function compiledOf(tenantId: string, row: PolicyRow): CompiledPolicy {
  const key = `${tenantId}\u0000${row.id}`
  const stamp = `${row.version}\u0000${row.display_name}\u0000${row.updated_at}\u0000${row.doc}`
  const hit = compiled.get(key)
  if (hit && hit.row === stamp) return hit.policy
  const policy = compilePolicy(policyJson(row))
  if (compiled.size >= MAX_COMPILED) compiled.clear()
  compiled.set(key, {row: stamp, policy})
  return policy
}

export const policyRows = (r: Reader, tenantId: string) => r.all<PolicyRow>('SELECT * FROM dlp_policies WHERE tenant_id = ? ORDER BY id', tenantId)

export const policiesOf = (r: Reader, tenantId: string) => policyRows(r, tenantId).map((row) => compiledOf(tenantId, row))

export function findPolicy(r: Reader, tenantId: string, id: string): PolicyRow {
  const row = r.get<PolicyRow>('SELECT * FROM dlp_policies WHERE tenant_id = ? AND id = ?', tenantId, id)
  if (!row) throw problem(404, 'POLICY_NOT_FOUND', 'No such DLP policy in this tenant', id, {policyId: id})
  return row
}

/** The connectors the managed policy blocks: what "blocked" means for a connector. */
export function managedBlocked(r: Reader, tenantId: string): Set<string> {
  const row = r.get<{doc: string}>('SELECT doc FROM dlp_policies WHERE tenant_id = ? AND id = ?', tenantId, MANAGED_POLICY_ID)
  return new Set(row ? (JSON.parse(row.doc) as PolicyDoc).groups.blocked : [])
}

// Flows

export interface FlowRow {
  id: string
  display_name: string
  environment_id: string
  owner_id: string
  connectors: string
  state: 'on' | 'suspended'
  suspension: string | null
  created_by: string
  created_at: string
  updated_at: string
  version: number
}

export interface Suspension {
  reason: 'DLP_VIOLATION' | 'SECURITY_GROUP'
  policyId?: string
  policyName?: string
  since: string
  message: string
  violations?: DlpEvaluation['violations']
}

export function flowJson(r: Reader, tenantId: string, f: FlowRow) {
  const owner = r.get<{upn: string}>('SELECT upn FROM users WHERE tenant_id = ? AND id = ?', tenantId, f.owner_id)
  return {
    id: f.id,
    displayName: f.display_name,
    environmentId: f.environment_id,
    ownerId: f.owner_id,
    ownerUpn: owner?.upn ?? f.owner_id,
    connectors: JSON.parse(f.connectors) as FlowConnector[],
    state: f.state,
    suspension: f.suspension ? (JSON.parse(f.suspension) as Suspension) : null,
    createdAt: f.created_at,
    updatedAt: f.updated_at,
    etag: etagOf(f),
  }
}

export function findFlow(r: Reader, tenantId: string, id: string): FlowRow {
  const row = r.get<FlowRow>('SELECT * FROM flows WHERE tenant_id = ? AND id = ?', tenantId, id)
  if (!row) throw problem(404, 'FLOW_NOT_FOUND', 'No such flow in this tenant', id)
  return row
}

/** What a flow's state should be: suspended when its environment's group excludes its owner or a policy forbids it. */
function desiredState(
  r: Reader,
  tenantId: string,
  flow: {environment_id: string; owner_id: string; connectors: FlowConnector[]; id?: string},
  env: EnvironmentRow,
  catalog: ReadonlyMap<string, CatalogConnector>,
  policies: readonly CompiledPolicy[],
  at: string,
): {suspension: Suspension | null; evaluation: DlpEvaluation} {
  const evaluation = evaluate({environmentId: env.id, connectors: flow.connectors, ...(flow.id ? {flowId: flow.id} : {})}, catalog, policies)
  if (!admits(r, tenantId, env, flow.owner_id)) {
    return {
      suspension: {
        reason: 'SECURITY_GROUP',
        since: at,
        message: `The owner is not a member of security group ${env.security_group_id} of environment ${env.id}.`,
      },
      evaluation,
    }
  }
  const first = evaluation.violations[0]
  if (!first) return {suspension: null, evaluation}
  return {
    suspension: {
      reason: 'DLP_VIOLATION',
      policyId: first.policyId,
      policyName: first.policyName,
      since: at,
      message: first.message,
      violations: evaluation.violations.slice(0, 20),
    },
    evaluation,
  }
}

const impactOf = (r: Reader, tenantId: string, f: FlowRow, s?: Suspension | null): FlowImpact => ({
  id: f.id,
  displayName: f.display_name,
  environmentId: f.environment_id,
  ownerUpn: r.get<{upn: string}>('SELECT upn FROM users WHERE tenant_id = ? AND id = ?', tenantId, f.owner_id)?.upn ?? f.owner_id,
  ...(s ? {reason: s.reason, message: s.message} : {}),
  ...(s?.policyId ? {policyId: s.policyId, policyName: s.policyName} : {}),
})

/**
 * Brings every flow of the tenant (or of one environment) to the state the current policies and security groups
 * call for, in the transaction of the change that caused it: `flow.suspended` and `flow.resumed` are audited.
 */
export function reconcileFlows(ctx: Ctx, tx: Tx, cause: string, environmentId?: string): {suspended: FlowImpact[]; resumed: FlowImpact[]} {
  const {tenantId} = ctx
  const flows = environmentId
    ? tx.all<FlowRow>('SELECT * FROM flows WHERE tenant_id = ? AND environment_id = ? ORDER BY id', tenantId, environmentId)
    : tx.all<FlowRow>('SELECT * FROM flows WHERE tenant_id = ? ORDER BY id', tenantId)
  const out = {suspended: [] as FlowImpact[], resumed: [] as FlowImpact[]}
  if (flows.length === 0) return out
  const catalog = catalogOf(tx, tenantId)
  const policies = policiesOf(tx, tenantId)
  const envs = new Map(tx.all<EnvironmentRow>('SELECT * FROM environments WHERE tenant_id = ?', tenantId).map((e) => [e.id, e]))
  const at = new Date().toISOString()
  for (const f of flows) {
    const env = envs.get(f.environment_id)
    if (!env) continue
    const current = f.suspension ? (JSON.parse(f.suspension) as Suspension) : null
    const {suspension} = desiredState(tx, tenantId, {...f, connectors: JSON.parse(f.connectors) as FlowConnector[]}, env, catalog, policies, at)
    const target = {type: 'flow', id: f.id, displayName: f.display_name}
    if (suspension && (!current || current.reason !== suspension.reason || current.policyId !== suspension.policyId)) {
      const kept = current ? {...suspension, since: current.since} : suspension
      tx.run(
        "UPDATE flows SET state = 'suspended', suspension = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?",
        JSON.stringify(kept),
        at,
        tenantId,
        f.id,
      )
      auditChange(ctx, tx, 'flow.suspended', target, {
        environmentId: f.environment_id,
        reason: suspension.reason,
        ...(suspension.policyId ? {policyId: suspension.policyId, policyName: suspension.policyName} : {}),
        message: suspension.message,
        cause,
        before: {state: f.state, ...(current ? {reason: current.reason, policyId: current.policyId} : {})},
        after: {state: 'suspended', reason: suspension.reason, ...(suspension.policyId ? {policyId: suspension.policyId} : {})},
      })
      if (!current) out.suspended.push(impactOf(tx, tenantId, f, suspension))
    } else if (!suspension && current) {
      tx.run("UPDATE flows SET state = 'on', suspension = NULL, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?", at, tenantId, f.id)
      auditChange(ctx, tx, 'flow.resumed', target, {
        environmentId: f.environment_id,
        cause,
        before: {state: 'suspended', reason: current.reason, ...(current.policyId ? {policyId: current.policyId} : {})},
        after: {state: 'on'},
      })
      out.resumed.push(impactOf(tx, tenantId, f, current))
    }
  }
  return out
}

/**
 * Takes deleted connectors out of every policy (groups and rules), so no policy names a connector that is gone:
 * each policy changed is audited `dlp.policy.updated` with before and after.
 */
export function forgetConnectors(ctx: Ctx, tx: Tx, ids: readonly string[]): void {
  if (ids.length === 0) return
  const gone = new Set(ids)
  const at = new Date().toISOString()
  for (const row of policyRows(tx, ctx.tenantId)) {
    const doc = JSON.parse(row.doc) as PolicyDoc
    const names = [...doc.groups.business, ...doc.groups.nonBusiness, ...doc.groups.blocked, ...doc.connectorRules.map((r) => r.connectorId)]
    if (!names.some((n) => gone.has(n))) continue
    const next: PolicyDoc = {
      ...doc,
      groups: {
        business: doc.groups.business.filter((c) => !gone.has(c)),
        nonBusiness: doc.groups.nonBusiness.filter((c) => !gone.has(c)),
        blocked: doc.groups.blocked.filter((c) => !gone.has(c)),
      },
      connectorRules: doc.connectorRules.filter((r) => !gone.has(r.connectorId)),
    }
    tx.run(
      'UPDATE dlp_policies SET doc = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?',
      JSON.stringify(next),
      'system',
      at,
      ctx.tenantId,
      row.id,
    )
    auditChange(
      ctx,
      tx,
      'dlp.policy.updated',
      {type: 'dlpPolicy', id: row.id, displayName: row.display_name},
      {
        cause: 'connector.deleted',
        connectors: ids,
        before: policyJson(row),
        after: policyJson(findPolicy(tx, ctx.tenantId, row.id)),
      },
    )
  }
}

/** Puts a connector in (or takes it out of) the managed policy's blocked group; audited with before and after. */
export function setManagedBlocked(ctx: Ctx, tx: Tx, connectorId: string, blocked: boolean): {changed: boolean; policy: DlpPolicy} {
  const row = findPolicy(tx, ctx.tenantId, MANAGED_POLICY_ID)
  const doc = JSON.parse(row.doc) as PolicyDoc
  const has = doc.groups.blocked.includes(connectorId)
  if (has === blocked) return {changed: false, policy: policyJson(row)}
  const next: PolicyDoc = {
    ...doc,
    groups: {...doc.groups, blocked: blocked ? [...doc.groups.blocked, connectorId].sort() : doc.groups.blocked.filter((c) => c !== connectorId)},
  }
  tx.run(
    'UPDATE dlp_policies SET doc = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?',
    JSON.stringify(next),
    ctx.principal.oid ?? ctx.principal.clientId ?? ctx.principal.subject,
    new Date().toISOString(),
    ctx.tenantId,
    MANAGED_POLICY_ID,
  )
  const after = policyJson(findPolicy(tx, ctx.tenantId, MANAGED_POLICY_ID))
  auditChange(
    ctx,
    tx,
    'dlp.policy.updated',
    {type: 'dlpPolicy', id: MANAGED_POLICY_ID, displayName: after.displayName},
    {
      cause: blocked ? 'connector.blocked' : 'connector.unblocked',
      connectorId,
      before: policyJson(row),
      after,
    },
  )
  return {changed: true, policy: after}
}
