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
/** `,"key":"value"` when there is a value, quoted by `quote` (q unless the string is known to need nothing). */
const opt = (key: string, s: string | undefined, quote: (s: string) => string = q) => (s === undefined ? '' : `,"${key}":${quote(s)}`)

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

/**
 * What the mapping reads of one event, already checked: strings are non-empty or undefined (the slow reader's `str`),
 * the target and the details also as JSON text (terminal-safe) for `unmapped`.
 */
interface Fields {
  id?: string
  seq?: number
  /** The event's time as text (Date.parse'd by the writer). */
  time?: string
  tenantId?: string
  cluster?: string
  action: string
  failed: boolean
  /** The actor's type as it came (any value: the writer's switch tells user, servicePrincipal and system apart). */
  actorType: unknown
  actorId?: string
  upn?: string
  appId?: string
  target?: {type?: string; id?: string; name?: string; json: string}
  ip?: string
  userAgent?: string
  correlationId?: string
  details?: {json: string; method?: string; path?: string; host?: string; reason?: string; code?: string; status?: number}
  /**
   * Every string above, except what came out of the details, has nothing to escape: the text reader's, whose pattern
   * admits no such character. The writer then quotes them without looking.
   */
  plain: boolean
}

/** The details' members the mapping uses (a refusal's method, path and host; anyone's reason, code and status). */
function detailFields(details: Record<string, unknown>, refusal: boolean, json: string): NonNullable<Fields['details']> {
  return {
    json,
    method: refusal && typeof details.method === 'string' ? details.method.toUpperCase() : undefined,
    path: refusal ? str(details.path) : undefined,
    host: refusal ? str(details.host) : undefined,
    reason: str(details.reason),
    code: str(details.code),
    status: typeof details.status === 'number' && Number.isFinite(details.status) ? details.status : undefined,
  }
}

/** The fields of a parsed event (any JSON object: every member may be missing or odd). */
function fieldsOf(input: Readonly<Record<string, unknown>>): Fields {
  const e = input as PlatformEvent
  const action = str(e.action) ?? 'unknown'
  const actor = obj(e.actor) ?? {}
  const target = obj(e.target)
  const details = obj(e.details)
  return {
    id: str(e.id),
    seq: typeof e.seq === 'number' && Number.isSafeInteger(e.seq) ? e.seq : undefined,
    time: typeof e.time === 'string' ? e.time : undefined,
    tenantId: str(e.tenantId),
    cluster: str(e.cluster),
    action,
    failed: e.result === 'failed',
    actorType: actor.type,
    actorId: str(actor.id),
    upn: str(actor.upn),
    appId: str(actor.appId),
    target: target && {type: str(target.type), id: str(target.id), name: str(target.displayName) ?? str(target.upn), json: safeJsonStringify(target)},
    ip: str(e.clientIp),
    userAgent: str(e.userAgent),
    correlationId: str(e.correlationId),
    details: details && detailFields(details, action === 'request.refused', safeJsonStringify(details)),
    plain: false,
  }
}

// The text reader: the platform writes every event with JSON.stringify, members in one order (id, seq, time, tenantId,
// cluster, action, result, actor, target, clientIp, userAgent, correlationId, details), so one anchored pattern reads
// the common event ~4× faster than JSON.parse, and its target and details are already the JSON text `unmapped` needs.
// It admits only what it reads exactly: strings with nothing to escape (no quote, backslash, control, bidi control or
// surrogate), integers, and flat details; anything else — another order, an escape, a nested detail — does not match,
// and the event is parsed. Both readers feed the same writer; test/lib/audit/ocsf.test.ts holds them to the same text.
/** A run of characters q leaves as they are: NEEDS_ESCAPE's class, negated (one definition of "nothing to escape"). */
const PLAIN_RUN = `[^${NEEDS_ESCAPE.source.slice(1)}*`
const PLAIN = `"(${PLAIN_RUN})"`
const PLAIN_NC = `"${PLAIN_RUN}"`
/** A detail's value: a plain string, an integer in JSON.stringify's own form, a boolean or null. */
const SCALAR = String.raw`(?:${PLAIN_NC}|0|-?[1-9]\d{0,14}|true|false|null)`
const member = (key: string, value: string) => `,"${key}":${value}`
const PLATFORM_EVENT = new RegExp(
  [
    `^\\{"id":${PLAIN}`,
    member('seq', '([1-9]\\d{0,14})'),
    member('time', PLAIN),
    member('tenantId', PLAIN),
    member('cluster', PLAIN),
    member('action', PLAIN),
    member('result', PLAIN),
    member('actor', `\\{"type":${PLAIN}(?:,"id":${PLAIN})?(?:,"upn":${PLAIN})?(?:,"appId":${PLAIN})?\\}`),
    `(?:${member('target', `(\\{"type":${PLAIN},"id":${PLAIN}(?:,"displayName":${PLAIN})?(?:,"upn":${PLAIN})?\\})`)})?`,
    `(?:${member('clientIp', PLAIN)})?`,
    `(?:${member('userAgent', PLAIN)})?`,
    `(?:${member('correlationId', PLAIN)})?`,
    `(?:${member('details', `(\\{(?:${PLAIN_NC}:${SCALAR}(?:,${PLAIN_NC}:${SCALAR})*)?\\})`)})?`,
    '\\}$',
  ].join(''),
)
/** A key the details' members the mapping uses: only then are the details parsed. */
const DETAIL_KEYS = /"(?:method|path|host|reason|code|status)":/

const nonEmpty = (s: string | undefined) => (s === '' ? undefined : s)

/** The fields of an event in the platform's own text, or undefined when the text is not in that form. */
function fieldsOfText(data: string): Fields | undefined {
  const m = PLATFORM_EVENT.exec(data)
  if (m === null) return undefined
  const action = nonEmpty(m[6]) ?? 'unknown'
  const targetJson = m[12]
  const detailsJson = m[20]
  return {
    id: nonEmpty(m[1]),
    seq: Number(m[2]),
    time: m[3],
    tenantId: nonEmpty(m[4]),
    cluster: nonEmpty(m[5]),
    action,
    failed: m[7] === 'failed',
    actorType: m[8],
    actorId: nonEmpty(m[9]),
    upn: nonEmpty(m[10]),
    appId: nonEmpty(m[11]),
    target: targetJson === undefined ? undefined : {type: nonEmpty(m[13]), id: nonEmpty(m[14]), name: nonEmpty(m[15]) ?? nonEmpty(m[16]), json: targetJson},
    ip: nonEmpty(m[17]),
    userAgent: nonEmpty(m[18]),
    correlationId: nonEmpty(m[19]),
    details:
      detailsJson === undefined
        ? undefined
        : DETAIL_KEYS.test(detailsJson)
          ? detailFields(JSON.parse(detailsJson) as Record<string, unknown>, action === 'request.refused', detailsJson)
          : {json: detailsJson},
    plain: true,
  }
}

/** A string known to have nothing to escape, as a JSON string literal. */
const plainQ = (s: string) => `"${s}"`

/** OCSF user: type_id 1 User, 3 System, 99 Other (a service principal), 0 Unknown (an anonymous attempt). */
function userJson(f: Fields, Q: (s: string) => string): string {
  const {actorId: id, upn, appId} = f
  const o = (key: string, s: string | undefined) => opt(key, s, Q)
  switch (f.actorType) {
    case 'user':
      return `{"type_id":1,"type":"User"${o('uid', id)}${o('name', upn ?? id)}${o('email_addr', upn)}}`
    case 'servicePrincipal':
      return `{"type_id":99,"type":"Service Principal"${o('uid', appId ?? id)}${o('name', appId ?? id)}}`
    case 'system':
      return `{"type_id":3,"type":"System"${o('uid', id)}${o('name', id)}}`
    default:
      return `{"type_id":0,"type":"Unknown"${o('uid', id)},"name":${Q(upn ?? id ?? 'anonymous')}}`
  }
}

function severityId(action: string, failed: boolean): number {
  if (action === 'replication.broken') return 4
  if (failed) return action === 'request.refused' ? 2 : 3
  return 1
}

/** The OCSF line of one event's fields (no newline). */
function write(f: Fields): string {
  // Q quotes what the reader checked (nothing to escape when plain); q whatever came out of the details.
  const Q = f.plain ? plainQ : q
  const o = (key: string, s: string | undefined) => opt(key, s, Q)
  const {action, failed, cluster, correlationId, target, details} = f
  const refusal = action === 'request.refused'
  const method = details?.method
  const path = details?.path
  const host = details?.host
  const code = details?.code
  const status = details?.status
  const kind = kindOf(action, method)
  const parsed = f.time === undefined ? NaN : Date.parse(f.time)
  const user = userJson(f, Q)
  const targetId = target?.id

  let out = kind.head
  out += `,"time":${Number.isFinite(parsed) ? parsed : 0},"severity_id":${severityId(action, failed)}`
  out += failed ? ',"status_id":2,"status":"Failure"' : ',"status_id":1,"status":"Success"'
  out += opt('status_detail', details?.reason ?? code)
  if (status !== undefined) out += `,"status_code":"${status}"`
  out += `,"metadata":{"version":"${OCSF_VERSION}","product":${PRODUCT}${o('uid', f.id)}${o('correlation_uid', correlationId)}`
  if (f.seq !== undefined) out += `,"sequence":${f.seq}`
  out += `${o('tenant_uid', f.tenantId)},"event_code":${Q(action)}}`
  out += `,"actor":{"user":${user}${o('app_uid', f.appId)}}`
  // A system action has no client address: the cluster that took it is the source.
  out += f.ip ? `,"src_endpoint":{"ip":${Q(f.ip)}}` : `,"src_endpoint":{"name":${Q(cluster ?? 'platform')}}`
  if (f.userAgent || method || path || host) {
    out += `,"http_request":{${[
      f.userAgent === undefined ? '' : `"user_agent":${Q(f.userAgent)}`,
      method === undefined ? '' : `"http_method":${q(method)}`,
      path || host
        ? `"url":{${[path === undefined ? '' : `"path":${q(path)}`, host === undefined ? '' : `"hostname":${q(host)}`].filter(Boolean).join(',')}}`
        : '',
    ]
      .filter(Boolean)
      .join(',')}}`
  }
  if (kind.api) {
    out += `,"api":{"operation":${refusal && method && path ? q(`${method} ${path}`) : Q(action)}`
    if (correlationId) out += `,"request":{"uid":${Q(correlationId)}}`
    if (refusal)
      out += `,"response":{${[status === undefined ? '' : `"code":${status}`, code === undefined ? '' : `"error":${q(code)}`].filter(Boolean).join(',')}}`
    // API Activity happens in a cloud: the platform, with the cluster as the region.
    out += `},"cloud":{"provider":"${PRODUCT_NAME}"${o('region', cluster)}}`
    if (target && (target.type || targetId)) {
      out += `,"resources":[{${[o('type', target.type), o('uid', targetId), o('name', target.name)].join('').slice(1)}}]`
    }
  } else {
    // Authentication: the subject that authenticates is the actor; a token's client is the service it is for.
    out += `,"user":${user}`
    if (targetId) out += `,"service":{"uid":${Q(targetId)},"name":${Q(targetId)}}`
  }
  const unmapped = [o('cluster', cluster), target ? `,"target":${target.json}` : '', details ? `,"details":${details.json}` : '']
  out += `,"unmapped":{${unmapped.join('').slice(1)}}}`
  return out
}

/**
 * One OCSF event for one platform event, as one line of JSON (no newline); unknown actions are API Activity
 * "Other", everything kept in `unmapped`. Terminal-safe like every NDJSON line: what a terminal would act on is
 * written as \uXXXX.
 */
export function ocsfJson(input: Readonly<Record<string, unknown>>): string {
  return write(fieldsOf(input))
}

/**
 * The same line for an event as the platform sent it (`data`), read from its text when it has the platform's own
 * form; otherwise from `parsed()`, the event parsed (`{}` when `data` is not a JSON object).
 */
export function ocsfJsonOfText(data: string, parsed: () => Readonly<Record<string, unknown>>): string {
  const fields = fieldsOfText(data)
  return write(fields ?? fieldsOf(parsed()))
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
