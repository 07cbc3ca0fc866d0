// What dlp export, validate, plan and apply do against the platform: read the file, check it with the tenant's catalog, plan, dry-run or apply through the batch endpoint.
import {readFile} from 'node:fs/promises'
import {basename} from 'node:path'

import type {Context} from '../context.js'
import {ConflictError, PpctlError, UsageError} from '../errors/index.js'
import {listConnectors} from '../platform/connectors.js'
import {applyPolicies, listPolicies, policyToSpec, specToInput, type DlpApplyAnswer, type DlpApplyOperation, type FlowImpact} from '../platform/dlp.js'
import {listEnvironments} from '../platform/environments.js'
import {planPolicies, type CurrentPolicy, type PolicyChange, type PolicyPlan} from './plan.js'
import {formatPoliciesFile, parsePolicyFileAsync, type DlpPolicySpec, type ParsedPolicyFile} from './policy-file.js'
import {validateParsed, type Catalog, type ValidationIssue} from './validate.js'

/** The tenant's connectors and environments, for the checks that need them. */
async function readCatalog(ctx: Context): Promise<Catalog> {
  const connectors = new Map<string, {unblockable: boolean; endpointFiltering?: boolean}>()
  const environments = new Map<string, string>()
  await Promise.all([
    (async () => {
      for await (const c of listConnectors(ctx, {}, 200)) connectors.set(c.id, {unblockable: c.unblockable, endpointFiltering: c.endpointFiltering})
    })(),
    (async () => {
      for await (const e of listEnvironments(ctx)) environments.set(e.id, e.displayName)
    })(),
  ])
  return {connectors, environments}
}

/** The policies the file manages: every one but the tenant-wide policy of connector block/unblock. */
async function currentPolicies(ctx: Context): Promise<{policies: CurrentPolicy[]; managedIds: Set<string>}> {
  const policies: CurrentPolicy[] = []
  const managedIds = new Set<string>()
  for await (const p of listPolicies(ctx)) {
    if (p.managed) managedIds.add(p.id)
    else policies.push(policyToSpec(p))
  }
  return {policies, managedIds}
}

export interface ExportOutcome {
  text: string
  count: number
}

export async function exportPolicies(ctx: Context): Promise<ExportOutcome> {
  const {policies} = await currentPolicies(ctx)
  return {text: formatPoliciesFile(policies), count: policies.length}
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError('FILE_UNREADABLE', `${basename(file)}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
      nextStep: 'Check the path; ppctl dlp export --out FILE writes one.',
    })
  }
}

export interface ValidateOutcome {
  valid: boolean
  policies: number
  issues: ValidationIssue[]
  /** False with --offline: connectors and environments were not looked up. */
  checkedAgainstPlatform: boolean
}

/**
 * Parsed off the main thread while the platform's reads are under way: a large file costs the yaml package about as
 * long as the reads. Settled quietly until awaited, so whichever error comes first in the command's order is the one
 * reported, as when the steps ran one after the other.
 */
function parseAside(text: Promise<string>): Promise<ParsedPolicyFile> {
  const parsing = text.then(parsePolicyFileAsync)
  parsing.catch(() => {})
  return parsing
}

export async function validateFile(ctx: Context, file: string, offline: boolean): Promise<ValidateOutcome> {
  const parsing = parseAside(Promise.resolve(await readText(file)))
  const catalog = offline ? undefined : await readCatalog(ctx)
  const res = validateParsed(await parsing, catalog)
  return {valid: res.issues.length === 0, policies: res.file?.policies.length ?? 0, issues: res.issues, checkedAgainstPlatform: !offline}
}

/** The file's policies, or a usage error naming the first problem with its line (dlp validate lists them all). */
function checkedFile(file: string, parsed: ParsedPolicyFile, catalog: Catalog, managedIds: ReadonlySet<string>): DlpPolicySpec[] {
  const res = validateParsed(parsed, catalog)
  const managed = res.file?.policies.findIndex((p) => p.id !== undefined && managedIds.has(p.id)) ?? -1
  if (res.file && managed >= 0)
    res.issues.push({
      path: `policies[${managed}].id`,
      message: `${res.file.policies[managed].id} is the policy connector block/unblock manage: it cannot be in the file`,
    })
  if (res.issues.length === 0 && res.file) return res.file.policies
  const first = res.issues[0]
  const more = res.issues.length > 1 ? ` (and ${res.issues.length - 1} more)` : ''
  throw new UsageError(
    'DLP_FILE_INVALID',
    `${basename(file)}${first.line ? `:${first.line}` : ''}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}.`,
    {
      nextStep: `See every problem: ppctl dlp validate ${file}`,
    },
  )
}

/** One policy's part of a plan, as --json prints it. */
export interface PlannedPolicy {
  action: 'create' | 'update' | 'delete'
  name: string
  /** The platform's id (update, delete). */
  id?: string
  changes: PolicyChange[]
  /** The policy changed on the platform since the file was exported: apply would refuse it. */
  stale?: {fileEtag: string; platformEtag: string}
}

export interface PlanOutcome {
  policies: PlannedPolicy[]
  /** Flows the plan would suspend, and resume (the batch endpoint's dry run). */
  suspended: FlowImpact[]
  resumed: FlowImpact[]
}

export interface Planned extends PlanOutcome {
  operations: DlpApplyOperation[]
}

function operationsOf(plans: readonly PolicyPlan[], forDryRun: boolean, current: ReadonlyMap<string, CurrentPolicy>): DlpApplyOperation[] {
  return plans.map((p): DlpApplyOperation => {
    // A dry run shows the impact even of a stale policy (against what the platform has now); apply never sends one.
    const etag = forDryRun ? (current.get(p.id!)?.etag ?? p.ifMatch!) : p.ifMatch!
    if (p.action === 'create') return {op: 'create', policy: specToInput(p.desired!, true)}
    if (p.action === 'delete') return {op: 'delete', id: p.id!, etag}
    return {op: 'update', id: p.id!, etag, policy: specToInput(p.desired!)}
  })
}

const view = (p: PolicyPlan): PlannedPolicy => ({
  action: p.action,
  name: p.name,
  ...(p.id ? {id: p.id} : {}),
  changes: p.changes,
  ...(p.stale ? {stale: p.stale} : {}),
})

/** Reads, checks and plans the file; the impact comes from a dry run of the batch (skipped when there is nothing to do). */
export async function planFile(ctx: Context, file: string): Promise<Planned & {plans: PolicyPlan[]}> {
  const parsing = parseAside(readText(file))
  const [catalog, {policies: current, managedIds}] = await Promise.all([readCatalog(ctx), currentPolicies(ctx)])
  const desired = checkedFile(file, await parsing, catalog, managedIds)
  const plans = planPolicies(desired, current)
  const byId = new Map(current.map((c) => [c.id, c]))
  let impact: DlpApplyAnswer = {dryRun: true, changes: [], suspended: [], resumed: []}
  if (plans.length) impact = await applyPolicies(ctx, operationsOf(plans, true, byId), true)
  return {plans, policies: plans.map(view), suspended: impact.suspended, resumed: impact.resumed, operations: operationsOf(plans, false, byId)}
}

/** Refuses, before anything is sent, a plan with a policy changed on the platform since the file was exported. */
export function refuseStale(plans: readonly PolicyPlan[], file: string): void {
  const stale = plans.filter((p) => p.stale)
  if (!stale.length) return
  const names = stale.map((p) => `"${p.name}" (${p.id})`).join(', ')
  throw new ConflictError(
    'POLICY_CHANGED',
    `${stale.length === 1 ? 'Policy' : 'Policies'} ${names} changed on the platform since ${basename(file)} was exported; nothing was applied.`,
    {nextStep: `Export again (ppctl dlp export --out ${file}), make your change there, then plan and apply.`},
  )
}

export interface ApplyOutcome {
  applied: Array<{op: 'create' | 'update' | 'delete'; id: string; name: string; etag?: string}>
  suspended: FlowImpact[]
  resumed: FlowImpact[]
}

/** Sends the plan's operations in one batch: all or nothing. A policy changed in the meantime → POLICY_CHANGED, nothing applied. */
export async function applyPlanned(ctx: Context, planned: Planned, file: string): Promise<ApplyOutcome> {
  try {
    const answer = await applyPolicies(ctx, planned.operations, false)
    return {
      applied: answer.changes.filter((c) => c.changed).map((c) => ({op: c.op, id: c.id, name: c.displayName, ...(c.etag ? {etag: c.etag} : {})})),
      suspended: answer.suspended,
      resumed: answer.resumed,
    }
  } catch (err) {
    if (err instanceof PpctlError && err.code === 'PRECONDITION_FAILED')
      throw new ConflictError('POLICY_CHANGED', `${err.message.replace(/\.$/, '')}; nothing was applied (${basename(file)}).`, {
        correlationId: err.correlationId,
        nextStep: `Someone changed a policy since the plan: export again (ppctl dlp export --out ${file}), make your change there, then plan and apply.`,
      })
    throw err
  }
}
