// Tenant isolation of the signed-in tenant: the policy (read, replace with If-Match) and the cross-tenant connection report.
import type {Context} from '../context.js'

export interface AllowedTenant {
  tenantId: string
  /** The partner's flows may connect to this tenant's accounts. */
  inbound: boolean
  /** This tenant's flows may connect to the partner's accounts. */
  outbound: boolean
}

export interface IsolationPolicy {
  enabled: boolean
  allowedTenants: AllowedTenant[]
  configured: boolean
  updatedBy: string | null
  updatedAt: string | null
  etag: string
}

export interface CrossTenantConnection {
  flowId: string
  flowName: string
  environmentId: string
  state: string
  connectorId: string
  accountTenant: string
  direction: 'inbound' | 'outbound'
  /** Whether isolation, turned on with the allowed tenants as set now, would refuse it. */
  wouldBeRefused: boolean
  refusedBy?: 'this tenant' | 'partner tenant'
}

export interface IsolationReport {
  isolationEnabled: boolean
  crossings: number
  wouldBeRefused: number
  items: CrossTenantConnection[]
}

export async function getIsolation(ctx: Context): Promise<IsolationPolicy> {
  const {body, headers} = await ctx.api().request<IsolationPolicy>({path: '/v1/isolation', what: 'Reading the tenant isolation policy'})
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export async function setIsolation(ctx: Context, input: Pick<IsolationPolicy, 'enabled' | 'allowedTenants'>, etag: string): Promise<IsolationPolicy> {
  const {body, headers} = await ctx.api().request<IsolationPolicy>({
    method: 'PUT',
    path: '/v1/isolation',
    body: input,
    headers: {'if-match': etag},
    what: 'Setting the tenant isolation policy',
  })
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export async function isolationReport(ctx: Context): Promise<IsolationReport> {
  return (await ctx.api().request<IsolationReport>({path: '/v1/isolation/report', what: 'Reading the cross-tenant connection report'})).body
}
