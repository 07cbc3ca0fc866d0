import {Flags} from '@oclif/core'

import {connectionFlags, filterFlags, interruptSignal, parseCommon} from '../../cli/flags/audit.js'
import type {WatchedEvent} from '../../lib/audit/detectors/types.js'
import {streamAudit, type AuditStreamResult as StreamSummary} from '../../lib/audit/stream-audit.js'
import {BaseCommand} from '../../cli/base-command.js'
import {InterruptedError, UsageError} from '../../lib/errors/index.js'

/** One audit event exactly as the platform sent it (docs/openapi.yaml AuditEvent): fields the platform adds pass through. */
export interface AuditStreamEvent extends WatchedEvent {
  [field: string]: unknown
}

// run() returns nothing under --json: the stream prints the events as they arrive.
/** The events, as one JSON array. */
export type AuditStreamResult = AuditStreamEvent[]

export default class AuditStream extends BaseCommand<typeof AuditStream> {
  static override summary = "Print the tenant's audit events: the history in a range, or history then live with --follow."
  static override description = `Events go to stdout as NDJSON, one line per event, exactly as the platform sent it (--output table for people, json for one array); status goes to stderr. A dropped connection is re-established with backoff and resumed after the last event printed (Last-Event-ID), so no event is lost, repeated or reordered; a stream quiet for three heartbeat periods is reconnected; the access token is renewed before it expires; a failover is followed through the global service.

--checkpoint FILE makes repeated runs ship every event once: it is read (and validated) on start and rewritten atomically after each batch is flushed to stdout. A run killed between a flush and its checkpoint re-emits at most that batch; de-duplicate by "seq".

Exit codes: 0 done (without --follow, or --until passed); 1 corrupt or foreign checkpoint; 7 the cursor is older than the platform's retention (the message says how far back it still holds events), or ahead of the platform's log (CURSOR_AHEAD: the platform was reset; the message names both seqs, the checkpoint is left as it is); 8 the stream could not be re-established within --reconnect-timeout; 130 interrupted (the output is flushed and the checkpoint written first); 141 stdout was closed by the program reading it (the checkpoint stays at the last batch written).

--json is --output json: the events as one JSON array (errors too are JSON then).`

  static override examples = [
    {description: 'Watch live, as a table', command: '<%= config.bin %> <%= command.id %> --follow --output table'},
    {description: 'The last hour of failed sign-ins, as NDJSON', command: '<%= config.bin %> <%= command.id %> --since 1h --action signin --result failed'},
    {
      description: 'Ship every event to a SIEM, resuming where the last run stopped (cron)',
      command: '<%= config.bin %> <%= command.id %> --checkpoint /var/lib/siem/ppctl-audit.json >> /var/log/siem/ppctl-audit.ndjson',
    },
  ]

  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'After the history, keep printing new events until interrupted.'}),
    ...filterFlags,
    after: Flags.integer({description: 'Start after this event seq (resume point).', min: 0}),
    output: Flags.string({char: 'o', description: 'Output format.', options: ['ndjson', 'table', 'json'], default: 'ndjson'}),
    checkpoint: Flags.string({description: 'Resume point file: read on start, rewritten atomically after each flushed batch.'}),
    ...connectionFlags,
  }

  async run(): Promise<StreamSummary | undefined> {
    const common = parseCommon(this.flags, this.ctx.clock)
    // The events are the output: under --json they are the JSON array, and the summary is not printed after them.
    const output = (this.flags.json ? 'json' : this.flags.output) as 'ndjson' | 'table' | 'json'
    if (this.flags.checkpoint && output !== 'ndjson') {
      throw new UsageError('CHECKPOINT_NEEDS_NDJSON', '--checkpoint ships events: it needs --output ndjson.', {
        nextStep: 'Drop --output, or drop --checkpoint.',
      })
    }
    const interrupt = interruptSignal()
    try {
      const result = await streamAudit(this.ctx, {
        follow: this.flags.follow,
        filters: common.filters,
        after: this.flags.after,
        output,
        checkpoint: this.flags.checkpoint,
        heartbeatMs: common.heartbeatMs,
        reconnectLimitMs: common.reconnectLimitMs,
        stopAt: this.flags.follow ? common.untilMs : undefined,
        signal: interrupt.signal,
      })
      if (result.interrupted) {
        throw new InterruptedError('INTERRUPTED', `Interrupted after ${result.events} events (last seq ${result.lastSeq ?? 'none'}).`, {
          ...(this.flags.checkpoint
            ? {nextStep: `Resume with the same --checkpoint ${this.flags.checkpoint}`}
            : result.lastSeq === undefined
              ? {}
              : {nextStep: `Resume with --after ${result.lastSeq}`}),
        })
      }
      return this.flags.json ? undefined : result
    } finally {
      interrupt.dispose()
    }
  }
}
