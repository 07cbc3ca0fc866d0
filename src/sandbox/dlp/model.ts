// The DLP model's wire types (docs/openapi.yaml's DlpPolicy, DlpViolation, DlpEvaluation…), shared by the platform and the CLI.
export type DlpGroup = 'business' | 'nonBusiness' | 'blocked'
export type DlpEnvironmentScope = 'all' | 'except' | 'only'
export type EnvironmentType = 'default' | 'production' | 'sandbox' | 'developer'

export interface DlpActionRule {
  actionId: string
  behavior: 'allow' | 'block'
}

export interface DlpEndpointRule {
  order: number
  /** `*` matches any run of characters; the last rule (highest order) is `*`. */
  endpoint: string
  behavior: 'allow' | 'deny'
}

export interface DlpConnectorRule {
  connectorId: string
  defaultActionBehavior?: 'allow' | 'block'
  actionRules?: DlpActionRule[]
  endpointRules?: DlpEndpointRule[]
}

export interface DlpUrlPattern {
  order: number
  hostUrlPattern: string
  dataGroup: DlpGroup | 'ignore'
}

export interface DlpGroups {
  business: string[]
  nonBusiness: string[]
  blocked: string[]
}

/** A policy as written (the body of create and replace, and of a batch operation). */
export interface DlpPolicyInput {
  id?: string
  displayName: string
  description?: string
  environmentScope: DlpEnvironmentScope
  environments?: string[]
  defaultGroup: DlpGroup
  groups?: Partial<DlpGroups>
  connectorRules?: DlpConnectorRule[]
  customConnectorUrlPatterns?: DlpUrlPattern[]
}

/** A policy as the platform answers it: every field present, with its ETag. */
export interface DlpPolicy {
  id: string
  displayName: string
  description: string
  /** The tenant-wide policy that connector block/unblock manage: read only through the policy endpoints. */
  managed: boolean
  environmentScope: DlpEnvironmentScope
  environments: string[]
  defaultGroup: DlpGroup
  groups: DlpGroups
  connectorRules: DlpConnectorRule[]
  customConnectorUrlPatterns: DlpUrlPattern[]
  createdBy: string
  createdAt: string
  updatedBy: string
  updatedAt: string
  etag: string
}

/** One connector a flow uses, with the actions it calls and the endpoints it reaches when known. */
export interface FlowConnector {
  id: string
  actions?: string[]
  endpoints?: string[]
  /** The tenant of the account the connection authenticates as (tenant isolation); this tenant's own when absent. */
  accountTenant?: string
}

export type DlpViolationKind = 'GROUP_CONFLICT' | 'CONNECTOR_BLOCKED' | 'ACTION_BLOCKED' | 'ENDPOINT_BLOCKED'

export interface DlpViolation {
  kind: DlpViolationKind
  policyId: string
  policyName: string
  /** The pair in conflict (GROUP_CONFLICT), otherwise the one connector. */
  connectors: string[]
  groups: Record<string, DlpGroup>
  /** Why each connector is in its group: listed, default, urlPattern:<order>, unblockable. */
  classifiedBy?: Record<string, string>
  action?: string
  endpoint?: string
  rule?: Record<string, unknown>
  message: string
  /** What would make it pass. */
  fixes: string[]
}

export interface DlpPolicyVerdict {
  id: string
  displayName: string
  managed?: boolean
  allowed: boolean
  groups: Record<string, DlpGroup>
}

export interface DlpEvaluation {
  environmentId: string
  flowId?: string
  allowed: boolean
  connectors: FlowConnector[]
  policies: DlpPolicyVerdict[]
  violations: DlpViolation[]
}

/** A flow suspended or resumed by a change (a batch's answer, an environment's). */
export interface FlowImpact {
  id: string
  displayName: string
  environmentId: string
  ownerUpn: string
  reason?: 'DLP_VIOLATION' | 'SECURITY_GROUP'
  policyId?: string
  policyName?: string
  message?: string
}

export type DlpApplyOperation =
  {op: 'create'; policy: DlpPolicyInput} | {op: 'update'; id: string; etag: string; policy: DlpPolicyInput} | {op: 'delete'; id: string; etag: string}

export interface DlpApplyRequest {
  dryRun?: boolean
  operations: DlpApplyOperation[]
}

export interface DlpApplyChange {
  op: 'create' | 'update' | 'delete'
  id: string
  displayName: string
  changed: boolean
  etag?: string
  before?: DlpPolicy
  after?: DlpPolicy
}

export interface DlpApplyResult {
  dryRun: boolean
  changes: DlpApplyChange[]
  suspended: FlowImpact[]
  resumed: FlowImpact[]
}

/** The id of the tenant-wide policy connector block/unblock edit. */
export const MANAGED_POLICY_ID = 'tenant-blocked-connectors'
