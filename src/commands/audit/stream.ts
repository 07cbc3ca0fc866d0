import {Flags} from '@oclif/core'

import {connectionFlags, defaultAuditOutput, filterFlags, interruptSignal, parseCommon, resumeHint} from '../../cli/flags/audit.js'
import type {WatchedEvent} from '../../lib/audit/detectors/types.js'
import type {AuditFormat, AuditOutput} from '../../lib/audit/format.js'
import {streamAudit, type AuditStreamResult as StreamSummary} from '../../lib/audit/stream-audit.js'
import {BaseCommand} from '../../cli/base-command.js'
import {ExitCode, UsageError} from '../../lib/errors/index.js'
import {text} from '../../lib/output/render.js'

/** One audit event exactly as the platform sent it (docs/openapi.yaml AuditEvent): fields the platform adds pass through. */
export interface AuditStreamEvent extends WatchedEvent {
  [field: string]: unknown
}

// run() returns nothing under --json: the stream prints the events as they arrive.
/** The events, as one JSON array. */
export type AuditStreamResult = AuditStreamEvent[]

export default class AuditStream extends BaseCommand<typeof AuditStream> {
  static override summary = "Print the tenant's audit events: the history in a range, or history then live with --follow."
  static override description = `Events go to stdout as NDJSON, one line per event, exactly as the platform sent it (--format ocsf: each event mapped to OCSF 1.1, for SIEMs and Amazon Security Lake; --output table for people, csv for spreadsheets, json for one array); status goes to stderr, and the live counter only when stderr is a terminal. A dropped connection is re-established with backoff and resumed after the last event printed (Last-Event-ID), so no event is lost, repeated or reordered; a stream quiet for three heartbeat periods is reconnected; the access token is renewed before it expires; a failover is followed through the global service.

--checkpoint FILE makes repeated runs ship every event once: it is read (and validated) on start and rewritten atomically after each batch is flushed to stdout. A run killed between a flush and its checkpoint re-emits at most that batch; de-duplicate by "seq".

Exit codes: 0 done (without --follow, or --until passed); 1 corrupt or foreign checkpoint; 7 the cursor is older than the platform's retention (the message says how far back it still holds events), or ahead of the platform's log (CURSOR_AHEAD: the platform was reset; the message names both seqs, the checkpoint is left as it is); 8 the stream could not be re-established within --reconnect-timeout; 130 interrupted (the output is flushed and the checkpoint written first); 141 stdout was closed by the program reading it (| head; the checkpoint stays at the last batch written). Both end quietly: with --checkpoint or --follow, one line on stderr says how to resume.

--json is --output json: the events as one JSON array (errors too are JSON then).`

  static override examples = [
    {description: 'Watch live, as a table', command: '<%= config.bin %> <%= command.id %> --follow --output table'},
    {description: 'The last hour of failed sign-ins, as NDJSON', command: '<%= config.bin %> <%= command.id %> --since 1h --action signin --result failed'},
    {
      description: 'Ship OCSF events to a SIEM (Amazon Security Lake, …)',
      command: '<%= config.bin %> <%= command.id %> --follow --format ocsf --checkpoint state/audit.json',
    },
    {
      description: 'Ship every event to a SIEM, resuming where the last run stopped (cron)',
      command: '<%= config.bin %> <%= command.id %> --checkpoint /var/lib/siem/ppctl-audit.json >> /var/log/siem/ppctl-audit.ndjson',
    },
  ]

  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'After the history, keep printing new events until interrupted.'}),
    ...filterFlags,
    after: Flags.integer({description: 'Start after this event seq (resume point).', min: 0}),
    output: Flags.string({
      char: 'o',
      description:
        "Output format. Default: PPCTL_OUTPUT, then the config's output, when it is table, csv or json (and --checkpoint and --format allow it); else ndjson.",
      options: ['ndjson', 'table', 'csv', 'json'],
    }),
    format: Flags.string({
      description: "Each event's JSON (ndjson and json output): the platform's own, or OCSF 1.1.",
      options: ['ndjson', 'ocsf'],
      default: 'ndjson',
    }),
    checkpoint: Flags.string({description: 'Resume point file: read on start, rewritten atomically after each flushed batch.'}),
    ...connectionFlags,
  }

  async run(): Promise<StreamSummary | undefined> {
    const common = parseCommon(this.flags, this.ctx.clock)
    // The events are the output: under --json they are the JSON array, and the summary is not printed after them.
    const format = this.flags.format as AuditFormat
    // Without -o: PPCTL_OUTPUT or the config's output where this stream can print it (a checkpoint ships NDJSON, OCSF is JSON).
    const usable: AuditOutput[] = this.flags.checkpoint ? [] : format === 'ocsf' ? ['json'] : ['table', 'csv', 'json']
    const output = this.flags.json ? 'json' : ((this.flags.output as AuditOutput | undefined) ?? (await defaultAuditOutput(this.ctx, usable, 'ndjson')))
    if (this.flags.checkpoint && output !== 'ndjson') {
      throw new UsageError('CHECKPOINT_NEEDS_NDJSON', '--checkpoint ships events: it needs --output ndjson.', {
        nextStep: 'Drop --output, or drop --checkpoint.',
      })
    }
    if (format === 'ocsf' && (output === 'table' || output === 'csv')) {
      throw new UsageError('FORMAT_NEEDS_JSON', `--format ocsf shapes JSON events: it does not apply to --output ${output}.`, {
        nextStep: 'Drop --format, or use --output ndjson (or json).',
      })
    }
    const interrupt = interruptSignal()
    try {
      const result = await streamAudit(this.ctx, {
        follow: this.flags.follow,
        filters: common.filters,
        after: this.flags.after,
        output,
        format,
        checkpoint: this.flags.checkpoint,
        heartbeatMs: common.heartbeatMs,
        reconnectLimitMs: common.reconnectLimitMs,
        stopAt: this.flags.follow ? common.untilMs : undefined,
        signal: interrupt.signal,
      })
      if (result.interrupted || result.outputClosed) {
        // Ctrl-C and `| head` are how people stop a stream: no error, the exit code says it (130, 141).
        this.exitWith(result.outputClosed ? ExitCode.OUTPUT_CLOSED : ExitCode.INTERRUPTED)
        const hint = resumeHint({
          bin: this.config.bin,
          id: this.id ?? 'audit:stream',
          argv: this.argv,
          checkpoint: this.flags.checkpoint,
          follow: this.flags.follow,
          seq: result.deliveredSeq,
        })
        if (hint) this.note(text`${hint}`)
        return undefined
      }
      return this.flags.json ? undefined : result
    } finally {
      interrupt.dispose()
    }
  }
}
