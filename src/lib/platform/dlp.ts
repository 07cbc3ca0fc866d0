// DLP policies of the signed-in tenant: list, show, create, delete, the batch apply (and its dry run), the evaluation, and the file form of a policy.
import {randomUUID} from 'node:crypto'

import type {CurrentPolicy} from '../dlp/plan.js'
import type {ConnectorRules, DlpPolicySpec} from '../dlp/policy-file.js'
import type {Context} from '../context.js'
import type {NotFoundHint} from './client.js'

// The wire types are the platform's own (one definition for both sides of docs/openapi.yaml's DLP schemas).
import type {DlpApplyOperation, DlpApplyResult, DlpEvaluation, DlpPolicy, DlpPolicyInput} from '../../sandbox/contract.js'

export type {DlpApplyOperation, DlpEvaluation, DlpPolicy, DlpPolicyInput, DlpViolation, FlowImpact} from '../../sandbox/contract.js'

/** The batch endpoint's answer. */
export type DlpApplyAnswer = DlpApplyResult

const policyNotFound = (id: string): NotFoundHint => ({kind: 'DLP policy', id, nextStep: 'See them all: ppctl dlp policy list'})
const path = (id: string) => `/v1/dlp/policies/${encodeURIComponent(id)}`

export function listPolicies(ctx: Context, environment?: string): AsyncGenerator<DlpPolicy> {
  const qs = environment ? `?environment=${encodeURIComponent(environment)}` : ''
  return ctx.api().list<DlpPolicy>({path: `/v1/dlp/policies${qs}`, what: 'Listing DLP policies'}, 200)
}

export async function getPolicy(ctx: Context, id: string): Promise<DlpPolicy> {
  const {body, headers} = await ctx
    .api()
    .request<DlpPolicy>({path: path(id), what: `Reading DLP policy ${id}`, notFound: {POLICY_NOT_FOUND: policyNotFound(id)}})
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export async function createPolicy(ctx: Context, input: DlpPolicyInput): Promise<DlpPolicy> {
  const {body, headers} = await ctx.api().request<DlpPolicy>({
    method: 'POST',
    path: '/v1/dlp/policies',
    body: input,
    headers: {'idempotency-key': randomUUID()},
    what: `Creating DLP policy "${input.displayName}"`,
  })
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export async function deletePolicy(ctx: Context, policy: DlpPolicy): Promise<void> {
  await ctx.api().request({
    method: 'DELETE',
    path: path(policy.id),
    headers: {'if-match': policy.etag},
    what: `Deleting DLP policy ${policy.id}`,
    notFound: {POLICY_NOT_FOUND: policyNotFound(policy.id)},
  })
}

/** The batch endpoint: every operation or none; with dryRun nothing changes and the answer says what would. */
export async function applyPolicies(ctx: Context, operations: DlpApplyOperation[], dryRun: boolean): Promise<DlpApplyAnswer> {
  const {body} = await ctx.api().request<DlpApplyAnswer>({
    method: 'POST',
    path: '/v1/dlp/apply',
    body: {dryRun, operations},
    headers: {'idempotency-key': randomUUID()},
    what: dryRun ? 'Planning the DLP policies (dry run)' : 'Applying the DLP policies',
  })
  return body
}

export interface EvaluateRequest {
  environmentId?: string
  connectors?: string[]
  flow?: string
}

export async function evaluateDlp(ctx: Context, request: EvaluateRequest): Promise<DlpEvaluation> {
  const {body} = await ctx.api().request<DlpEvaluation>({
    method: 'POST',
    path: '/v1/dlp/evaluate',
    body: request,
    what: 'Evaluating the DLP policies',
    notFound: {
      ENVIRONMENT_NOT_FOUND: {kind: 'environment', id: request.environmentId ?? 'default', nextStep: 'See them all: ppctl env list'},
      FLOW_NOT_FOUND: {kind: 'flow', id: request.flow ?? '', nextStep: 'See them all: ppctl flow list'},
    },
  })
  return body
}

/** A platform policy in the file's form. */
export function policyToSpec(p: DlpPolicy): CurrentPolicy {
  const rules: Record<string, ConnectorRules> = {}
  for (const r of p.connectorRules ?? []) {
    const out: ConnectorRules = {}
    if (r.defaultActionBehavior || r.actionRules?.length) {
      out.actions = {default: r.defaultActionBehavior ?? 'allow'}
      const allow = (r.actionRules ?? []).filter((a) => a.behavior === 'allow').map((a) => a.actionId)
      const block = (r.actionRules ?? []).filter((a) => a.behavior === 'block').map((a) => a.actionId)
      if (allow.length) out.actions.allow = allow
      if (block.length) out.actions.block = block
    }
    if (r.endpointRules?.length)
      out.endpoints = [...r.endpointRules].sort((a, b) => a.order - b.order).map((e) => ({endpoint: e.endpoint, behavior: e.behavior}))
    rules[r.connectorId] = out
  }
  const envs = [...(p.environments ?? [])]
  return {
    name: p.displayName,
    id: p.id,
    etag: p.etag,
    ...(p.description ? {description: p.description} : {}),
    scope: p.environmentScope === 'all' ? 'all' : p.environmentScope === 'only' ? {only: envs} : {except: envs},
    defaultGroup: p.defaultGroup,
    business: p.groups?.business ?? [],
    nonBusiness: p.groups?.nonBusiness ?? [],
    blocked: p.groups?.blocked ?? [],
    rules,
    customConnectorPatterns: [...(p.customConnectorUrlPatterns ?? [])]
      .sort((a, b) => a.order - b.order)
      .map((u) => ({host: u.hostUrlPattern, group: u.dataGroup})),
  }
}

/** A file policy as the body of a creation or replacement (its id only on creation, when the file names one). */
export function specToInput(s: DlpPolicySpec, withId = false): DlpPolicyInput {
  const scope =
    s.scope === 'all'
      ? {environmentScope: 'all' as const, environments: []}
      : 'only' in s.scope
        ? {environmentScope: 'only' as const, environments: s.scope.only}
        : {environmentScope: 'except' as const, environments: s.scope.except}
  return {
    ...(withId && s.id ? {id: s.id} : {}),
    displayName: s.name,
    ...(s.description !== undefined ? {description: s.description} : {}),
    ...scope,
    defaultGroup: s.defaultGroup,
    groups: {business: s.business ?? [], nonBusiness: s.nonBusiness ?? [], blocked: s.blocked ?? []},
    connectorRules: Object.entries(s.rules ?? {}).map(([connectorId, r]) => ({
      connectorId,
      ...(r.actions
        ? {
            defaultActionBehavior: r.actions.default,
            actionRules: [
              ...(r.actions.allow ?? []).map((actionId) => ({actionId, behavior: 'allow' as const})),
              ...(r.actions.block ?? []).map((actionId) => ({actionId, behavior: 'block' as const})),
            ],
          }
        : {}),
      ...(r.endpoints ? {endpointRules: r.endpoints.map((e, i) => ({order: i + 1, endpoint: e.endpoint, behavior: e.behavior}))} : {}),
    })),
    customConnectorUrlPatterns: (s.customConnectorPatterns ?? []).map((u, i) => ({order: i + 1, hostUrlPattern: u.host, dataGroup: u.group})),
  }
}
