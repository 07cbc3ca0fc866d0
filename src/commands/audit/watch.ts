import {Flags} from '@oclif/core'

import {DEFAULT_SETTINGS, DETECTOR_NAMES} from '../../lib/audit/detectors/detectors.js'
import {durationFlag} from '../../lib/audit/duration.js'
import {assertExecutable, checkPlaceholders, splitCommand} from '../../lib/audit/exec-alert.js'
import {connectionFlags, defaultAuditOutput, filterFlags, interruptSignal, parseCommon, resumeHint} from '../../cli/flags/audit.js'
import type {Alert} from '../../lib/audit/detectors/types.js'
import {ALERT_EXIT_CODE, watchAudit, type WatchResult} from '../../lib/audit/watch-audit.js'
import {BaseCommand} from '../../cli/base-command.js'
import {ExitCode} from '../../lib/errors/index.js'
import {text} from '../../lib/output/render.js'

// run() returns nothing under --json: the alerts are printed as they are raised.
/** One alert: under --json every line on stdout is one, as it is raised. */
export type AuditWatchJsonLine = Alert

const seconds = (flag: string, text: string) => durationFlag(flag, text) / 1000

export default class AuditWatch extends BaseCommand<typeof AuditWatch> {
  static override summary = 'Watch the live audit stream for suspicious activity and raise alerts.'
  static override description = `Detectors (all on by default; pick some with --detector):
  failed-signins-account   --failed-signins N failed sign-ins of one account within --failed-signins-window
  failed-signins-address   the same, from one client address
  connector-unblocked      any connector unblocked
  mass-license-revocation  --revocations N licenses revoked within --revocations-window
  signin-many-addresses    one account signing in from --addresses N distinct addresses within --addresses-window

Detectors run on the events' own times, so a replay (--since 1d --no-follow) raises the same alerts as watching live. Each alert is one line on stdout (NDJSON by default, --output table for people). --exec runs a program for each alert with the alert as JSON on stdin; it runs without a shell (the command line is split on spaces and quotes; for pipes or variables, name a script) and its output goes to stderr. Its arguments may hold placeholders, each replaced inside its own argument: {detector} {subject} {time} {count} of the alert, and {seq} {tenantId} {clientIp} {actor.type} {actor.id} {actor.upn} {actor.appId} of the event that raised it; a value that is missing, holds control characters or starts with "-" skips the run with a warning. Alerts and --exec run in order, one at a time.

Exit codes: ${ALERT_EXIT_CODE} with --exit-on-alert when an alert fired; 0 when --no-follow or --until ends the watch without one; 7, 8, 130 and 141 as for ppctl audit stream. --json is --output ndjson.`

  static override examples = [
    {description: 'Watch live, as a table', command: '<%= config.bin %> <%= command.id %> --output table'},
    {description: 'Page someone for each alert', command: '<%= config.bin %> <%= command.id %> --exec "./page-oncall.sh --team identity"'},
    {
      description: 'Cut off the account that raised an alert, at once',
      command: `<%= config.bin %> <%= command.id %> --detector failed-signins-account --exec 'ppctl user revoke-sessions {actor.upn} --yes'`,
    },
    {
      description: "Fail a pipeline step if the last day's events raise an alert",
      command: '<%= config.bin %> <%= command.id %> --since 1d --no-follow --exit-on-alert',
    },
  ]

  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'Keep watching live events (--no-follow: only the history in range).', default: true, allowNo: true}),
    ...filterFlags,
    after: Flags.integer({description: 'Start after this event seq.', min: 0}),
    output: Flags.string({
      char: 'o',
      description: "Alert format. Default: PPCTL_OUTPUT, then the config's output, when it is table; else ndjson.",
      options: ['ndjson', 'table'],
    }),
    detector: Flags.string({description: 'Run only these detectors (repeatable).', options: [...DETECTOR_NAMES], multiple: true}),
    'failed-signins': Flags.integer({
      description: 'Failed sign-ins (per account, or per address) that raise an alert.',
      default: DEFAULT_SETTINGS.failedSignIns.count,
      min: 1,
    }),
    'failed-signins-window': Flags.string({description: 'Window of --failed-signins.', default: `${DEFAULT_SETTINGS.failedSignIns.windowSeconds}s`}),
    revocations: Flags.integer({description: 'License revocations that raise an alert.', default: DEFAULT_SETTINGS.licenseRevocations.count, min: 1}),
    'revocations-window': Flags.string({description: 'Window of --revocations.', default: `${DEFAULT_SETTINGS.licenseRevocations.windowSeconds}s`}),
    addresses: Flags.integer({
      description: 'Distinct client addresses of one account that raise an alert.',
      default: DEFAULT_SETTINGS.signInAddresses.count,
      min: 2,
    }),
    'addresses-window': Flags.string({description: 'Window of --addresses.', default: `${DEFAULT_SETTINGS.signInAddresses.windowSeconds}s`}),
    exec: Flags.string({
      description: 'Program to run for each alert, the alert as JSON on stdin (no shell); {actor.upn} and other placeholders in its arguments.',
    }),
    'exit-on-alert': Flags.boolean({description: `Stop at the first alert with exit code ${ALERT_EXIT_CODE} (for pipelines).`}),
    ...connectionFlags,
  }

  async run(): Promise<WatchResult | undefined> {
    const f = this.flags
    const common = parseCommon(f, this.ctx.clock)
    const exec = f.exec ? splitCommand(f.exec) : undefined
    if (exec) {
      checkPlaceholders(exec)
      await assertExecutable(exec[0], this.ctx.env)
    }
    const interrupt = interruptSignal()
    try {
      const result = await watchAudit(this.ctx, {
        follow: f.follow,
        filters: common.filters,
        after: f.after,
        // Under --json the alerts are the output, one JSON object a line.
        output: f.json ? 'ndjson' : ((f.output as 'ndjson' | 'table' | undefined) ?? (await defaultAuditOutput(this.ctx, ['table'] as const, 'ndjson'))),
        settings: {
          failedSignIns: {count: f['failed-signins'], windowSeconds: seconds('failed-signins-window', f['failed-signins-window'])},
          licenseRevocations: {count: f.revocations, windowSeconds: seconds('revocations-window', f['revocations-window'])},
          signInAddresses: {count: f.addresses, windowSeconds: seconds('addresses-window', f['addresses-window'])},
        },
        only: f.detector,
        exec,
        exitOnAlert: f['exit-on-alert'],
        heartbeatMs: common.heartbeatMs,
        reconnectLimitMs: common.reconnectLimitMs,
        stopAt: f.follow ? common.untilMs : undefined,
        signal: interrupt.signal,
      })
      if (result.interrupted || result.outputClosed) {
        // Ctrl-C and `| head` end a watch quietly, as they end audit stream: the exit code says it (130, 141).
        this.exitWith(result.outputClosed ? ExitCode.OUTPUT_CLOSED : ExitCode.INTERRUPTED)
        const hint = resumeHint({bin: this.config.bin, id: this.id ?? 'audit:watch', argv: this.argv, follow: f.follow, seq: result.lastSeq})
        if (hint) this.note(text`${hint}`)
        return undefined
      }
      return f.json ? undefined : result
    } finally {
      interrupt.dispose()
    }
  }
}
