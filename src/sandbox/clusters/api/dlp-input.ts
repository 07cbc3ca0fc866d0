// A DLP policy as written (DlpPolicyInput): checked field by field into the stored form, or refused with the field named (400) or the rule broken (422).
import type {CatalogConnector} from '../../dlp/evaluate.js'
import type {DlpConnectorRule, DlpEndpointRule, DlpGroup, DlpUrlPattern} from '../../dlp/model.js'
import type {PolicyDoc} from './governance.js'
import {problem} from './problem.js'

const GROUPS = ['business', 'nonBusiness', 'blocked'] as const
const SCOPES = ['all', 'except', 'only'] as const
const POLICY_FIELDS = new Set([
  'id',
  'displayName',
  'description',
  'environmentScope',
  'environments',
  'defaultGroup',
  'groups',
  'connectorRules',
  'customConnectorUrlPatterns',
])
export const POLICY_ID = /^[a-z0-9][a-z0-9-]{0,63}$/
const MAX_CONNECTORS = 5000

export interface PolicyInputContext {
  catalog: ReadonlyMap<string, CatalogConnector>
  environments: ReadonlySet<string>
  endpointFiltering: ReadonlySet<string>
}

/** Where in a batch the input is, so every refusal names the operation. */
type At = Record<string, unknown>

const bad = (at: At, field: string, title: string, detail?: string) => problem(400, 'INVALID_BODY', title, detail, {...at, field})

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function stringList(at: At, v: unknown, field: string, max: number): string[] {
  if (v === undefined) return []
  if (!Array.isArray(v) || v.length > max || !v.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 200))
    throw bad(at, field, `${field} must be a list of ids`, `At most ${max} non-empty strings.`)
  return v as string[]
}

function order(at: At, v: unknown, field: string): number {
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 100000) throw bad(at, field, `${field} must be an integer from 1`)
  return v as number
}

function pattern(at: At, v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 500 || /[\u0000-\u001f\u007f]/.test(v))
    throw bad(at, field, `${field} must be a pattern of 1–500 characters`, '`*` matches any run of characters.')
  return v
}

/** Ordered rules: unique orders, the last (highest) one `*`. */
function checkOrdered<T extends {order: number}>(at: At, rules: T[], field: string, last: (r: T) => string): void {
  const orders = new Set(rules.map((r) => r.order))
  if (orders.size !== rules.length) throw bad(at, field, `${field} has two rules with the same order`)
  const final = [...rules].sort((a, b) => a.order - b.order).at(-1)
  if (final && last(final) !== '*') throw bad(at, field, `The last rule of ${field} must be "*"`, `Rule ${final.order} is ${JSON.stringify(last(final))}.`)
}

function connectorRule(at: At, v: unknown, i: number, ctx: PolicyInputContext): DlpConnectorRule {
  const f = `connectorRules[${i}]`
  if (!isObject(v)) throw bad(at, f, `${f} must be an object`)
  for (const k of Object.keys(v))
    if (!['connectorId', 'defaultActionBehavior', 'actionRules', 'endpointRules'].includes(k)) throw bad(at, `${f}.${k}`, `${f}.${k} is not a field`)
  if (typeof v.connectorId !== 'string' || !v.connectorId) throw bad(at, `${f}.connectorId`, `${f}.connectorId is required`)
  const id = v.connectorId
  if (!ctx.catalog.has(id))
    throw problem(422, 'CONNECTOR_NOT_FOUND', `No connector ${id} in this tenant`, `${f}.connectorId`, {...at, field: `${f}.connectorId`, connectorId: id})
  const rule: DlpConnectorRule = {connectorId: id}
  if (v.defaultActionBehavior !== undefined) {
    if (v.defaultActionBehavior !== 'allow' && v.defaultActionBehavior !== 'block')
      throw bad(at, `${f}.defaultActionBehavior`, `${f}.defaultActionBehavior must be allow or block`)
    rule.defaultActionBehavior = v.defaultActionBehavior
  }
  if (v.actionRules !== undefined) {
    if (!Array.isArray(v.actionRules) || v.actionRules.length > 500) throw bad(at, `${f}.actionRules`, `${f}.actionRules must be a list`)
    const seen = new Set<string>()
    rule.actionRules = v.actionRules.map((a: unknown, j) => {
      const g = `${f}.actionRules[${j}]`
      if (!isObject(a) || typeof a.actionId !== 'string' || !a.actionId || a.actionId.length > 100 || (a.behavior !== 'allow' && a.behavior !== 'block'))
        throw bad(at, g, `${g} must be {actionId, behavior: allow|block}`)
      if (Object.keys(a).some((k) => k !== 'actionId' && k !== 'behavior')) throw bad(at, g, `${g} has a field that is not actionId or behavior`)
      if (seen.has(a.actionId)) throw bad(at, g, `${g}: action ${a.actionId} has two rules`)
      seen.add(a.actionId)
      return {actionId: a.actionId, behavior: a.behavior}
    })
  }
  if (v.endpointRules !== undefined) {
    if (!Array.isArray(v.endpointRules) || v.endpointRules.length > 500) throw bad(at, `${f}.endpointRules`, `${f}.endpointRules must be a list`)
    if (v.endpointRules.length > 0 && !ctx.endpointFiltering.has(id))
      throw problem(
        422,
        'ENDPOINT_FILTERING_UNSUPPORTED',
        `${id} does not support endpoint rules`,
        `Endpoint filtering exists for ${[...ctx.endpointFiltering].join(', ')}.`,
        {
          ...at,
          field: `${f}.endpointRules`,
          connectorId: id,
        },
      )
    const rules: DlpEndpointRule[] = v.endpointRules.map((e: unknown, j) => {
      const g = `${f}.endpointRules[${j}]`
      if (!isObject(e) || (e.behavior !== 'allow' && e.behavior !== 'deny')) throw bad(at, g, `${g} must be {order, endpoint, behavior: allow|deny}`)
      if (Object.keys(e).some((k) => !['order', 'endpoint', 'behavior'].includes(k)))
        throw bad(at, g, `${g} has a field that is not order, endpoint or behavior`)
      return {order: order(at, e.order, `${g}.order`), endpoint: pattern(at, e.endpoint, `${g}.endpoint`), behavior: e.behavior}
    })
    checkOrdered(at, rules, `${f}.endpointRules`, (r) => r.endpoint)
    rule.endpointRules = rules
  }
  return rule
}

function urlPattern(at: At, v: unknown, i: number): DlpUrlPattern {
  const f = `customConnectorUrlPatterns[${i}]`
  if (!isObject(v)) throw bad(at, f, `${f} must be {order, hostUrlPattern, dataGroup}`)
  if (Object.keys(v).some((k) => !['order', 'hostUrlPattern', 'dataGroup'].includes(k)))
    throw bad(at, f, `${f} has a field that is not order, hostUrlPattern or dataGroup`)
  if (![...GROUPS, 'ignore'].includes(v.dataGroup as string)) throw bad(at, `${f}.dataGroup`, `${f}.dataGroup must be business, nonBusiness, blocked or ignore`)
  return {
    order: order(at, v.order, `${f}.order`),
    hostUrlPattern: pattern(at, v.hostUrlPattern, `${f}.hostUrlPattern`),
    dataGroup: v.dataGroup as DlpGroup | 'ignore',
  }
}

/** The checked policy: its optional id, display name, and the doc stored for it. */
export function parsePolicyInput(body: unknown, ctx: PolicyInputContext, at: At = {}): {id?: string; displayName: string; doc: PolicyDoc} {
  if (!isObject(body)) throw bad(at, 'policy', 'The policy must be a JSON object')
  for (const k of Object.keys(body))
    if (!POLICY_FIELDS.has(k)) throw bad(at, k, `${k} is not a field of a DLP policy`, `Fields: ${[...POLICY_FIELDS].join(', ')}.`)
  let id: string | undefined
  if (body.id !== undefined) {
    if (typeof body.id !== 'string' || !POLICY_ID.test(body.id))
      throw bad(at, 'id', 'id must be 1–64 lowercase letters, digits and -, starting with a letter or digit')
    id = body.id
  }
  const displayName = typeof body.displayName === 'string' ? body.displayName.trim() : ''
  if (!displayName || displayName.length > 120 || /[\u0000-\u001f\u007f]/.test(displayName))
    throw bad(at, 'displayName', 'displayName is required', '1–120 characters, no control characters.')
  const description = body.description === undefined ? '' : body.description
  if (typeof description !== 'string' || description.length > 1000) throw bad(at, 'description', 'description must be a string of at most 1000 characters')
  const scope = body.environmentScope
  if (!SCOPES.includes(scope as (typeof SCOPES)[number])) throw bad(at, 'environmentScope', 'environmentScope must be all, except or only')
  const environments = stringList(at, body.environments, 'environments', 500)
  if (scope === 'all' && environments.length > 0) throw bad(at, 'environments', 'environments must be empty when environmentScope is all')
  if (scope !== 'all' && environments.length === 0)
    throw bad(at, 'environments', `environments must name at least one environment when environmentScope is ${scope as string}`)
  if (new Set(environments).size !== environments.length) throw bad(at, 'environments', 'environments names an environment twice')
  for (const e of environments)
    if (!ctx.environments.has(e))
      throw problem(422, 'ENVIRONMENT_NOT_FOUND', `No environment ${e} in this tenant`, 'Name environments by id.', {
        ...at,
        field: 'environments',
        environmentId: e,
      })
  if (!GROUPS.includes(body.defaultGroup as DlpGroup)) throw bad(at, 'defaultGroup', 'defaultGroup must be business, nonBusiness or blocked')
  const groupsIn = body.groups === undefined ? {} : body.groups
  if (!isObject(groupsIn)) throw bad(at, 'groups', 'groups must be {business, nonBusiness, blocked}')
  for (const k of Object.keys(groupsIn))
    if (!GROUPS.includes(k as DlpGroup)) throw bad(at, `groups.${k}`, `groups.${k} is not a group`, 'Groups: business, nonBusiness, blocked.')
  const groups = {
    business: stringList(at, groupsIn.business, 'groups.business', MAX_CONNECTORS),
    nonBusiness: stringList(at, groupsIn.nonBusiness, 'groups.nonBusiness', MAX_CONNECTORS),
    blocked: stringList(at, groupsIn.blocked, 'groups.blocked', MAX_CONNECTORS),
  }
  const seen = new Map<string, DlpGroup>()
  for (const g of GROUPS) {
    for (const c of groups[g]) {
      const other = seen.get(c)
      if (other) throw bad(at, `groups.${g}`, `${c} is in two groups (${other} and ${g})`, 'A connector is in at most one group.')
      seen.set(c, g)
      const known = ctx.catalog.get(c)
      if (!known) throw problem(422, 'CONNECTOR_NOT_FOUND', `No connector ${c} in this tenant`, `groups.${g}`, {...at, field: `groups.${g}`, connectorId: c})
      if (g === 'blocked' && known.unblockable)
        throw problem(422, 'UNBLOCKABLE_CONNECTOR', `${known.displayName} cannot be blocked`, 'Put it in business or nonBusiness.', {
          ...at,
          field: 'groups.blocked',
          connectorId: c,
        })
    }
  }
  if (body.connectorRules !== undefined && (!Array.isArray(body.connectorRules) || body.connectorRules.length > MAX_CONNECTORS))
    throw bad(at, 'connectorRules', 'connectorRules must be a list')
  const connectorRules = ((body.connectorRules ?? []) as unknown[]).map((r, i) => connectorRule(at, r, i, ctx))
  if (new Set(connectorRules.map((r) => r.connectorId)).size !== connectorRules.length)
    throw bad(at, 'connectorRules', 'connectorRules has two rules for one connector')
  if (body.customConnectorUrlPatterns !== undefined && (!Array.isArray(body.customConnectorUrlPatterns) || body.customConnectorUrlPatterns.length > 500))
    throw bad(at, 'customConnectorUrlPatterns', 'customConnectorUrlPatterns must be a list')
  const customConnectorUrlPatterns = ((body.customConnectorUrlPatterns ?? []) as unknown[]).map((p, i) => urlPattern(at, p, i))
  checkOrdered(at, customConnectorUrlPatterns, 'customConnectorUrlPatterns', (p) => p.hostUrlPattern)
  return {
    ...(id ? {id} : {}),
    displayName,
    doc: {
      description,
      environmentScope: scope as PolicyDoc['environmentScope'],
      environments,
      defaultGroup: body.defaultGroup as DlpGroup,
      groups,
      connectorRules,
      customConnectorUrlPatterns,
    },
  }
}
