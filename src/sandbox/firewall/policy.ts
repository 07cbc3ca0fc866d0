// The IP firewall's policy (per environment, and the tenant's default): its validation and the decision it makes about one request.
import {addressText, firstMatch, parseAddress, parseRange, type Address, type ParsedRange} from './ranges.js'

const MAX_RANGES = 200
const MAX_PROXIES = 20

/** What an admin sets. */
export interface FirewallSettings {
  enabled: boolean
  /** Log what would be blocked (`request.would_block`), block nothing. */
  auditOnly: boolean
  allowedRanges: string[]
  /** Service principals (application users) pass whatever their address. */
  exemptServicePrincipals: boolean
  /** Reverse proxies whose X-Forwarded-For is honoured; nobody else's is. */
  trustedProxies: string[]
}

export interface FirewallPolicy extends FirewallSettings {
  /** `tenant` (the default of every environment without its own) or `environment`. */
  scope: 'tenant' | 'environment'
  environmentId: string | null
  /** False when no policy was ever set at this scope (the defaults are shown). */
  configured: boolean
  updatedBy: string | null
  updatedAt: string | null
  etag: string
}

export const DEFAULT_SETTINGS: FirewallSettings = {enabled: false, auditOnly: false, allowedRanges: [], exemptServicePrincipals: false, trustedProxies: []}

export class FirewallInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly index?: number,
  ) {
    super(message)
  }
}

const FIELDS = new Set(Object.keys(DEFAULT_SETTINGS))

function rangeList(value: unknown, field: string, max: number): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new FirewallInputError(`${field} must be an array of CIDR ranges`, field)
  if (value.length > max) throw new FirewallInputError(`${field} has ${value.length} ranges; at most ${max} are allowed`, field)
  const out: string[] = []
  const seen = new Set<string>()
  value.forEach((v, i) => {
    if (typeof v !== 'string' || v.length > 64) throw new FirewallInputError(`${field}[${i}] must be a CIDR range as a string (e.g. 10.1.0.0/16)`, field, i)
    const parsed = parseRange(v)
    if ('error' in parsed) throw new FirewallInputError(`${field}[${i}]: ${parsed.error}`, field, i)
    if (!seen.has(parsed.range.cidr)) out.push(parsed.range.cidr)
    seen.add(parsed.range.cidr)
  })
  return out
}

/** A body's settings, every field checked; unknown fields refused. Ranges come back canonical and without duplicates. */
export function parseSettings(body: Record<string, unknown>): FirewallSettings {
  for (const k of Object.keys(body)) if (!FIELDS.has(k)) throw new FirewallInputError(`unknown field ${k}; the fields are ${[...FIELDS].join(', ')}`, k)
  const bool = (k: keyof FirewallSettings) => {
    const v = body[k]
    if (v === undefined) return false
    if (typeof v !== 'boolean') throw new FirewallInputError(`${k} must be true or false`, k)
    return v
  }
  const settings: FirewallSettings = {
    enabled: bool('enabled'),
    auditOnly: bool('auditOnly'),
    allowedRanges: rangeList(body.allowedRanges, 'allowedRanges', MAX_RANGES),
    exemptServicePrincipals: bool('exemptServicePrincipals'),
    trustedProxies: rangeList(body.trustedProxies, 'trustedProxies', MAX_PROXIES),
  }
  if (settings.enabled && !settings.auditOnly && settings.allowedRanges.length === 0 && !settings.exemptServicePrincipals) {
    throw new FirewallInputError('an enforcing firewall with no allowed range would block every request; give allowedRanges, or auditOnly', 'allowedRanges')
  }
  return settings
}

export interface RequestSource {
  /** The socket's peer address. */
  remoteAddress: string | undefined
  /** The X-Forwarded-For header as received (possibly several, comma-joined). */
  forwardedFor?: string
  kind: 'user' | 'servicePrincipal'
}

export type Outcome = 'allowed' | 'blocked' | 'would-block'

export interface FirewallDecision {
  outcome: Outcome
  /** The address the decision is about: the socket's, or the client's from a trusted proxy's X-Forwarded-For. */
  clientIp: string | null
  via: 'socket' | 'x-forwarded-for'
  /** The range that let it in. */
  matchedRange?: string
  /** Why, as a sentence. */
  reason: string
}

const ranges = (list: readonly string[]): ParsedRange[] =>
  list.flatMap((r) => {
    const p = parseRange(r)
    return 'range' in p ? [p.range] : []
  })

/**
 * The client's address: the socket's, unless the socket is a trusted proxy and sent X-Forwarded-For, then the
 * right-most address of that header that is not itself a trusted proxy (the left part is the client's to forge).
 */
function clientAddress(
  source: Pick<RequestSource, 'remoteAddress' | 'forwardedFor'>,
  trustedProxies: readonly string[],
): {address?: Address; via: FirewallDecision['via']; invalid?: string} {
  const socket = source.remoteAddress ? parseAddress(source.remoteAddress) : undefined
  const proxies = ranges(trustedProxies)
  if (!socket || !source.forwardedFor || !firstMatch(socket, proxies)) return {address: socket, via: 'socket'}
  const hops = source.forwardedFor
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '')
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i])
    if (!hop) return {via: 'x-forwarded-for', invalid: hops[i].slice(0, 64)}
    if (!firstMatch(hop, proxies)) return {address: hop, via: 'x-forwarded-for'}
  }
  return {address: socket, via: 'socket'}
}

export function decide(settings: FirewallSettings, source: RequestSource): FirewallDecision {
  const {address, via, invalid} = clientAddress(source, settings.trustedProxies)
  const clientIp = address ? addressText(address) : null
  if (!settings.enabled) return {outcome: 'allowed', clientIp, via, reason: 'the firewall is off'}
  if (source.kind === 'servicePrincipal' && settings.exemptServicePrincipals)
    return {outcome: 'allowed', clientIp, via, reason: 'service principals are exempt'}
  const miss: Outcome = settings.auditOnly ? 'would-block' : 'blocked'
  if (!address) {
    const what = invalid === undefined ? 'the client address is unknown' : `the trusted proxy forwarded "${invalid}", which is not an address`
    return {outcome: miss, clientIp, via, reason: `${what}${settings.auditOnly ? ' (audit-only: not blocked)' : ''}`}
  }
  const match = firstMatch(address, ranges(settings.allowedRanges))
  if (match) return {outcome: 'allowed', clientIp, via, matchedRange: match.cidr, reason: `${clientIp} is in ${match.cidr}`}
  return {
    outcome: miss,
    clientIp,
    via,
    reason: `your address ${clientIp} is not in the allowed ranges${settings.auditOnly ? ' (audit-only: not blocked)' : ''}`,
  }
}
