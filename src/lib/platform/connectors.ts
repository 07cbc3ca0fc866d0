// Connectors of the signed-in tenant: list (paged), show, block/unblock guarded by ETags, create and delete custom ones.
import {randomUUID} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {basename} from 'node:path'

import type {Context} from '../context.js'
import {ConflictError, PpctlError, UsageError, toPpctlError, type PpctlErrorJson} from '../errors/index.js'
import {runBulk, type BulkOptions} from './bulk-run.js'
import {connectorNotFound} from './not-found.js'

export type ConnectorTier = 'standard' | 'premium' | 'custom'

export interface Connector {
  id: string
  displayName: string
  publisher: string
  tier: ConnectorTier
  blocked: boolean
  unblockable: boolean
  description: string
  createdBy?: string
  /** The environment a custom connector belongs to (standard and premium ones are tenant-wide). */
  environmentId?: string
  /** A custom connector's API host, which DLP URL patterns classify it by. */
  hostUrl?: string
  /** Whether DLP endpoint rules apply to it. */
  endpointFiltering?: boolean
  createdAt: string
  updatedAt: string
  etag: string
}

export interface ConnectorFilter {
  tier?: ConnectorTier
  blocked?: boolean
  search?: string
  /** Only connectors usable in this environment (id or display name). */
  environment?: string
}

const path = (id: string) => `/v1/connectors/${encodeURIComponent(id)}`

/** Every connector that matches, fetching pages as the caller consumes them. */
export function listConnectors(ctx: Context, filter: ConnectorFilter = {}, pageSize = 200): AsyncGenerator<Connector> {
  const query = new URLSearchParams()
  if (filter.tier) query.set('tier', filter.tier)
  if (filter.blocked !== undefined) query.set('blocked', String(filter.blocked))
  if (filter.search) query.set('search', filter.search)
  if (filter.environment) query.set('environment', filter.environment)
  const qs = query.toString()
  return ctx.api().list<Connector>({path: `/v1/connectors${qs ? `?${qs}` : ''}`, what: 'Listing connectors'}, pageSize)
}

export async function getConnector(ctx: Context, id: string): Promise<Connector> {
  const {body, headers} = await ctx
    .api()
    .request<Connector>({path: path(id), what: `Reading connector ${id}`, notFound: {CONNECTOR_NOT_FOUND: connectorNotFound(id)}})
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export type BlockOutcome = 'blocked' | 'unblocked' | 'already-blocked' | 'already-unblocked' | 'failed'

/** A failed item's error in a bulk result: the error's own --json form. */
export type ErrorInfo = PpctlErrorJson

export interface BlockResult {
  id: string
  displayName?: string
  outcome: BlockOutcome
  blocked?: boolean
  etag?: string
  error?: ErrorInfo
}

/**
 * Blocks or unblocks one connector: GET for its ETag, then POST with If-Match. On 412 (someone changed it in
 * between) it reads again once and retries only when the state still needs changing.
 */
export async function setConnectorBlocked(ctx: Context, id: string, block: boolean): Promise<BlockResult> {
  const verb = block ? 'Blocking' : 'Unblocking'
  for (let attempt = 0; ; attempt++) {
    const current = await getConnector(ctx, id)
    if (current.blocked === block) {
      return {id, displayName: current.displayName, outcome: block ? 'already-blocked' : 'already-unblocked', blocked: block, etag: current.etag}
    }
    if (block && current.unblockable) {
      throw new ConflictError(
        'UNBLOCKABLE_CONNECTOR',
        `${current.displayName} (${id}) cannot be blocked: it is a core connector that stays available to every app.`,
        {
          nextStep: 'Core connectors (Approvals, Notifications, SharePoint, Dataverse) cannot be blocked; restrict the apps that use it instead.',
        },
      )
    }
    try {
      const {body} = await ctx.api().request<Connector>({
        method: 'POST',
        path: `${path(id)}/${block ? 'block' : 'unblock'}`,
        headers: {'if-match': current.etag},
        what: `${verb} connector ${id}`,
      })
      return {id, displayName: body.displayName, outcome: block ? 'blocked' : 'unblocked', blocked: body.blocked, etag: body.etag}
    } catch (err) {
      if (attempt === 0 && err instanceof PpctlError && err.code === 'PRECONDITION_FAILED') {
        ctx.debug.log(`connector ${id} changed since it was read (412); reading it again`)
        continue
      }
      throw err
    }
  }
}

/**
 * Blocks or unblocks the ids, `concurrency` at a time; a failure is recorded in that id's result and the rest go on.
 * Results in the order of the ids; when stopped (Ctrl-C) only the ids done, and notRun says how many never started.
 */
export async function blockConnectors(
  ctx: Context,
  ids: readonly string[],
  block: boolean,
  options: BulkOptions = {},
): Promise<{results: BlockResult[]; notRun: number}> {
  const run = await runBulk(
    ids,
    async (id): Promise<BlockResult> => {
      try {
        return await setConnectorBlocked(ctx, id, block)
      } catch (err) {
        return {id, outcome: 'failed', error: toPpctlError(err).toJSON()}
      }
    },
    options,
  )
  const results = run.results.filter((r): r is BlockResult => r !== undefined)
  return {results, notRun: ids.length - results.length}
}

export interface ConnectorDefinition {
  displayName: string
  description?: string
  /** The environment it belongs to (id or display name); the default one when absent. */
  environmentId?: string
}

const NAME = /^[\p{L}\p{N} ._()-]{1,80}$/u

/** Reads and checks a custom connector definition; any problem is one line naming the file and the field. */
export async function readConnectorDefinition(file: string): Promise<ConnectorDefinition> {
  const name = basename(file)
  const bad = (field: string, why: string) =>
    new UsageError('INVALID_DEFINITION', `${name}: ${field} ${why}.`, {nextStep: 'A definition is {"displayName": "My API", "description": "What it does"}.'})
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError('FILE_UNREADABLE', `${name}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
      nextStep: 'Check the path given to --file.',
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw bad('the file', `is not valid JSON (${(err as Error).message.split('\n')[0]})`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad('the file', 'must hold a JSON object')
  const def = parsed as Record<string, unknown>
  for (const key of Object.keys(def))
    if (key !== 'displayName' && key !== 'description') throw bad(`"${key}"`, 'is not a known field (displayName, description)')
  if (typeof def.displayName !== 'string') throw bad('"displayName"', 'is required and must be a string')
  if (!NAME.test(def.displayName.trim())) throw bad('"displayName"', 'must be 1–80 letters, digits, spaces and . _ ( ) -')
  if (def.description !== undefined && typeof def.description !== 'string') throw bad('"description"', 'must be a string')
  if (typeof def.description === 'string' && def.description.length > 500) throw bad('"description"', 'must be at most 500 characters')
  return {displayName: def.displayName.trim(), ...(typeof def.description === 'string' ? {description: def.description} : {})}
}

/**
 * One Idempotency-Key per call: the platform replays the first answer to a repeat, so the HTTP stack may retry a
 * throttled or unavailable create (and a lost answer) without making a second connector.
 */
export async function createConnector(ctx: Context, definition: ConnectorDefinition): Promise<Connector> {
  const {body} = await ctx.api().request<Connector>({
    method: 'POST',
    path: '/v1/connectors',
    body: definition,
    headers: {'idempotency-key': randomUUID()},
    what: `Creating connector "${definition.displayName}"`,
  })
  return body
}

export interface DeleteResult {
  id: string
  displayName: string
  deleted: true
}

/** Deletes a custom connector; a standard or premium one is refused before any change (exit 7). */
export async function deleteConnector(ctx: Context, id: string): Promise<DeleteResult> {
  const current = await getConnector(ctx, id)
  if (current.tier !== 'custom') {
    throw new ConflictError('NOT_CUSTOM_CONNECTOR', `${current.displayName} (${id}) is a ${current.tier} connector; only custom connectors can be deleted.`, {
      nextStep: `Block it instead: ppctl connector block ${id}`,
    })
  }
  await ctx.api().request({method: 'DELETE', path: path(id), headers: {'if-match': current.etag}, what: `Deleting connector ${id}`})
  return {id, displayName: current.displayName, deleted: true}
}
