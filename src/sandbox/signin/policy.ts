// The tenant's sign-in policy at the identity provider: where from (ranges, for everyone or some groups) and how (device-code sign-in blocked for everyone or some groups).
import {firstMatch, parseAddress, parseRange} from '../firewall/ranges.js'

export const SIGNIN_SCHEMA = `
CREATE TABLE IF NOT EXISTS signin_policies (tenant_id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
  version INTEGER NOT NULL);
`

export interface SignInPolicySettings {
  /** Device-code sign-in refused; `groups` empty = for everyone. */
  blockDeviceCode: {enabled: boolean; groups: string[]}
  /** Sign-in only from these ranges; `groups` empty = for everyone; no ranges = from anywhere. */
  signInRanges: {ranges: string[]; groups: string[]}
}

export const DEFAULT_SIGNIN: SignInPolicySettings = {blockDeviceCode: {enabled: false, groups: []}, signInRanges: {ranges: [], groups: []}}

export class SignInPolicyInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message)
  }
}

const strings = (v: unknown, field: string, max: number): string[] => {
  if (v === undefined) return []
  if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 120))
    throw new SignInPolicyInputError(`${field} must be an array of at most ${max} non-empty strings`, field)
  return [...new Set(v as string[])]
}

function object(v: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (v === undefined) return {}
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SignInPolicyInputError(`${field} must be an object`, field)
  for (const k of Object.keys(v))
    if (!keys.includes(k)) throw new SignInPolicyInputError(`unknown field ${field}.${k}; the fields are ${keys.join(', ')}`, `${field}.${k}`)
  return v as Record<string, unknown>
}

/** A body's settings, every field checked (groups are checked against the tenant by the caller). */
export function parseSignInPolicy(body: Record<string, unknown>): SignInPolicySettings {
  const top = object(body, 'policy', ['blockDeviceCode', 'signInRanges'])
  const device = object(top.blockDeviceCode, 'blockDeviceCode', ['enabled', 'groups'])
  if (device.enabled !== undefined && typeof device.enabled !== 'boolean')
    throw new SignInPolicyInputError('blockDeviceCode.enabled must be true or false', 'blockDeviceCode.enabled')
  const ranges = object(top.signInRanges, 'signInRanges', ['ranges', 'groups'])
  const list = strings(ranges.ranges, 'signInRanges.ranges', 200).map((r, i) => {
    const p = parseRange(r)
    if ('error' in p) throw new SignInPolicyInputError(`signInRanges.ranges[${i}]: ${p.error}`, 'signInRanges.ranges')
    return p.range.cidr
  })
  return {
    blockDeviceCode: {enabled: device.enabled === true, groups: strings(device.groups, 'blockDeviceCode.groups', 50)},
    signInRanges: {ranges: [...new Set(list)], groups: strings(ranges.groups, 'signInRanges.groups', 50)},
  }
}

export interface SignInAttempt {
  /** The user's groups in the tenant. */
  groups: readonly string[]
  ip: string | undefined
  flow: 'device_code' | 'authorization_code'
}

/** The refusal (an OAuth error_description, naming the rule and what to use instead), or undefined when the sign-in may go on. */
export function refusalOf(policy: SignInPolicySettings, attempt: SignInAttempt): {rule: string; description: string} | undefined {
  const inScope = (groups: readonly string[]) => groups.length === 0 || groups.some((g) => attempt.groups.includes(g))
  const scopeText = (groups: readonly string[]) => (groups.length === 0 ? 'everyone' : `group ${groups.filter((g) => attempt.groups.includes(g)).join(', ')}`)
  if (attempt.flow === 'device_code' && policy.blockDeviceCode.enabled && inScope(policy.blockDeviceCode.groups)) {
    return {
      rule: 'blockDeviceCode',
      description: `Device-code sign-in is blocked by the tenant's sign-in policy (for ${scopeText(policy.blockDeviceCode.groups)}). Sign in in a browser on this machine (the authorization-code flow) or with a certificate instead.`,
    }
  }
  if (policy.signInRanges.ranges.length > 0 && inScope(policy.signInRanges.groups)) {
    const address = attempt.ip ? parseAddress(attempt.ip) : undefined
    const allowed = address
      ? firstMatch(
          address,
          policy.signInRanges.ranges.flatMap((r) => {
            const p = parseRange(r)
            return 'range' in p ? [p.range] : []
          }),
        )
      : undefined
    if (!allowed)
      return {
        rule: 'signInRanges',
        description: `Sign-in from ${address?.toString() ?? 'an unknown address'} is not allowed by the tenant's sign-in policy (for ${scopeText(policy.signInRanges.groups)}: only from its allowed ranges). Sign in from an allowed network.`,
      }
  }
  return undefined
}
