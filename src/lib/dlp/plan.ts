// The plan of a policies file against the platform's policies: per policy create / update / delete and what changes in it. Pure.
import {canonicalPolicy, type ConnectorRules, type DataGroup, type DlpPolicySpec, type PolicyScope, type UrlPattern} from './policy-file.js'

/** Where a connector is in a policy: a group it is listed in, or `default` (not listed: the default group applies). */
export type Placement = DataGroup | 'default'

export type PolicyChange =
  | {kind: 'name'; from: string; to: string}
  | {kind: 'description'; from: string; to: string}
  | {kind: 'scope'; from: string; to: string}
  | {kind: 'default-group'; from: DataGroup; to: DataGroup}
  | {kind: 'connector'; connector: string; from: Placement; to: Placement}
  | {kind: 'rules'; connector: string; from: string; to: string}
  | {kind: 'url-patterns'; from: string; to: string}

export type PlanAction = 'create' | 'update' | 'delete'

export interface PolicyPlan {
  action: PlanAction
  name: string
  /** The platform's id (update and delete). */
  id?: string
  /** The ETag the change is made against: the file's for an update when it has one, else the platform's. */
  ifMatch?: string
  /** The policy as it will be (create and update). */
  desired?: DlpPolicySpec
  changes: PolicyChange[]
  /** The file's etag is not the platform's: someone changed the policy since the file was exported. */
  stale?: {fileEtag: string; platformEtag: string}
}

/** Human form of a scope: `all`, `only env-a, env-b`, `all except env-a`. */
export function scopeText(s: PolicyScope): string {
  if (s === 'all') return 'all environments'
  return 'only' in s ? `only ${s.only.join(', ') || '(none)'}` : `all except ${s.except.join(', ') || '(none)'}`
}

export function rulesText(r: ConnectorRules | undefined): string {
  if (!r) return 'none'
  const parts: string[] = []
  if (r.actions) {
    parts.push(`actions default ${r.actions.default}`)
    if (r.actions.allow?.length) parts.push(`allow ${r.actions.allow.join(', ')}`)
    if (r.actions.block?.length) parts.push(`block ${r.actions.block.join(', ')}`)
  }
  if (r.endpoints?.length) parts.push(`endpoints ${r.endpoints.map((e) => `${e.behavior} ${e.endpoint}`).join(', ')}`)
  return parts.join('; ') || 'none'
}

const patternsText = (u: readonly UrlPattern[] | undefined) => (u?.length ? u.map((p) => `${p.host} → ${p.group}`).join(', ') : 'none')

function placements(p: DlpPolicySpec): Map<string, DataGroup> {
  const m = new Map<string, DataGroup>()
  for (const id of p.business ?? []) m.set(id, 'business')
  for (const id of p.nonBusiness ?? []) m.set(id, 'nonBusiness')
  for (const id of p.blocked ?? []) m.set(id, 'blocked')
  return m
}

/** What differs between two versions of one policy, in a stable order; [] when they mean the same. */
export function diffPolicy(before: DlpPolicySpec, after: DlpPolicySpec): PolicyChange[] {
  const a = canonicalPolicy(before)
  const b = canonicalPolicy(after)
  const changes: PolicyChange[] = []
  if (a.name !== b.name) changes.push({kind: 'name', from: a.name, to: b.name})
  if ((a.description ?? '') !== (b.description ?? '')) changes.push({kind: 'description', from: a.description ?? '', to: b.description ?? ''})
  const sa = scopeText(a.scope)
  const sb = scopeText(b.scope)
  if (sa !== sb) changes.push({kind: 'scope', from: sa, to: sb})
  if (a.defaultGroup !== b.defaultGroup) changes.push({kind: 'default-group', from: a.defaultGroup, to: b.defaultGroup})
  const pa = placements(a)
  const pb = placements(b)
  for (const id of [...new Set([...pa.keys(), ...pb.keys()])].sort()) {
    const from = pa.get(id) ?? 'default'
    const to = pb.get(id) ?? 'default'
    if (from !== to) changes.push({kind: 'connector', connector: id, from, to})
  }
  for (const id of [...new Set([...Object.keys(a.rules ?? {}), ...Object.keys(b.rules ?? {})])].sort()) {
    const from = rulesText(a.rules?.[id])
    const to = rulesText(b.rules?.[id])
    if (from !== to) changes.push({kind: 'rules', connector: id, from, to})
  }
  const ua = patternsText(a.customConnectorPatterns)
  const ub = patternsText(b.customConnectorPatterns)
  if (ua !== ub) changes.push({kind: 'url-patterns', from: ua, to: ub})
  return changes
}

/** A platform policy: its spec (id and etag set) as the file would hold it. */
export type CurrentPolicy = DlpPolicySpec & {id: string; etag: string}

/**
 * The plan of `desired` (a file's policies) against `current` (the platform's): a file policy with an id is
 * matched by id, one without by name (case-insensitive); platform policies left unmatched are deleted. Policies
 * that do not change are left out. The order is stable: by name.
 */
export function planPolicies(desired: readonly DlpPolicySpec[], current: readonly CurrentPolicy[]): PolicyPlan[] {
  const byId = new Map(current.map((c) => [c.id, c]))
  const byName = new Map(current.map((c) => [c.name.trim().toLowerCase(), c]))
  const matched = new Set<string>()
  const plans: PolicyPlan[] = []
  // Ids first, so a policy renamed in the file and a new one taking its old name are told apart.
  const pairs = desired.map((d) => ({d, c: d.id !== undefined ? byId.get(d.id) : undefined}))
  for (const pair of pairs) if (pair.c) matched.add(pair.c.id)
  for (const pair of pairs) {
    if (pair.c || pair.d.id !== undefined) continue
    const c = byName.get(pair.d.name.trim().toLowerCase())
    if (c && !matched.has(c.id)) {
      pair.c = c
      matched.add(c.id)
    }
  }
  for (const {d, c} of pairs) {
    const {id: _id, etag: fileEtag, ...spec} = d
    if (!c) {
      // An id the platform does not know (deleted since the export): created again, under a new id.
      plans.push({action: 'create', name: d.name, desired: spec, changes: diffPolicy({name: d.name, scope: 'all', defaultGroup: d.defaultGroup}, spec)})
      continue
    }
    const changes = diffPolicy(c, spec)
    if (changes.length === 0) continue
    const plan: PolicyPlan = {action: 'update', name: d.name, id: c.id, ifMatch: fileEtag ?? c.etag, desired: spec, changes}
    if (fileEtag !== undefined && fileEtag !== c.etag) plan.stale = {fileEtag, platformEtag: c.etag}
    plans.push(plan)
  }
  for (const c of current) {
    if (matched.has(c.id)) continue
    plans.push({action: 'delete', name: c.name, id: c.id, ifMatch: c.etag, changes: []})
  }
  return plans.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.action < y.action ? -1 : x.action > y.action ? 1 : 0))
}
