// Maps a platform audit event to an OCSF 1.1 event (Authentication 3002, API Activity 6003) for SIEMs and Amazon Security Lake.
//
// Pure: the same event always maps to the same object. What OCSF has no attribute for goes to `unmapped`, so nothing
// of the platform's event is lost; `metadata.uid` is the event id and `metadata.sequence` its seq (de-duplication).

export const OCSF_VERSION = '1.1.0'
const PRODUCT = {name: 'ppctl platform audit log', vendor_name: 'ppctl'} as const

interface Actor {
  type?: string
  id?: string
  upn?: string
  appId?: string
}

interface Target {
  type?: string
  id?: string
  displayName?: string
  upn?: string
}

/** The platform's AuditEvent (docs/openapi.yaml), as read from the stream: every field may be missing or odd. */
interface PlatformEvent {
  id?: unknown
  seq?: unknown
  time?: unknown
  tenantId?: unknown
  cluster?: unknown
  action?: unknown
  result?: unknown
  actor?: unknown
  target?: unknown
  clientIp?: unknown
  userAgent?: unknown
  correlationId?: unknown
  details?: unknown
}

const AUTHENTICATION = {class_uid: 3002, class_name: 'Authentication', category_uid: 3, category_name: 'Identity & Access Management'} as const
const API_ACTIVITY = {class_uid: 6003, class_name: 'API Activity', category_uid: 6, category_name: 'Application Activity'} as const

/** Authentication activities (OCSF 1.1): sign-ins are logons, OAuth token issues and refreshes are service tickets. */
const AUTH_ACTIVITIES: Readonly<Record<string, readonly [number, string]>> = {
  signin: [1, 'Logon'],
  'client.auth_failed': [1, 'Logon'],
  'token.issued': [4, 'Service Ticket Request'],
  'token.refreshed': [5, 'Service Ticket Renew'],
}

/** API Activity activities for the platform's changes: 1 Create, 2 Read, 3 Update, 4 Delete, 99 Other. */
const API_ACTIVITIES: Readonly<Record<string, readonly [number, string]>> = {
  'connector.created': [1, 'Create'],
  'connector.deleted': [4, 'Delete'],
  'connector.blocked': [3, 'Update'],
  'connector.unblocked': [3, 'Update'],
  'license.assigned': [1, 'Create'],
  'license.revoked': [4, 'Delete'],
}

const BY_METHOD: Readonly<Record<string, readonly [number, string]>> = {
  GET: [2, 'Read'],
  HEAD: [2, 'Read'],
  POST: [1, 'Create'],
  PUT: [3, 'Update'],
  PATCH: [3, 'Update'],
  DELETE: [4, 'Delete'],
}

const OTHER = [99, 'Other'] as const

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined

// Objects are built with every attribute in a fixed place, absent ones undefined: JSON.stringify leaves those out, and
// one shape per object keeps the mapping fast (a stream maps each event; spreads and deletes cost several times more).

/** OCSF user type_id: 1 User, 3 System, 99 Other (a service principal), 0 Unknown (an anonymous attempt). */
function userOf(actor: Actor): Record<string, unknown> {
  switch (actor.type) {
    case 'user':
      return {type_id: 1, type: 'User', uid: actor.id, name: actor.upn ?? actor.id, email_addr: actor.upn}
    case 'servicePrincipal':
      return {type_id: 99, type: 'Service Principal', uid: actor.appId ?? actor.id, name: actor.appId ?? actor.id, email_addr: undefined}
    case 'system':
      return {type_id: 3, type: 'System', uid: actor.id, name: actor.id, email_addr: undefined}
    default:
      return {type_id: 0, type: 'Unknown', uid: actor.id, name: actor.upn ?? actor.id ?? 'anonymous', email_addr: undefined}
  }
}

function severityOf(action: string, failed: boolean): readonly [number, string] {
  if (action === 'replication.broken') return [4, 'High']
  if (failed) return action === 'request.refused' ? [2, 'Low'] : [3, 'Medium']
  return [1, 'Informational']
}

interface Kind {
  auth: boolean
  klass: typeof AUTHENTICATION | typeof API_ACTIVITY
  activityId: number
  activityName: string
  typeUid: number
  typeName: string
}

const kinds = new Map<string, Kind>()
/** The class and activity of an action (a refusal's by its method), worked out once per action and method. */
function kindOf(action: string, method: string | undefined): Kind {
  const key = method ? `${action} ${method}` : action
  let kind = kinds.get(key)
  if (!kind) {
    const auth = AUTH_ACTIVITIES[action]
    const klass = auth ? AUTHENTICATION : API_ACTIVITY
    const [activityId, activityName] = auth ?? API_ACTIVITIES[action] ?? (action === 'request.refused' && method ? (BY_METHOD[method] ?? OTHER) : OTHER)
    kind = {auth: Boolean(auth), klass, activityId, activityName, typeUid: klass.class_uid * 100 + activityId, typeName: `${klass.class_name}: ${activityName}`}
    // Bounded: actions and methods are few, but they come from the platform.
    if (kinds.size < 1000) kinds.set(key, kind)
  }
  return kind
}

/**
 * One OCSF event for one platform event; unknown actions are API Activity "Other", everything kept in `unmapped`.
 * Attributes that do not apply are undefined (JSON leaves them out).
 */
export function toOcsf(input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const e = input as PlatformEvent
  const action = str(e.action) ?? 'unknown'
  const failed = e.result === 'failed'
  const actor = (obj(e.actor) ?? {}) as Actor
  const target = obj(e.target) as Target | undefined
  const details = obj(e.details)
  const refusal = action === 'request.refused'
  const method = refusal && typeof details?.method === 'string' ? details.method.toUpperCase() : undefined
  const path = refusal ? str(details?.path) : undefined
  const host = refusal ? str(details?.host) : undefined
  const kind = kindOf(action, method)
  const [severityId, severity] = severityOf(action, failed)
  const parsed = typeof e.time === 'string' ? Date.parse(e.time) : NaN
  const user = userOf(actor)
  const ip = str(e.clientIp)
  const cluster = str(e.cluster)
  const userAgent = str(e.userAgent)
  const correlationId = str(e.correlationId)
  const reason = str(details?.reason) ?? str(details?.code)
  const status = typeof details?.status === 'number' ? details.status : undefined
  const api = !kind.auth
  return {
    class_uid: kind.klass.class_uid,
    class_name: kind.klass.class_name,
    category_uid: kind.klass.category_uid,
    category_name: kind.klass.category_name,
    activity_id: kind.activityId,
    activity_name: kind.activityName,
    type_uid: kind.typeUid,
    type_name: kind.typeName,
    time: Number.isFinite(parsed) ? parsed : 0,
    severity_id: severityId,
    severity,
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    status_detail: reason,
    status_code: status === undefined ? undefined : String(status),
    message: `${action} ${failed ? 'failed' : 'succeeded'}`,
    metadata: {
      uid: str(e.id),
      version: OCSF_VERSION,
      product: PRODUCT,
      correlation_uid: correlationId,
      sequence: typeof e.seq === 'number' ? e.seq : undefined,
      original_time: str(e.time),
      tenant_uid: str(e.tenantId),
      event_code: action,
      log_name: 'audit',
    },
    actor: {user, app_uid: actor.appId},
    // A system action has no client address: the cluster that took it is the source.
    src_endpoint: ip ? {ip} : {name: cluster ?? 'platform'},
    http_request:
      userAgent || method || path || host ? {user_agent: userAgent, http_method: method, url: path || host ? {path, hostname: host} : undefined} : undefined,
    // Authentication: the subject that authenticates is the actor; a token's client is the service it is for.
    user: kind.auth ? user : undefined,
    service: kind.auth && target?.id ? {uid: target.id, name: target.id} : undefined,
    api: api
      ? {
          operation: refusal && method && path ? `${method} ${path}` : action,
          request: correlationId ? {uid: correlationId} : undefined,
          response: refusal ? {code: status, error: str(details?.code)} : undefined,
        }
      : undefined,
    // API Activity happens in a cloud: the platform, with the cluster as the region.
    cloud: api ? {provider: PRODUCT.name, region: cluster} : undefined,
    resources: api && target && (target.type || target.id) ? [{type: target.type, uid: target.id, name: target.displayName ?? target.upn}] : undefined,
    unmapped: {action, seq: e.seq, cluster, target, details},
  }
}
