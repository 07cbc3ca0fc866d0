// Policies as code: the YAML document `dlp export` writes and `dlp validate|plan|apply` read, its type (the JSON Schema is generated from it) and canonical form.
import {createRequire} from 'node:module'
import {Worker} from 'node:worker_threads'

import {Document, isMap, isSeq, LineCounter, parseDocument, type Node} from 'yaml'

/** Where the published schema lives; `dlp export` points editors at it. */
export const DLP_SCHEMA_URL = 'https://ppctl.example/schemas/dlp-policies.json'

/** A connector group: business (Confidential in the reference API), nonBusiness (General), blocked. */
export type DataGroup = 'business' | 'nonBusiness' | 'blocked'

/**
 * Every DLP policy of a tenant, as one document. `dlp plan` compares it with the platform: a policy of the file
 * that has an id is matched by id, one without by name; a policy on the platform that the file leaves out is deleted.
 */
export interface DlpPoliciesFile {
  /** The JSON Schema of this document (editors use it); optional. */
  $schema?: string
  /** The format's version. */
  version: 1
  /** The policies, in any order (export writes them by name). */
  policies: DlpPolicySpec[]
}

/** Which environments a policy applies to: every one, every one but those listed, or only those listed (environment ids). */
export type PolicyScope = 'all' | {except: string[]} | {only: string[]} // not readonly: the schema generator reads it

/** One DLP policy. */
export interface DlpPolicySpec {
  /** The policy's display name; unique in the file. @minLength 1 @maxLength 120 */
  name: string
  /** The platform's id (export writes it; leave it out for a new policy). @minLength 1 */
  id?: string
  /** The policy's ETag when it was exported: apply refuses (exit 7) when the platform's has changed since. */
  etag?: string
  /** What the policy is for. @maxLength 1000 */
  description?: string
  /** The environments it applies to. */
  scope: PolicyScope
  /** The group of every connector the policy does not list, including connectors added to the platform later. */
  defaultGroup: DataGroup
  /** Connector ids in the business group (Confidential). */
  business?: string[]
  /** Connector ids in the non-business group (General). */
  nonBusiness?: string[]
  /** Connector ids that cannot be used at all. Unblockable (core) connectors may not be listed here. */
  blocked?: string[]
  /** Per connector id: which of its actions may be called and which endpoints it may reach. */
  rules?: Record<string, ConnectorRules>
  /** Custom connectors are classified by their host: the first pattern that matches decides; the last one is `*`. */
  customConnectorPatterns?: UrlPattern[]
}

export interface ConnectorRules {
  /** Its actions: `default` for those not listed, then per action. */
  actions?: ActionRules
  /** Endpoints it may reach, evaluated in order; the last rule is `*`. Only connectors that reach arbitrary endpoints support them (HTTP, SQL Server, Blob storage, SMTP …). */
  endpoints?: EndpointRule[]
}

export interface ActionRules {
  /** What happens to an action not listed. */
  default: 'allow' | 'block'
  /** Action ids that are allowed. */
  allow?: string[]
  /** Action ids that are blocked. */
  block?: string[]
}

export interface EndpointRule {
  /** An endpoint (a host, a URL, a server name), `*` as a wildcard. @minLength 1 */
  endpoint: string
  behavior: 'allow' | 'deny'
}

export interface UrlPattern {
  /** A host pattern such as `*.contoso.com`, or `*` for every other host. @minLength 1 */
  host: string
  /** The group of custom connectors on a matching host; `ignore` leaves them to the default group. */
  group: DataGroup | 'ignore'
}

const uniqueSorted = (ids: readonly string[] | undefined) => [...new Set(ids ?? [])].sort()

/** The policy with lists sorted and empty parts left out, so two specs that mean the same are deep-equal. */
export function canonicalPolicy(p: DlpPolicySpec): DlpPolicySpec {
  const rules: Record<string, ConnectorRules> = {}
  for (const id of Object.keys(p.rules ?? {}).sort()) {
    const r = p.rules![id]
    const out: ConnectorRules = {}
    if (r.actions) {
      out.actions = {default: r.actions.default}
      if (r.actions.allow?.length) out.actions.allow = uniqueSorted(r.actions.allow)
      if (r.actions.block?.length) out.actions.block = uniqueSorted(r.actions.block)
    }
    if (r.endpoints?.length) out.endpoints = r.endpoints.map((e) => ({endpoint: e.endpoint, behavior: e.behavior}))
    if (out.actions || out.endpoints) rules[id] = out
  }
  const scope: PolicyScope = p.scope === 'all' ? 'all' : 'only' in p.scope ? {only: uniqueSorted(p.scope.only)} : {except: uniqueSorted(p.scope.except)}
  return {
    name: p.name,
    ...(p.id ? {id: p.id} : {}),
    ...(p.etag ? {etag: p.etag} : {}),
    ...(p.description ? {description: p.description} : {}),
    scope,
    defaultGroup: p.defaultGroup,
    ...(p.business?.length ? {business: uniqueSorted(p.business)} : {}),
    ...(p.nonBusiness?.length ? {nonBusiness: uniqueSorted(p.nonBusiness)} : {}),
    ...(p.blocked?.length ? {blocked: uniqueSorted(p.blocked)} : {}),
    ...(Object.keys(rules).length ? {rules} : {}),
    ...(p.customConnectorPatterns?.length ? {customConnectorPatterns: p.customConnectorPatterns.map((u) => ({host: u.host, group: u.group}))} : {}),
  }
}

/** Stable order: by name, then id. */
const byNameThenId = (a: DlpPolicySpec, b: DlpPolicySpec) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : (a.id ?? '') < (b.id ?? '') ? -1 : (a.id ?? '') > (b.id ?? '') ? 1 : 0

/** The document `dlp export` writes: a yaml-language-server comment for editors, the policies in a stable order. */
export function formatPoliciesFile(policies: readonly DlpPolicySpec[], schemaUrl = DLP_SCHEMA_URL): string {
  const file: DlpPoliciesFile = {version: 1, policies: policies.map(canonicalPolicy).sort(byNameThenId)}
  const doc = new Document(file)
  doc.commentBefore =
    ` yaml-language-server: $schema=${schemaUrl}\n` +
    ' DLP policies of the tenant, written by `ppctl dlp export`. Edit, then: ppctl dlp validate FILE; ppctl dlp plan FILE; ppctl dlp apply FILE.\n' +
    ' The etag of each policy is the version exported: apply refuses a policy that changed on the platform since.'
  // Flow style for short id lists would be denser, but block style gives one connector a line: clean diffs in review.
  return doc.toString({lineWidth: 0})
}

/** A parsed file: its plain value, the YAML syntax errors, and the line of a path (for the problems found in it). */
export interface ParsedPolicyFile {
  value: unknown
  syntaxErrors: Array<{line: number; column: number; message: string}>
  /** The line (1-based) of the node at `path`, or of the nearest parent that exists. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined
}

/**
 * Lines of a text, counted only when one is asked for: the yaml package's LineCounter, fed the text's newlines here
 * instead of by the lexer (passing one to the parse costs on every file, and only a file with a problem needs it).
 */
function lazyLines(text: string): () => LineCounter {
  let lines: LineCounter | undefined
  return () => {
    if (lines) return lines
    lines = new LineCounter()
    lines.addNewLine(0)
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines.addNewLine(at + 1)
    return lines
  }
}

/**
 * The yaml package parses the file once (uniqueKeys: a key given twice is a syntax error); the Document is kept for
 * the line of a path (its nodes hold offsets), and offsets become lines only for the problems reported.
 */
export function parsePolicyFile(source: string): ParsedPolicyFile {
  const text = source.replace(/^\uFEFF/, '')
  const doc = parseDocument(text, PARSE_OPTIONS)
  const lines = lazyLines(text)
  const lineOf = (path: ReadonlyArray<string | number>) => lineOfNode({doc, lines: lines()}, path)
  const syntaxErrors = doc.errors.map((e) => {
    const pos = lines().linePos(e.pos[0])
    return {line: pos.line, column: pos.col, message: e.message.split('\n')[0]}
  })
  return {value: syntaxErrors.length ? undefined : doc.toJS(TO_JS_OPTIONS), syntaxErrors, lineOf}
}

const PARSE_OPTIONS = {prettyErrors: false, uniqueKeys: true} as const
const TO_JS_OPTIONS = {maxAliasCount: 100} as const

/** The worker: the same parse with the yaml package, its value sent back; a file with an error sends none. */
const WORKER_SOURCE = `
const {parentPort, workerData: {yaml, text, parseOptions, toJsOptions}} = require('node:worker_threads')
const doc = require(yaml).parseDocument(text, parseOptions)
parentPort.postMessage(doc.errors.length ? {ok: false} : {ok: true, value: doc.toJS(toJsOptions)})
`

/**
 * parsePolicyFile off the main thread: a large file (50 policies × 1,000 connectors take the yaml package about a
 * second) is parsed while the platform answers the reads a command makes at the same time. A file with a syntax
 * error, a failing worker, and every line number (wanted only for a problem) come from parsePolicyFile itself.
 */
export async function parsePolicyFileAsync(source: string): Promise<ParsedPolicyFile> {
  let main: ParsedPolicyFile | undefined
  const onMain = () => (main ??= parsePolicyFile(source))
  const text = source.replace(/^\uFEFF/, '')
  const answer = await new Promise<{ok: boolean; value?: unknown}>((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {yaml: createRequire(import.meta.url).resolve('yaml'), text, parseOptions: PARSE_OPTIONS, toJsOptions: TO_JS_OPTIONS},
    })
    worker.once('message', (m: {ok: boolean; value?: unknown}) => resolve(m))
    worker.once('error', () => resolve({ok: false}))
    worker.once('exit', () => resolve({ok: false}))
  })
  if (!answer.ok) return onMain()
  return {value: answer.value, syntaxErrors: [], lineOf: (path) => onMain().lineOf(path)}
}

function lineOfNode(parsed: {doc: Document.Parsed; lines: LineCounter}, path: ReadonlyArray<string | number>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? parsed.doc.contents : parsed.doc.getIn(path.slice(0, n), true)) as Node | null | undefined
    if (node && node.range) return parsed.lines.linePos(node.range[0]).line
    // A key whose value is empty (`business:`) has no value node: the line of the key then.
    if (n > 0) {
      const parent = (n === 1 ? parsed.doc.contents : parsed.doc.getIn(path.slice(0, n - 1), true)) as Node | null | undefined
      if (isMap(parent)) {
        const pair = parent.items.find((i) => (i.key as {value?: unknown} | null)?.value === path[n - 1])
        const key = pair?.key as Node | undefined
        if (key?.range) return parsed.lines.linePos(key.range[0]).line
      } else if (isSeq(parent)) {
        const item = parent.items[path[n - 1] as number] as Node | undefined
        if (item?.range) return parsed.lines.linePos(item.range[0]).line
      }
    }
  }
  return undefined
}
