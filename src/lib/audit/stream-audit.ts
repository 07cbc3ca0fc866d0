// `ppctl audit stream`: resume point (flag or checkpoint) → consumer → stdout, flushed batch by batch, then checkpoint.
import type {Context} from '../context.js'
import {OutputClosedError, PpctlError, UsageError} from '../errors/index.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import {readCheckpoint, writeCheckpoint} from './checkpoint.js'
import {consumeAudit, type AuditFilters, type ConsumeResult, type StatusEvent} from './consume.js'
import {CursorAheadError} from './errors.js'
import {createFormatter, type AuditFormat, type AuditOutput} from './format.js'
import type {AuditFrame} from './sse-decoder.js'
import {clusterTransport, type ClusterTransport} from './transport.js'
import {watchOutput, writeFlushed, writeWithBackpressure} from './write-flushed.js'

export interface AuditStreamOptions {
  follow: boolean
  filters: AuditFilters
  after?: number
  output: AuditOutput
  /** The shape of each JSON event (ndjson and json outputs): the platform's, or OCSF. */
  format?: AuditFormat
  checkpoint?: string
  heartbeatMs?: number
  reconnectLimitMs: number
  stopAt?: number
  signal: AbortSignal
  /** Called for each delivered batch after it is flushed (audit watch hooks its detectors here). */
  onBatch?(frames: AuditFrame[]): Promise<void> | void
  /** false: print nothing to stdout (audit watch prints alerts instead). */
  print?: boolean
  /** Called once a batch is flushed and before its checkpoint is written (a test dies here to show what a crash re-emits). */
  afterFlush?(frames: AuditFrame[]): void
}

export interface AuditStreamResult extends ConsumeResult {
  tenantId: string
  checkpoint?: string
  /** The reader of stdout went away (`| head`): a quiet end with exit 141, not an error. */
  outputClosed?: boolean
  /** The last seq the OS took from ppctl (what a resume hint may count on). */
  deliveredSeq?: number
}

export async function streamAudit(ctx: Context, options: AuditStreamOptions, transport: ClusterTransport = clusterTransport(ctx)): Promise<AuditStreamResult> {
  const {route} = await ctx.router().route()
  let after = options.after
  let cluster = route.home.clusterId
  let lastTime = ''
  // Whether the cursor is the checkpoint's (read from it, or written to it since): a cursor ahead of the log names it.
  let fromCheckpoint = false
  if (options.checkpoint) {
    const cp = await readCheckpoint(options.checkpoint, {tenantId: route.tenantId, clusters: [route.home.clusterId, route.secondary.clusterId]})
    if (cp) {
      if (after !== undefined && after !== cp.lastSeq) {
        throw new UsageError('CURSOR_CONFLICT', `--after ${after} disagrees with the checkpoint ${options.checkpoint} (seq ${cp.lastSeq}).`, {
          nextStep: 'Give one of them: the checkpoint, or --after with a new checkpoint file.',
        })
      }
      after = cp.lastSeq
      cluster = cp.cluster
      lastTime = cp.lastTime
      fromCheckpoint = true
    }
  }
  const format = createFormatter(options.output, {format: options.format, io: ctx.io})
  const print = options.print ?? true
  const stdout = ctx.io.stdout
  const rate = rateLine(ctx, options.follow)

  const output = watchOutput(stdout)
  // What the OS has taken from ppctl (or, without printing, what was handed on): what a resume hint may count on.
  // Events in a pipe's buffer that its reader never read are lost with the reader; ppctl cannot see them.
  let delivered = 0
  let lastDelivered = after
  const confirm = (count: number, seq: number) => {
    delivered += count
    lastDelivered = seq
  }
  const resumeHint = () =>
    options.checkpoint
      ? `The checkpoint ${options.checkpoint} holds seq ${lastDelivered ?? 'none'}: run the same command again to resume.`
      : lastDelivered === undefined
        ? undefined
        : `Resume with --after ${lastDelivered}`
  /** A write error: the reader gone (exit 141), or stdout itself failing (a full disk: exit 1). Either way, stop. */
  const outputError = (err: unknown) => {
    const code = errorCode(err)
    const hint = resumeHint()
    if (output.closed() || code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') {
      return new OutputClosedError(
        'OUTPUT_CLOSED',
        `stdout was closed by the program reading it, after ${delivered} events (last seq ${lastDelivered ?? 'none'}).`,
        hint ? {nextStep: hint} : {},
      )
    }
    const reason = code ?? (err as Error)?.message ?? String(err)
    return new PpctlError('OUTPUT_FAILED', `Writing the events to stdout failed (${reason}) after ${delivered} events (last seq ${lastDelivered ?? 'none'}).`, {
      nextStep: `Check where stdout goes (a full disk, a closed file).${hint ? ` ${hint}` : ''}`,
    })
  }

  // A run that fails before any event leaves stdout empty (under --json, only the error): no "[]" before it.
  let started = false
  let succeeded = false
  const emit = async (batch: AuditFrame[]) => {
    const last = batch[batch.length - 1]
    if (print) {
      try {
        started = true
        // The rows go where the counter was drawn (stdout and stderr share a terminal): clear it first.
        rate.clear()
        // With a checkpoint the batch must be flushed before the checkpoint moves; without, backpressure is enough.
        if (options.checkpoint) {
          await writeFlushed(stdout, format.batch(batch), options.signal)
          confirm(batch.length, last.seq)
        } else {
          await writeWithBackpressure(stdout, format.batch(batch), () => confirm(batch.length, last.seq), options.signal)
        }
      } catch (err) {
        // Ctrl-C while stdout is stuck: the consumer stops (exit 130); the checkpoint stays where it was.
        if (options.signal.aborted) throw err
        // Never move the checkpoint past what the OS took.
        throw outputError(err)
      }
    }
    options.afterFlush?.(batch)
    if (options.checkpoint) {
      // The cluster and time come from the event itself.
      const {time, cluster: served} = last.event
      lastTime = typeof time === 'string' ? time : lastTime
      cluster = (typeof served === 'string' ? served : undefined) ?? transport.route?.home.clusterId ?? cluster
      try {
        await writeCheckpoint(options.checkpoint, {tenantId: route.tenantId, cluster, lastSeq: last.seq, lastTime}, ctx.clock.now())
      } catch (err) {
        // Not a connection failure: a reconnect would print the batch again and fail the same way, until --reconnect-timeout.
        throw checkpointWriteError(options.checkpoint, err, last.seq)
      }
      fromCheckpoint = true
    }
    if (options.onBatch) {
      // audit watch writes alerts to the same terminal: the counter goes first, like before rows.
      rate.clear()
      try {
        await options.onBatch(batch)
      } catch (err) {
        // audit watch prints its alerts to stdout: the same rules as for events.
        if (!options.signal.aborted && (output.closed() || isStreamError(err))) throw outputError(err)
        throw err
      }
    }
    if (!print) confirm(batch.length, last.seq)
    rate.count(batch.length)
  }

  const status = (e: StatusEvent) => {
    if (e.type === 'heartbeat') rate.tick()
    else if (e.type === 'reconnecting')
      rate.note(
        `audit stream: ${e.reason}; reconnecting${e.delayMs > 0 ? ` in ${(e.delayMs / 1000).toFixed(1)} s` : ''} after seq ${e.after ?? 'start'} (attempt ${e.attempt})`,
      )
    else if (e.type === 'renewing-token') rate.note(`audit stream: renewing the access token; resuming after seq ${e.after ?? 'start'}`)
    else if (e.type === 'connected' && rate.reconnected()) rate.note(`audit stream: connected; resuming after seq ${e.after ?? 'start'}`)
  }

  try {
    const result = await consumeAudit(
      {open: (path, headers, o) => transport.open(path, headers, o), clock: ctx.clock, emit, status},
      {
        follow: options.follow,
        filters: options.filters,
        after,
        heartbeatMs: options.heartbeatMs,
        reconnectLimitMs: options.reconnectLimitMs,
        stopAt: options.stopAt,
        signal: AbortSignal.any([options.signal, output.signal]),
      },
    )
    if (output.closed() && !options.signal.aborted) throw outputError(undefined)
    succeeded = true
    return {...result, tenantId: route.tenantId, ...(options.checkpoint ? {checkpoint: options.checkpoint} : {}), deliveredSeq: lastDelivered}
  } catch (err) {
    // `| head` is how a reader says it has enough: the command ends quietly (exit 141), as gh and az do.
    if (err instanceof OutputClosedError && !options.signal.aborted) {
      return {
        events: delivered,
        lastSeq: lastDelivered,
        reconnects: 0,
        interrupted: false,
        tenantId: route.tenantId,
        ...(options.checkpoint ? {checkpoint: options.checkpoint} : {}),
        outputClosed: true,
        deliveredSeq: lastDelivered,
      }
    }
    if (err instanceof CursorAheadError && options.checkpoint && fromCheckpoint) throw new CursorAheadError(err.after, err.headSeq, options.checkpoint)
    throw err
  } finally {
    output.dispose()
    rate.stop()
    if (print && (succeeded || started)) await writeFlushed(stdout, format.end()).catch(() => {})
  }
}

/** The checkpoint could not be written (a missing folder, no permission, a full disk): the batch was printed, the file did not move. */
function checkpointWriteError(file: string, err: unknown, seq: number): PpctlError {
  const reason = errorCode(err) ?? (err as Error)?.message ?? String(err)
  return new PpctlError('CHECKPOINT_INVALID', `Writing the checkpoint ${sanitizeOneLine(file)} failed (${sanitizeOneLine(reason)}) after seq ${seq}.`, {
    nextStep: `Check that its folder exists and is writable. The events up to seq ${seq} were printed: resume with --after ${seq}, or run again with a writable --checkpoint (events after its seq are shipped again; de-duplicate by "seq").`,
  })
}

const errorCode = (err: unknown): string | undefined => {
  const code = (err as {code?: unknown} | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** An error of the stream written to (a system error such as EPIPE or ENOSPC, or Node's ERR_STREAM_*), not of our code. */
const isStreamError = (err: unknown) => /^(E[A-Z]+|ERR_STREAM_\w+)$/.test(errorCode(err) ?? '')

/**
 * Status on stderr: reconnect notes always; the live counter ("1,234 events, 56/s") only when stderr is a terminal,
 * on a line of its own, cleared before rows are written (stdout and stderr share that terminal). It is redrawn after
 * a batch or a heartbeat, at most once a second on the context's clock: no timer of its own.
 */
function rateLine(ctx: Context, follow: boolean) {
  const err = ctx.io.stderr
  const live = ctx.io.stderrIsTTY && follow
  const clock = ctx.clock
  let total = 0
  let shown = false
  let connections = 0
  let last = {at: clock.now(), total: 0}
  const clearLine = () => {
    if (shown) err.write('\r\u001b[2K')
    shown = false
  }
  const tick = () => {
    if (!live) return
    const now = clock.now()
    if (now - last.at < 1000) return
    const perSecond = Math.round(((total - last.total) * 1000) / (now - last.at))
    err.write(`\r\u001b[2K${total.toLocaleString('en')} events, ${perSecond.toLocaleString('en')}/s`)
    shown = true
    last = {at: now, total}
  }
  return {
    count(n: number) {
      total += n
      tick()
    },
    tick,
    clear: clearLine,
    note(text: string) {
      clearLine()
      err.write(`${text}\n`)
    },
    reconnected: () => connections++ > 0,
    stop: clearLine,
  }
}
