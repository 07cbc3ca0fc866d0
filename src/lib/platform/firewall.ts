// The IP firewall of the signed-in tenant: its default and environment policies (read, replace with If-Match), a decision for an address, a dry run against the audit log, and ranges from a file.
import {readFileSync} from 'node:fs'

import ipaddr from 'ipaddr.js'

import type {FirewallPolicy, FirewallSettings} from '../../sandbox/contract.js'
import type {Context} from '../context.js'
import {UsageError} from '../errors/index.js'

export type {FirewallSettings}

/** A policy as the platform answers it: the platform's model, and at the tenant scope its environments' overrides. */
export interface TenantFirewallPolicy extends FirewallPolicy {
  /** The tenant default: the environments with a policy of their own. */
  environmentOverrides?: string[]
  /** An environment without a policy of its own (the tenant default's settings are shown). */
  inheritsTenantDefault?: boolean
  /** Set when the policy was forced although it blocks the caller's address. */
  warning?: string
}

export interface FirewallDecision {
  ip: string
  environmentId?: string
  policyScope: 'tenant' | 'environment'
  policyEnvironmentId?: string
  enabled: boolean
  auditOnly: boolean
  outcome: 'allowed' | 'blocked' | 'would-block'
  clientIp: string | null
  via: 'socket' | 'x-forwarded-for'
  matchedRange?: string
  reason: string
}

export interface FirewallWouldBlock {
  ip: string
  requests: number
  firstSeen: string
  lastSeen: string
  actors: string[]
}

export interface FirewallDryRun {
  days: number
  since: string
  environmentId?: string
  eventsChecked: number
  truncated: boolean
  wouldBlock: FirewallWouldBlock[]
  callerAddress: string | null
  callerWouldBeBlocked: boolean
}

const policyPath = (env?: string) => (env ? `/v1/environments/${encodeURIComponent(env)}/firewall` : '/v1/firewall')
const envNotFound = (env?: string) =>
  env ? {ENVIRONMENT_NOT_FOUND: {kind: 'environment', id: env, nextStep: 'List the environments: ppctl env list'}} : undefined

export async function getFirewall(ctx: Context, env?: string): Promise<TenantFirewallPolicy> {
  const {body, headers} = await ctx.api().request<TenantFirewallPolicy>({
    path: policyPath(env),
    what: env ? `Reading the IP firewall of environment ${env}` : 'Reading the IP firewall',
    notFound: envNotFound(env),
  })
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export async function setFirewall(
  ctx: Context,
  settings: FirewallSettings,
  etag: string,
  opts: {env?: string; force?: boolean},
): Promise<TenantFirewallPolicy> {
  const {body, headers} = await ctx.api().request<TenantFirewallPolicy>({
    method: 'PUT',
    path: `${policyPath(opts.env)}${opts.force ? '?force=true' : ''}`,
    body: settings,
    headers: {'if-match': etag},
    what: opts.env ? `Setting the IP firewall of environment ${opts.env}` : 'Setting the IP firewall',
    notFound: envNotFound(opts.env),
  })
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export async function testFirewall(
  ctx: Context,
  request: {ip: string; environmentId?: string; servicePrincipal?: boolean; forwardedFor?: string},
): Promise<FirewallDecision> {
  const {body} = await ctx.api().request<FirewallDecision>({
    method: 'POST',
    path: '/v1/firewall/test',
    body: request,
    what: `Testing ${request.ip} against the IP firewall`,
    notFound: envNotFound(request.environmentId),
  })
  return body
}

export async function dryRunFirewall(ctx: Context, policy: FirewallSettings, days: number, env?: string): Promise<FirewallDryRun> {
  const {body} = await ctx.api().request<FirewallDryRun>({
    method: 'POST',
    path: '/v1/firewall/dry-run',
    body: {policy, days, ...(env ? {environmentId: env} : {})},
    what: 'Checking the policy against the audit log',
    notFound: envNotFound(env),
  })
  return body
}

/** Why a range is not one, or undefined when it is (IPv4 dotted quad or IPv6, with an optional /prefix). */
function rangeError(text: string): string | undefined {
  const [addr, prefix, ...more] = text.split('/')
  if (more.length > 0) return 'has more than one "/"'
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(addr)
  if (!v4 && !ipaddr.IPv6.isValid(addr)) return `"${addr}" is not an IPv4 or IPv6 address`
  if (prefix === undefined) return undefined
  const max = v4 ? 32 : 128
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"/${prefix}" is not a prefix length for ${v4 ? 'IPv4' : 'IPv6'} (0-${max})`
  return undefined
}

/** Ranges from flags (each may hold several, comma-separated), checked here so a mistake is named before anything is sent. */
export function rangesFromFlags(values: readonly string[], flag: string): string[] {
  const out: string[] = []
  for (const v of values)
    for (const r of v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const error = rangeError(r)
      if (error) throw new UsageError('INVALID_RANGE', `${flag} ${r}: ${error}.`, {nextStep: 'Give CIDR ranges such as 203.0.113.0/24 or 2001:db8::/32.'})
      out.push(r)
    }
  return out
}

/**
 * Ranges from a file: one or more per line (separated by spaces or commas), `#` starts a comment. A bad one is
 * named with its line and column: `ranges.txt:4:12: "10.0.0.0/33" …`.
 */
export function rangesFromFile(file: string): string[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new UsageError('FILE_UNREADABLE', `${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
      nextStep: 'Check the path of --file.',
    })
  }
  const out: string[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    const body = line.split('#')[0]
    for (const m of body.matchAll(/[^\s,]+/g)) {
      const error = rangeError(m[0])
      if (error)
        throw new UsageError('INVALID_RANGE', `${file}:${i + 1}:${(m.index ?? 0) + 1}: ${JSON.stringify(m[0].slice(0, 64))}: ${error}.`, {
          nextStep: 'One CIDR range per line (or several separated by spaces or commas), # for comments.',
        })
      out.push(m[0])
    }
  })
  return out
}
