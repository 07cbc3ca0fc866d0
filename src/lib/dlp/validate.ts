// Checks a policies file: its shape (what the JSON Schema says) and its meaning (groups, rules, connectors and environments that exist), each problem with its line.
import {parsePolicyFile, type DlpPoliciesFile, type DlpPolicySpec, type ParsedPolicyFile} from './policy-file.js'

export interface ValidationIssue {
  /** 1-based line in the file, when the problem has a place. */
  line?: number
  /** Where in the document: `policies[2].business[0]`. */
  path: string
  message: string
}

/** What the platform knows, for the checks that need it (connectors and environments that exist). */
export interface Catalog {
  connectors: ReadonlyMap<string, {unblockable: boolean; endpointFiltering?: boolean}>
  /** Environment id → display name. */
  environments: ReadonlyMap<string, string>
}

export interface ValidationResult {
  file?: DlpPoliciesFile
  issues: ValidationIssue[]
}

type Path = Array<string | number>

const GROUPS = ['business', 'nonBusiness', 'blocked'] as const
const GROUP_KEYS = {business: 'business', nonBusiness: 'nonBusiness', blocked: 'blocked'} as const
const POLICY_KEYS = new Set([
  'name',
  'id',
  'etag',
  'description',
  'scope',
  'defaultGroup',
  'business',
  'nonBusiness',
  'blocked',
  'rules',
  'customConnectorPatterns',
])

const pathText = (path: Path) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`)

/**
 * Parses and checks the text of a policies file. Without a catalog only the shape and the rules that need no
 * platform data are checked. The file comes back only when there is no issue.
 */
export function validatePolicyText(source: string, catalog?: Catalog): ValidationResult {
  return validateParsed(parsePolicyFile(source), catalog)
}

/** validatePolicyText of a file already parsed (parsePolicyFileAsync). */
export function validateParsed(parsed: ParsedPolicyFile, catalog?: Catalog): ValidationResult {
  if (parsed.syntaxErrors.length) return {issues: parsed.syntaxErrors.map((e) => ({line: e.line, path: '', message: `YAML syntax: ${e.message}`}))}
  const issues: ValidationIssue[] = []
  const add = (path: Path, message: string) => issues.push({line: parsed.lineOf(path), path: pathText(path), message})
  checkShape(parsed.value, add)
  if (issues.length) return {issues: sortIssues(issues)}
  const file = parsed.value as DlpPoliciesFile
  checkMeaning(file, add, catalog)
  return issues.length ? {issues: sortIssues(issues)} : {file, issues}
}

const sortIssues = (issues: ValidationIssue[]) => issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))

type Add = (path: Path, message: string) => void

function stringList(value: unknown, path: Path, add: Add): void {
  if (!Array.isArray(value)) return add(path, `must be a list of ids, not ${describe(value)}`)
  value.forEach((v, i) => {
    if (typeof v !== 'string' || v === '') add([...path, i], `must be a non-empty string, not ${describe(v)}`)
  })
}

function oneOf(value: unknown, options: readonly string[], path: Path, add: Add): void {
  if (typeof value !== 'string' || !options.includes(value)) add(path, `must be one of ${options.join(', ')}, not ${describe(value)}`)
}

function knownKeys(value: Record<string, unknown>, keys: ReadonlySet<string> | readonly string[], path: Path, add: Add): void {
  const known = keys instanceof Set ? keys : new Set(keys)
  for (const k of Object.keys(value)) if (!known.has(k)) add([...path, k], `is not a known field (${[...known].join(', ')})`)
}

/** What the JSON Schema checks, with messages that name the field. */
function checkShape(value: unknown, add: Add): void {
  if (!isObject(value)) return add([], `the document must be a mapping with version and policies, not ${describe(value)}`)
  knownKeys(value, ['$schema', 'version', 'policies'], [], add)
  if (value.version !== 1) add(['version'], `must be 1, not ${describe(value.version)}`)
  if (value.$schema !== undefined && typeof value.$schema !== 'string') add(['$schema'], 'must be a URL')
  if (!Array.isArray(value.policies)) return add(['policies'], `must be a list of policies, not ${describe(value.policies)}`)
  value.policies.forEach((p, i) => checkPolicyShape(p, ['policies', i], add))
}

function checkPolicyShape(p: unknown, at: Path, add: Add): void {
  if (!isObject(p)) return add(at, `must be a mapping (name, scope, defaultGroup …), not ${describe(p)}`)
  knownKeys(p, POLICY_KEYS, at, add)
  if (typeof p.name !== 'string' || p.name.trim() === '' || p.name.length > 120) add([...at, 'name'], 'is required: 1–120 characters')
  for (const k of ['id', 'etag'] as const) if (p[k] !== undefined && (typeof p[k] !== 'string' || p[k] === '')) add([...at, k], 'must be a non-empty string')
  if (p.description !== undefined && (typeof p.description !== 'string' || p.description.length > 1000))
    add([...at, 'description'], 'must be text of at most 1000 characters')
  const scope = p.scope
  if (scope === undefined) add(at, 'scope is required: all, {except: [environment ids]} or {only: [environment ids]}')
  else if (scope !== 'all') {
    if (!isObject(scope) || Object.keys(scope).length !== 1 || !('except' in scope || 'only' in scope))
      add([...at, 'scope'], `must be all, {except: [environment ids]} or {only: [environment ids]}, not ${describe(scope)}`)
    else {
      const key = 'only' in scope ? 'only' : 'except'
      stringList(scope[key], [...at, 'scope', key], add)
    }
  }
  if (p.defaultGroup === undefined) add(at, `defaultGroup is required: ${GROUPS.join(', ')}`)
  else oneOf(p.defaultGroup, GROUPS, [...at, 'defaultGroup'], add)
  for (const k of Object.keys(GROUP_KEYS)) if (p[k] !== undefined && p[k] !== null) stringList(p[k], [...at, k], add)
  if (p.rules !== undefined) {
    if (!isObject(p.rules)) add([...at, 'rules'], `must map connector ids to their rules, not ${describe(p.rules)}`)
    else for (const [id, r] of Object.entries(p.rules)) checkRulesShape(r, [...at, 'rules', id], add)
  }
  if (p.customConnectorPatterns !== undefined) {
    if (!Array.isArray(p.customConnectorPatterns)) add([...at, 'customConnectorPatterns'], 'must be a list of {host, group}')
    else
      p.customConnectorPatterns.forEach((u, i) => {
        const here = [...at, 'customConnectorPatterns', i]
        if (!isObject(u)) return add(here, 'must be {host, group}')
        knownKeys(u, ['host', 'group'], here, add)
        if (typeof u.host !== 'string' || u.host === '') add([...here, 'host'], 'is required: a host pattern such as *.contoso.com')
        oneOf(u.group, [...GROUPS, 'ignore'], [...here, 'group'], add)
      })
  }
}

function checkRulesShape(r: unknown, at: Path, add: Add): void {
  if (!isObject(r)) return add(at, 'must be {actions, endpoints}')
  knownKeys(r, ['actions', 'endpoints'], at, add)
  if (r.actions !== undefined) {
    const a = r.actions
    if (!isObject(a)) add([...at, 'actions'], 'must be {default, allow, block}')
    else {
      knownKeys(a, ['default', 'allow', 'block'], [...at, 'actions'], add)
      oneOf(a.default, ['allow', 'block'], [...at, 'actions', 'default'], add)
      for (const k of ['allow', 'block'] as const) if (a[k] !== undefined) stringList(a[k], [...at, 'actions', k], add)
    }
  }
  if (r.endpoints !== undefined) {
    if (!Array.isArray(r.endpoints)) add([...at, 'endpoints'], 'must be a list of {endpoint, behavior}')
    else
      r.endpoints.forEach((e, i) => {
        const here = [...at, 'endpoints', i]
        if (!isObject(e)) return add(here, 'must be {endpoint, behavior}')
        knownKeys(e, ['endpoint', 'behavior'], here, add)
        if (typeof e.endpoint !== 'string' || e.endpoint === '') add([...here, 'endpoint'], 'is required')
        oneOf(e.behavior, ['allow', 'deny'], [...here, 'behavior'], add)
      })
  }
}

/** The rules the schema cannot say. */
function checkMeaning(file: DlpPoliciesFile, add: Add, catalog?: Catalog): void {
  const names = new Map<string, number>()
  const ids = new Map<string, number>()
  file.policies.forEach((p, i) => {
    const at: Path = ['policies', i]
    const name = p.name.trim().toLowerCase()
    if (names.has(name)) add([...at, 'name'], `"${p.name}" is the name of policies[${names.get(name)}] too: names are unique`)
    else names.set(name, i)
    if (p.id !== undefined) {
      if (ids.has(p.id)) add([...at, 'id'], `${p.id} is the id of policies[${ids.get(p.id)}] too`)
      else ids.set(p.id, i)
    }
    checkPolicyMeaning(p, at, add, catalog)
  })
}

function checkPolicyMeaning(p: DlpPolicySpec, at: Path, add: Add, catalog?: Catalog): void {
  const seen = new Map<string, string>()
  for (const [key, group] of Object.entries(GROUP_KEYS) as Array<[keyof typeof GROUP_KEYS, string]>) {
    ;(p[key] ?? []).forEach((id, j) => {
      const here = [...at, key, j]
      const first = seen.get(id)
      if (first === group) add(here, `${id} is listed twice in ${group}`)
      else if (first) add(here, `${id} is in two groups: ${first} and ${group} (a connector belongs to one)`)
      else seen.set(id, group)
      const known = catalog?.connectors.get(id)
      if (catalog && !known) add(here, `${id} is not a connector of the tenant (see: ppctl connector list)`)
      if (key === 'blocked' && known?.unblockable) add(here, `${id} is unblockable (a core connector): put it in business or nonBusiness`)
    })
  }
  for (const [id, rules] of Object.entries(p.rules ?? {})) {
    const here = [...at, 'rules', id]
    const known = catalog?.connectors.get(id)
    if (catalog && !known) add(here, `${id} is not a connector of the tenant (see: ppctl connector list)`)
    if (rules.endpoints?.length) {
      const last = rules.endpoints[rules.endpoints.length - 1]
      if (last.endpoint !== '*')
        add(
          [...here, 'endpoints', rules.endpoints.length - 1],
          `the last endpoint rule must be "*" (it says what happens to every other endpoint), not "${last.endpoint}"`,
        )
      rules.endpoints.slice(0, -1).forEach((e, j) => {
        if (e.endpoint === '*') add([...here, 'endpoints', j], 'a "*" rule before the last one hides the rules after it')
      })
      if (known && known.endpointFiltering === false)
        add([...here, 'endpoints'], `${id} does not support endpoint rules (only connectors that reach arbitrary endpoints do)`)
    }
    const allow = new Set(rules.actions?.allow ?? [])
    ;(rules.actions?.block ?? []).forEach((a, j) => {
      if (allow.has(a)) add([...here, 'actions', 'block', j], `action ${a} is both allowed and blocked`)
    })
  }
  const patterns = p.customConnectorPatterns ?? []
  if (patterns.length && patterns[patterns.length - 1].host !== '*')
    add([...at, 'customConnectorPatterns', patterns.length - 1], `the last pattern must be "*" (every other host), not "${patterns[patterns.length - 1].host}"`)
  if (catalog && p.scope !== 'all') {
    const key = 'only' in p.scope ? 'only' : 'except'
    const list = 'only' in p.scope ? p.scope.only : p.scope.except
    list.forEach((env, j) => {
      if (catalog.environments.has(env)) return
      const byName = [...catalog.environments].find(([, name]) => name.toLowerCase() === env.toLowerCase())
      add(
        [...at, 'scope', key, j],
        byName ? `"${env}" is an environment's name: use its id, ${byName[0]}` : `${env} is not an environment of the tenant (see: ppctl env list)`,
      )
    })
  }
}
