// Maps a platform audit event to an OCSF 1.1 event (Authentication 3002, API Activity 6003) for SIEMs and Amazon Security Lake.
//
// Pure: the same event always maps to the same JSON. What OCSF has no attribute for goes to `unmapped`, so nothing of
// the platform's event is lost; `metadata.uid` is the event id and `metadata.sequence` its seq (de-duplication).
//
// The JSON text is written directly, not built as objects and stringified: a stream maps every event, and OCSF is
// ~2× the platform's bytes, so generic serialization would cost most of the throughput (bench/audit.js; objects of
// this shape and JSON.stringify measured ~5× slower). ocsfEvent is the same mapping as objects, the reference the
// tests hold ocsfJson to. The parts that depend only on the action are made once per action. Captions (class_name, activity_name …) are left out:
// OCSF makes them optional, and every id is there.

import {safeJsonStringify, terminalSafeJsonText} from '../output/json.js'

export const OCSF_VERSION = '1.1.0'
const PRODUCT_NAME = 'ppctl platform audit log'
const PRODUCT = `{"name":"${PRODUCT_NAME}","vendor_name":"ppctl"}`

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

const AUTHENTICATION = {class_uid: 3002, category_uid: 3} as const
const API_ACTIVITY = {class_uid: 6003, category_uid: 6} as const

/** Authentication activities (OCSF 1.1): sign-ins are logons, OAuth token issues and refreshes are service tickets. */
const AUTH_ACTIVITIES: Readonly<Record<string, number>> = {signin: 1, 'client.auth_failed': 1, 'token.issued': 4, 'token.refreshed': 5}

/** API Activity activities for the platform's changes: 1 Create, 2 Read, 3 Update, 4 Delete, 99 Other. */
const API_ACTIVITIES: Readonly<Record<string, number>> = {
  'connector.created': 1,
  'connector.deleted': 4,
  'connector.blocked': 3,
  'connector.unblocked': 3,
  'license.assigned': 1,
  'license.revoked': 4,
}

const BY_METHOD: Readonly<Record<string, number>> = {GET: 2, HEAD: 2, POST: 1, PUT: 3, PATCH: 3, DELETE: 4}
const OTHER = 99

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined

/**
 * What JSON.stringify escapes (quotes, backslashes, C0, lone surrogates) and what a terminal would act on (DEL, C1,
 * bidi controls, LS/PS: see terminalSafeJsonText): only strings with one take the slow road.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/
/** A JSON string literal, terminal-safe. */
const q = (s: string) => (NEEDS_ESCAPE.test(s) ? terminalSafeJsonText(JSON.stringify(s)) : `"${s}"`)
/** `,"key":"value"` when there is a value. */
const opt = (key: string, s: string | undefined) => (s === undefined ? '' : `,"${key}":${q(s)}`)

/** The class, activity and type of an action (a refusal's by its method). */
function classOf(action: string, method: string | undefined) {
  const auth = AUTH_ACTIVITIES[action]
  const klass = auth ? AUTHENTICATION : API_ACTIVITY
  const activity = auth ?? API_ACTIVITIES[action] ?? (action === 'request.refused' && method ? (BY_METHOD[method] ?? OTHER) : OTHER)
  return {api: !auth, class_uid: klass.class_uid, category_uid: klass.category_uid, activity_id: activity, type_uid: klass.class_uid * 100 + activity}
}

interface Kind {
  api: boolean
  /** `{"class_uid":…,"category_uid":…,"activity_id":…,"type_uid":…` */
  head: string
}

const kinds = new Map<string, Kind>()
/** The class and activity of an action (a refusal's by its method), worked out once per action and method. */
function kindOf(action: string, method: string | undefined): Kind {
  const key = method ? `${action} ${method}` : action
  let kind = kinds.get(key)
  if (!kind) {
    const c = classOf(action, method)
    kind = {api: c.api, head: `{"class_uid":${c.class_uid},"category_uid":${c.category_uid},"activity_id":${c.activity_id},"type_uid":${c.type_uid}`}
    // Bounded: actions and methods are few, but they come from the platform.
    if (kinds.size < 1000) kinds.set(key, kind)
  }
  return kind
}

/** OCSF user: type_id 1 User, 3 System, 99 Other (a service principal), 0 Unknown (an anonymous attempt). */
function userJson(actor: Record<string, unknown>): string {
  const id = str(actor.id)
  const upn = str(actor.upn)
  const appId = str(actor.appId)
  switch (actor.type) {
    case 'user':
      return `{"type_id":1,"type":"User"${opt('uid', id)}${opt('name', upn ?? id)}${opt('email_addr', upn)}}`
    case 'servicePrincipal':
      return `{"type_id":99,"type":"Service Principal"${opt('uid', appId ?? id)}${opt('name', appId ?? id)}}`
    case 'system':
      return `{"type_id":3,"type":"System"${opt('uid', id)}${opt('name', id)}}`
    default:
      return `{"type_id":0,"type":"Unknown"${opt('uid', id)},"name":${q(upn ?? id ?? 'anonymous')}}`
  }
}

function severityId(action: string, failed: boolean): number {
  if (action === 'replication.broken') return 4
  if (failed) return action === 'request.refused' ? 2 : 3
  return 1
}

/**
 * One OCSF event for one platform event, as one line of JSON (no newline); unknown actions are API Activity
 * "Other", everything kept in `unmapped`. Terminal-safe like every NDJSON line: what a terminal would act on is
 * written as \uXXXX.
 */
export function ocsfJson(input: Readonly<Record<string, unknown>>): string {
  const e = input as PlatformEvent
  const action = str(e.action) ?? 'unknown'
  const failed = e.result === 'failed'
  const actor = obj(e.actor) ?? {}
  const target = obj(e.target)
  const details = obj(e.details)
  const refusal = action === 'request.refused'
  const method = refusal && typeof details?.method === 'string' ? details.method.toUpperCase() : undefined
  const path = refusal ? str(details?.path) : undefined
  const host = refusal ? str(details?.host) : undefined
  const kind = kindOf(action, method)
  const parsed = typeof e.time === 'string' ? Date.parse(e.time) : NaN
  const ip = str(e.clientIp)
  const cluster = str(e.cluster)
  const userAgent = str(e.userAgent)
  const correlationId = str(e.correlationId)
  const reason = str(details?.reason) ?? str(details?.code)
  const status = typeof details?.status === 'number' && Number.isFinite(details.status) ? details.status : undefined
  const user = userJson(actor)
  const targetId = str(target?.id)

  let out = kind.head
  out += `,"time":${Number.isFinite(parsed) ? parsed : 0},"severity_id":${severityId(action, failed)}`
  out += failed ? ',"status_id":2,"status":"Failure"' : ',"status_id":1,"status":"Success"'
  out += opt('status_detail', reason)
  if (status !== undefined) out += `,"status_code":"${status}"`
  out += `,"metadata":{"version":"${OCSF_VERSION}","product":${PRODUCT}${opt('uid', str(e.id))}${opt('correlation_uid', correlationId)}`
  if (typeof e.seq === 'number' && Number.isSafeInteger(e.seq)) out += `,"sequence":${e.seq}`
  out += `${opt('tenant_uid', str(e.tenantId))},"event_code":${q(action)}}`
  out += `,"actor":{"user":${user}${opt('app_uid', str(actor.appId))}}`
  // A system action has no client address: the cluster that took it is the source.
  out += ip ? `,"src_endpoint":{"ip":${q(ip)}}` : `,"src_endpoint":{"name":${q(cluster ?? 'platform')}}`
  if (userAgent || method || path || host) {
    out += `,"http_request":{${[
      userAgent === undefined ? '' : `"user_agent":${q(userAgent)}`,
      method === undefined ? '' : `"http_method":${q(method)}`,
      path || host
        ? `"url":{${[path === undefined ? '' : `"path":${q(path)}`, host === undefined ? '' : `"hostname":${q(host)}`].filter(Boolean).join(',')}}`
        : '',
    ]
      .filter(Boolean)
      .join(',')}}`
  }
  if (kind.api) {
    out += `,"api":{"operation":${q(refusal && method && path ? `${method} ${path}` : action)}`
    if (correlationId) out += `,"request":{"uid":${q(correlationId)}}`
    if (refusal)
      out += `,"response":{${[status === undefined ? '' : `"code":${status}`, str(details?.code) === undefined ? '' : `"error":${q(str(details?.code)!)}`].filter(Boolean).join(',')}}`
    // API Activity happens in a cloud: the platform, with the cluster as the region.
    out += `},"cloud":{"provider":"${PRODUCT_NAME}"${opt('region', cluster)}}`
    if (target && (str(target.type) || targetId)) {
      out += `,"resources":[{${[opt('type', str(target.type)), opt('uid', targetId), opt('name', str(target.displayName) ?? str(target.upn))].join('').slice(1)}}]`
    }
  } else {
    // Authentication: the subject that authenticates is the actor; a token's client is the service it is for.
    out += `,"user":${user}`
    if (targetId) out += `,"service":{"uid":${q(targetId)},"name":${q(targetId)}}`
  }
  const unmapped = [opt('cluster', cluster), target ? `,"target":${safeJsonStringify(target)}` : '', details ? `,"details":${safeJsonStringify(details)}` : '']
  out += `,"unmapped":{${unmapped.join('').slice(1)}}}`
  return out
}

function user(actor: Record<string, unknown>): Record<string, unknown> {
  const id = str(actor.id)
  const upn = str(actor.upn)
  const appId = str(actor.appId)
  switch (actor.type) {
    case 'user':
      return {type_id: 1, type: 'User', uid: id, name: upn ?? id, email_addr: upn}
    case 'servicePrincipal':
      return {type_id: 99, type: 'Service Principal', uid: appId ?? id, name: appId ?? id}
    case 'system':
      return {type_id: 3, type: 'System', uid: id, name: id}
    default:
      return {type_id: 0, type: 'Unknown', uid: id, name: upn ?? id ?? 'anonymous'}
  }
}

/**
 * The reference mapping, as objects: what ocsfJson writes (test/lib/audit/ocsf.test.ts holds ocsfJson to
 * safeJsonStringify of this for every kind of event). Absent attributes are undefined: JSON leaves them out. Its
 * reading of the event repeats ocsfJson's on purpose: a shared step would make one mistake in both pass the test.
 */
export function ocsfEvent(input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const e = input as PlatformEvent
  const action = str(e.action) ?? 'unknown'
  const failed = e.result === 'failed'
  const actor = obj(e.actor) ?? {}
  const target = obj(e.target)
  const details = obj(e.details)
  const refusal = action === 'request.refused'
  const method = refusal && typeof details?.method === 'string' ? details.method.toUpperCase() : undefined
  const path = refusal ? str(details?.path) : undefined
  const host = refusal ? str(details?.host) : undefined
  const {api, ...klass} = classOf(action, method)
  const parsed = typeof e.time === 'string' ? Date.parse(e.time) : NaN
  const ip = str(e.clientIp)
  const cluster = str(e.cluster)
  const userAgent = str(e.userAgent)
  const correlationId = str(e.correlationId)
  const code = str(details?.code)
  const status = typeof details?.status === 'number' && Number.isFinite(details.status) ? details.status : undefined
  const u = user(actor)
  const targetId = str(target?.id)
  const targetType = str(target?.type)
  return {
    ...klass,
    time: Number.isFinite(parsed) ? parsed : 0,
    severity_id: severityId(action, failed),
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    status_detail: str(details?.reason) ?? code,
    status_code: status === undefined ? undefined : String(status),
    metadata: {
      version: OCSF_VERSION,
      product: {name: PRODUCT_NAME, vendor_name: 'ppctl'},
      uid: str(e.id),
      correlation_uid: correlationId,
      sequence: typeof e.seq === 'number' && Number.isSafeInteger(e.seq) ? e.seq : undefined,
      tenant_uid: str(e.tenantId),
      event_code: action,
    },
    actor: {user: u, app_uid: str(actor.appId)},
    src_endpoint: ip ? {ip} : {name: cluster ?? 'platform'},
    http_request:
      userAgent || method || path || host ? {user_agent: userAgent, http_method: method, url: path || host ? {path, hostname: host} : undefined} : undefined,
    ...(api
      ? {
          api: {
            operation: refusal && method && path ? `${method} ${path}` : action,
            request: correlationId ? {uid: correlationId} : undefined,
            response: refusal ? {code: status, error: code} : undefined,
          },
          cloud: {provider: PRODUCT_NAME, region: cluster},
          resources: target && (targetType || targetId) ? [{type: targetType, uid: targetId, name: str(target.displayName) ?? str(target.upn)}] : undefined,
        }
      : {user: u, service: targetId ? {uid: targetId, name: targetId} : undefined}),
    unmapped: {cluster, target, details},
  }
}

/** The same event as an object (what a SIEM parses back from ocsfJson). */
export function toOcsf(input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(ocsfJson(input)) as Record<string, unknown>
}
