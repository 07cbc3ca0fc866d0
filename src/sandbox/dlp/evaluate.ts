// The DLP evaluation as one pure function: a flow's connectors in an environment against the policies that apply there (no I/O).
import type {DlpEvaluation, DlpGroup, DlpPolicy, DlpPolicyVerdict, DlpViolation, FlowConnector} from './model.js'

/** What the evaluation needs to know of a connector in the tenant's catalogue. */
export interface CatalogConnector {
  id: string
  displayName: string
  tier: 'standard' | 'premium' | 'custom'
  unblockable: boolean
  hostUrl?: string
  /** The environment a custom connector belongs to (not used by the evaluation). */
  environmentId?: string
}

interface CompiledRule {
  defaultAction: 'allow' | 'block'
  actions: Map<string, 'allow' | 'block'>
  /** By order; the first that matches decides. */
  endpoints: ReadonlyArray<{order: number; endpoint: string; behavior: 'allow' | 'deny'; re: RegExp}>
}

/** A policy with its lookup maps made once, so one evaluation is a few map reads per connector. */
export interface CompiledPolicy {
  readonly policy: DlpPolicy
  readonly environments: ReadonlySet<string>
  readonly listed: ReadonlyMap<string, DlpGroup>
  readonly rules: ReadonlyMap<string, CompiledRule>
  readonly patterns: ReadonlyArray<{order: number; dataGroup: DlpGroup | 'ignore'; re: RegExp}>
}

/** A glob where `*` is any run of characters, matched whole and case-insensitively. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${body}$`, 'is')
}

/**
 * Ordered rule lists (endpoint rules, URL patterns) are shared by every policy that has the same list, so one
 * evaluation finds the first match of a list for a subject once, however many policies repeat it.
 */
const interned = new Map<string, readonly unknown[]>()

function internList<T extends {re: RegExp}>(key: string, make: () => T[]): readonly T[] {
  let list = interned.get(key) as readonly T[] | undefined
  if (!list) {
    if (interned.size >= 10000) interned.clear()
    interned.set(key, (list = make()))
  }
  return list
}

/** First matches within one evaluation, by list and subject. */
class Matches {
  private readonly seen = new Map<readonly unknown[], Map<string, unknown>>()

  first<T extends {re: RegExp}>(list: readonly T[], subject: string): T | undefined {
    let bySubject = this.seen.get(list)
    if (!bySubject) this.seen.set(list, (bySubject = new Map()))
    let hit = bySubject.get(subject) as T | null | undefined
    if (hit === undefined) bySubject.set(subject, (hit = list.find((e) => e.re.test(subject)) ?? null))
    return hit ?? undefined
  }
}

export function compilePolicy(policy: DlpPolicy): CompiledPolicy {
  const listed = new Map<string, DlpGroup>()
  for (const group of ['business', 'nonBusiness', 'blocked'] as const) for (const id of policy.groups[group]) listed.set(id, group)
  const rules = new Map<string, CompiledRule>()
  for (const r of policy.connectorRules) {
    rules.set(r.connectorId, {
      defaultAction: r.defaultActionBehavior ?? 'allow',
      actions: new Map((r.actionRules ?? []).map((a) => [a.actionId, a.behavior])),
      endpoints: internList(`e${JSON.stringify(r.endpointRules ?? [])}`, () =>
        [...(r.endpointRules ?? [])].sort((a, b) => a.order - b.order).map((e) => ({...e, re: globToRegExp(e.endpoint)})),
      ),
    })
  }
  const patterns = internList(`u${JSON.stringify(policy.customConnectorUrlPatterns)}`, () =>
    [...policy.customConnectorUrlPatterns]
      .sort((a, b) => a.order - b.order)
      .map((p) => ({order: p.order, dataGroup: p.dataGroup, re: globToRegExp(p.hostUrlPattern)})),
  )
  return {policy, environments: new Set(policy.environments), listed, rules, patterns}
}

export function policyApplies(p: CompiledPolicy, environmentId: string): boolean {
  switch (p.policy.environmentScope) {
    case 'all':
      return true
    case 'except':
      return !p.environments.has(environmentId)
    case 'only':
      return p.environments.has(environmentId)
  }
}

/**
 * A connector's group in a policy and why: listed in a group; else (custom connectors) the first URL pattern its
 * host matches that is not `ignore`; else the default group. An unblockable connector is never blocked: it falls
 * in non-business instead.
 */
function classify(p: CompiledPolicy, c: CatalogConnector, matches = new Matches()): {group: DlpGroup; by: string} {
  let group = p.listed.get(c.id)
  let by = 'listed'
  if (group === undefined && c.tier === 'custom') {
    const host = c.hostUrl ?? ''
    const hit = matches.first(p.patterns, host)
    if (hit && hit.dataGroup !== 'ignore') {
      group = hit.dataGroup
      by = `urlPattern:${hit.order}`
    }
  }
  if (group === undefined) {
    group = p.policy.defaultGroup
    by = 'default'
  }
  if (group === 'blocked' && c.unblockable) return {group: 'nonBusiness', by: 'unblockable'}
  return {group, by}
}

const nameOf = (c: CatalogConnector) => (c.displayName && c.displayName !== c.id ? `${c.displayName} (${c.id})` : c.id)

const unknownConnector = (id: string): CatalogConnector => ({id, displayName: id, tier: 'standard', unblockable: false})

function groupFix(p: DlpPolicy, id: string, to: DlpGroup, by: string): string {
  const how = by.startsWith('urlPattern:') ? `change URL pattern ${by.slice('urlPattern:'.length)} of ${p.id}` : `move it to the ${to} group of ${p.id}`
  return `Remove ${id} from the flow, or ${how}.`
}

/** One policy's verdict on the connectors, with its violations appended to `out`. */
function evaluatePolicy(
  p: CompiledPolicy,
  used: ReadonlyArray<{use: FlowConnector; c: CatalogConnector}>,
  out: DlpViolation[],
  matches: Matches,
): DlpPolicyVerdict {
  const policy = p.policy
  const groups: Record<string, DlpGroup> = {}
  const by: Record<string, string> = {}
  const business: CatalogConnector[] = []
  const nonBusiness: CatalogConnector[] = []
  const before = out.length
  const base = {policyId: policy.id, policyName: policy.displayName}
  for (const {use, c} of used) {
    const cl = classify(p, c, matches)
    groups[c.id] = cl.group
    by[c.id] = cl.by
    if (cl.group === 'blocked') {
      out.push({
        kind: 'CONNECTOR_BLOCKED',
        ...base,
        connectors: [c.id],
        groups: {[c.id]: 'blocked'},
        classifiedBy: {[c.id]: cl.by},
        message: `${nameOf(c)} is in the blocked group of "${policy.displayName}" (${policy.id}).`,
        fixes: [
          policy.managed
            ? `Remove ${c.id} from the flow, or unblock it for the tenant (ppctl connector unblock ${c.id}).`
            : groupFix(policy, c.id, policy.defaultGroup === 'blocked' ? 'business' : policy.defaultGroup, cl.by),
        ],
      })
      continue
    }
    ;(cl.group === 'business' ? business : nonBusiness).push(c)
    const rule = p.rules.get(c.id)
    if (!rule) continue
    for (const action of use.actions ?? []) {
      const listedBehavior = rule.actions.get(action)
      if ((listedBehavior ?? rule.defaultAction) === 'allow') continue
      out.push({
        kind: 'ACTION_BLOCKED',
        ...base,
        connectors: [c.id],
        groups: {[c.id]: cl.group},
        action,
        rule: listedBehavior ? {actionId: action, behavior: 'block'} : {defaultActionBehavior: 'block'},
        message: `Action ${action} of ${nameOf(c)} is blocked by "${policy.displayName}" (${policy.id})${listedBehavior ? '' : ' (its default action behavior)'}.`,
        fixes: [`Remove action ${action} from the flow, or allow it in the action rules of ${c.id} in ${policy.id}.`],
      })
    }
    if (rule.endpoints.length === 0) continue
    for (const endpoint of use.endpoints ?? []) {
      const hit = matches.first(rule.endpoints, endpoint)
      if (!hit || hit.behavior === 'allow') continue
      out.push({
        kind: 'ENDPOINT_BLOCKED',
        ...base,
        connectors: [c.id],
        groups: {[c.id]: cl.group},
        endpoint,
        rule: {order: hit.order, endpoint: hit.endpoint, behavior: hit.behavior},
        message: `Endpoint ${endpoint} of ${nameOf(c)} is denied by endpoint rule ${hit.order} (${hit.endpoint}) of "${policy.displayName}" (${policy.id}).`,
        fixes: [`Use an endpoint an earlier rule allows, or add an allow rule for ${endpoint} before rule ${hit.order} of ${c.id} in ${policy.id}.`],
      })
    }
  }
  for (const b of business) {
    for (const n of nonBusiness) {
      out.push({
        kind: 'GROUP_CONFLICT',
        ...base,
        connectors: [b.id, n.id],
        groups: {[b.id]: 'business', [n.id]: 'nonBusiness'},
        classifiedBy: {[b.id]: by[b.id], [n.id]: by[n.id]},
        message: `${nameOf(b)} (business) and ${nameOf(n)} (nonBusiness) cannot be used together under "${policy.displayName}" (${policy.id}).`,
        fixes: [groupFix(policy, n.id, 'business', by[n.id]), groupFix(policy, b.id, 'nonBusiness', by[b.id])],
      })
    }
  }
  return {id: policy.id, displayName: policy.displayName, ...(policy.managed ? {managed: true} : {}), allowed: out.length === before, groups}
}

/**
 * Checks a flow's connectors in an environment against every policy: those that apply must all allow it (the most
 * restrictive wins). `catalog` answers the tenant's connectors (an unknown id counts as a standard connector).
 */
export function evaluate(
  input: {environmentId: string; connectors: readonly FlowConnector[]; flowId?: string},
  catalog: ReadonlyMap<string, CatalogConnector>,
  policies: readonly CompiledPolicy[],
): DlpEvaluation {
  const used = input.connectors.map((use) => ({use, c: catalog.get(use.id) ?? unknownConnector(use.id)}))
  const violations: DlpViolation[] = []
  const verdicts: DlpPolicyVerdict[] = []
  const matches = new Matches()
  for (const p of policies) if (policyApplies(p, input.environmentId)) verdicts.push(evaluatePolicy(p, used, violations, matches))
  return {
    environmentId: input.environmentId,
    ...(input.flowId ? {flowId: input.flowId} : {}),
    allowed: violations.length === 0,
    connectors: input.connectors.map((c) => ({...c})),
    policies: verdicts,
    violations,
  }
}
