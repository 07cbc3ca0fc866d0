// Flows of the signed-in tenant: list (by environment, state, owner) and show, with why a suspended one is suspended.
import type {Context} from '../context.js'
import {PpctlError} from '../errors/index.js'
import type {NotFoundHint} from './client.js'
import type {DlpViolation} from './dlp.js'

export interface FlowConnector {
  id: string
  actions?: string[]
  endpoints?: string[]
  /** The tenant of the account the connection signs in as (tenant isolation); the flow's own tenant when absent. */
  accountTenant?: string
}

export interface FlowSuspension {
  reason: 'DLP_VIOLATION' | 'SECURITY_GROUP'
  policyId?: string
  policyName?: string
  since: string
  message: string
  violations?: DlpViolation[]
}

export interface Flow {
  id: string
  displayName: string
  environmentId: string
  ownerId: string
  ownerUpn: string
  connectors: FlowConnector[]
  state: 'on' | 'suspended'
  suspension: FlowSuspension | null
  createdAt: string
  updatedAt: string
  etag: string
}

export interface FlowFilter {
  environment?: string
  state?: 'on' | 'suspended'
  owner?: string
  name?: string
}

const flowNotFound = (id: string): NotFoundHint => ({kind: 'flow', id, nextStep: 'See them all: ppctl flow list'})

export function listFlows(ctx: Context, filter: FlowFilter = {}): AsyncGenerator<Flow> {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, v)
  const qs = q.toString()
  return ctx.api().list<Flow>(
    {
      path: `/v1/flows${qs ? `?${qs}` : ''}`,
      what: 'Listing flows',
      notFound: {ENVIRONMENT_NOT_FOUND: {kind: 'environment', id: filter.environment ?? '', nextStep: 'See them all: ppctl env list'}},
    },
    200,
  )
}

/** By id, or by exact display name (in `environment` when given): one flow, or the platform's not-found error. */
export async function findFlow(ctx: Context, idOrName: string, environment?: string): Promise<Flow> {
  try {
    const {body, headers} = await ctx
      .api()
      .request<Flow>({path: `/v1/flows/${encodeURIComponent(idOrName)}`, what: `Reading flow ${idOrName}`, notFound: {FLOW_NOT_FOUND: flowNotFound(idOrName)}})
    return {...body, etag: headers.get('etag') ?? body.etag}
  } catch (err) {
    if (!(err instanceof PpctlError && err.code === 'FLOW_NOT_FOUND')) throw err
    for await (const f of listFlows(ctx, {name: idOrName, environment})) return f
    throw err
  }
}
