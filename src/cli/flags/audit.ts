// Flags shared by `audit stream` and `audit watch`, and their translation into consumer options.
import {Flags} from '@oclif/core'

import type {Clock} from '../../lib/clock.js'
import {UsageError} from '../../lib/errors/index.js'
import type {AuditFilters} from '../../lib/audit/consume.js'
import type {Context} from '../../lib/context.js'
import {readConfigOutput} from '../../lib/output/command-output.js'
import {durationFlag, parseTimeBound} from '../../lib/audit/duration.js'

export const connectionFlags = {
  heartbeat: Flags.string({
    description: "The platform's heartbeat period (e.g. 15s); no bytes for three periods → reconnect. Default: learned from the stream, starting from 15s.",
    helpGroup: 'CONNECTION',
  }),
  'reconnect-timeout': Flags.string({
    description: 'Give up (exit 8) when the stream cannot be re-established for this long.',
    default: '5m',
    helpGroup: 'CONNECTION',
  }),
}

export const filterFlags = {
  since: Flags.string({description: 'Only events at or after this time: a duration back from now (10m, 1h, 2d) or an ISO 8601 date-time.'}),
  until: Flags.string({description: 'Only events before this time (same forms as --since); with --follow, stop once it has passed.'}),
  action: Flags.string({description: 'Only actions matching this glob (signin, connector.*, license.revo?ed).'}),
  actor: Flags.string({description: 'Only events of this actor (UPN, user id or app id).'}),
  result: Flags.string({description: 'Only succeeded or failed events.', options: ['succeeded', 'failed']}),
}

/**
 * The output of audit stream and watch when -o is not given: PPCTL_OUTPUT (set and not empty), else the config's
 * `output`, when it names one of the formats the command can print now (`usable`); anything else (tsv, yaml, a
 * format the other flags rule out, a bad value): the command's default, ndjson. Never an error: a shell's
 * PPCTL_OUTPUT=tsv for the list commands must not break a SIEM's stream.
 */
export async function defaultAuditOutput<T extends string>(ctx: Pick<Context, 'env' | 'config'>, usable: readonly T[], fallback: T): Promise<T> {
  const env = ctx.env.PPCTL_OUTPUT
  const wanted = env !== undefined && env !== '' ? env : await readConfigOutput(ctx)
  return usable.includes(wanted as T) ? (wanted as T) : fallback
}

export interface ParsedCommon {
  filters: AuditFilters
  heartbeatMs?: number
  reconnectLimitMs: number
  untilMs?: number
}

export function parseCommon(
  flags: {since?: string; until?: string; action?: string; actor?: string; result?: string; heartbeat?: string; 'reconnect-timeout': string},
  clock: Clock,
): ParsedCommon {
  const now = clock.now()
  const filters: AuditFilters = {}
  if (flags.since) filters.since = parseTimeBound('since', flags.since, now)
  if (flags.until) filters.until = parseTimeBound('until', flags.until, now)
  if (filters.since && filters.until && filters.since >= filters.until)
    throw new UsageError('EMPTY_RANGE', `--since ${flags.since} is not before --until ${flags.until}.`, {nextStep: 'Give a --since earlier than --until.'})
  if (flags.action) {
    if (!/^[\w.*?:-]{1,100}$/.test(flags.action))
      throw new UsageError('INVALID_ACTION', `--action "${flags.action}" is not an action glob.`, {
        nextStep: 'Use letters, digits, ".", "_", ":", "-", "*" and "?", e.g. --action "connector.*"',
      })
    filters.action = flags.action
  }
  if (flags.actor) filters.actor = flags.actor
  if (flags.result) filters.result = flags.result as 'succeeded' | 'failed'
  return {
    filters,
    heartbeatMs: flags.heartbeat ? durationFlag('heartbeat', flags.heartbeat) : undefined,
    reconnectLimitMs: durationFlag('reconnect-timeout', flags['reconnect-timeout']),
    untilMs: filters.until ? Date.parse(filters.until) : undefined,
  }
}

/** An AbortSignal that fires on Ctrl-C (SIGINT) or SIGTERM, and a way to let go of the handlers. */
export function interruptSignal(): {signal: AbortSignal; dispose(): void; interrupted(): boolean} {
  const controller = new AbortController()
  const onSignal = () => controller.abort()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    interrupted: () => controller.signal.aborted,
    dispose() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}

/** A word of the command line as a POSIX shell reads it back: bare when it is plain, else in single quotes. */
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)

/**
 * What a stopped run (Ctrl-C, `| head`) says on stderr, when saying it helps: how to resume with --checkpoint, or the
 * command line again with --after <the last seq written> under --follow. Without either the run just ends: a history
 * run is run again, as gh and az do. --since goes: the cursor is after it anyway.
 */
export function resumeHint(run: {bin: string; id: string; argv: readonly string[]; checkpoint?: string; follow: boolean; seq?: number}): string | undefined {
  if (run.checkpoint) {
    return `Stopped${run.seq === undefined ? '' : ` after seq ${run.seq}`}; the checkpoint ${run.checkpoint} holds it: run the same command again to resume.`
  }
  if (!run.follow || run.seq === undefined) return undefined
  const kept: string[] = []
  for (let i = 0; i < run.argv.length; i++) {
    const arg = run.argv[i]
    if (arg === '--after' || arg === '--since') i++
    else if (!arg.startsWith('--after=') && !arg.startsWith('--since=')) kept.push(arg)
  }
  return `Stopped after seq ${run.seq}. Resume: ${[run.bin, ...run.id.split(':'), ...kept, '--after', String(run.seq)].map(shellWord).join(' ')}`
}
