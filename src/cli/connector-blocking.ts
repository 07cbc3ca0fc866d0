// What `connector block` and `connector unblock` share: ids from argv, their flags, one confirmation, the per-id results and their view.
import {Args} from '@oclif/core'

import {UsageError} from '../lib/errors/index.js'
import {concurrencyFlag, type BulkOutcome} from './bulk.js'
import {yesFlag} from './flags/confirm.js'
import type {Context} from '../lib/context.js'
import {confirmOrCancel} from '../lib/io/prompter.js'
import {text} from '../lib/output/render.js'
import {tableView} from '../lib/output/view.js'
import {blockConnectors, setConnectorBlocked, type BlockResult} from '../lib/platform/connectors.js'
import {bulkInterrupt, bulkReporter} from '../lib/output/bulk-progress.js'

export interface ConnectorBlockingResult {
  /** One per id done, in the order given. */
  results: BlockResult[]
  failed: number
  /** Set when the run was stopped (Ctrl-C): the ids never started. */
  notRun?: number
}

/** The arguments and flags of both commands (which are not strict: every argument is an id). */
export const connectorBlockingArgs = {id: Args.string({description: 'Connector ids (one or more).', required: true})}
export const connectorBlockingFlags = {yes: yesFlag, concurrency: concurrencyFlag}

export type ConnectorBlockingOutcome = BulkOutcome<ConnectorBlockingResult>

/** Blocks (block: true) or unblocks the connectors named in argv, after asking unless yes. */
export async function setConnectorsBlocked(
  ctx: Context,
  argv: readonly string[],
  options: {block: boolean; yes: boolean; concurrency?: number},
): Promise<ConnectorBlockingOutcome> {
  const {block} = options
  const ids = [...new Set(argv)]
  const stray = ids.find((id) => id.startsWith('-'))
  if (stray)
    throw new UsageError('USAGE', `Unknown flag ${stray} for ppctl connector ${block ? 'block' : 'unblock'}.`, {
      nextStep: `See the command help: ppctl connector ${block ? 'block' : 'unblock'} --help`,
    })
  const verb = block ? 'Block' : 'Unblock'
  const what = ids.length === 1 ? `connector ${ids[0]}` : `${ids.length} connectors (${ids.join(', ')})`
  await confirmOrCancel(ctx.prompter, `${verb} ${what} for every user and app of the tenant?`, options.yes)
  // One id: its error is the command's error (exit 6, 7 ...). Several: a result per id.
  let results: BlockResult[]
  let notRun = 0
  if (ids.length === 1) results = [await setConnectorBlocked(ctx, ids[0], block)]
  else {
    const progress = bulkReporter(ctx.io, ctx.clock, `${block ? 'Blocking' : 'Unblocking'} connectors`)
    const interrupt = bulkInterrupt(ctx.io)
    try {
      ;({results, notRun} = await blockConnectors(ctx, ids, block, {
        concurrency: options.concurrency,
        signal: interrupt.signal,
        onProgress: (p) => progress.onProgress(p),
        now: () => ctx.clock.now(),
      }))
    } finally {
      progress.stop()
      interrupt.dispose()
    }
  }
  const failed = results.filter((r) => r.outcome === 'failed').length
  const view = tableView(
    ['Connector', {header: 'Name', free: true}, {header: 'Result', free: true}],
    results.map((r) => [r.id, r.displayName ?? '', r.outcome === 'failed' ? `failed: ${r.error?.message ?? ''}` : r.outcome.replace('-', ' ')]),
  )
  const done = block ? 'blocked' : 'unblocked'
  if (notRun > 0) {
    const interrupted = text`Interrupted: ${results.length} of ${ids.length} connectors done (${failed} failed), ${notRun} not started. Run the same command again to do the rest: those already ${done} are reported as such (exit 130).`
    return {result: {results, failed, notRun}, view, interrupted}
  }
  // "the others were" would be false when none was.
  const partial =
    failed === 0
      ? undefined
      : failed === results.length
        ? text`None of the ${results.length} connectors could be ${done} (exit 10).`
        : text`${failed} of ${results.length} connectors could not be ${done}; the others were (exit 10).`
  return {result: {results, failed}, view, partial}
}
