// The audit stream's own failures: a cursor past retention or ahead of the log (exit 7), a stream that stays lost
// (exit 8), and a platform that cannot end a history read (exit 1).
import {ConflictError, PpctlError, UnreachableError} from '../errors/index.js'
import {sanitizeOneLine} from '../output/sanitize.js'

export class CursorExpiredError extends ConflictError {
  constructor(
    readonly after: number,
    readonly oldestRetainedSeq: number | undefined,
    readonly oldestRetainedTime: string | undefined,
  ) {
    const held = oldestRetainedSeq === undefined ? 'an unknown point' : `seq ${oldestRetainedSeq}${oldestRetainedTime ? ` (${oldestRetainedTime})` : ''}`
    super('CURSOR_EXPIRED', `Events after seq ${after} are no longer held by the platform; it still holds events from ${held}.`, {
      nextStep:
        oldestRetainedSeq === undefined
          ? 'Start again without a cursor and treat the gap as lost.'
          : `Resume with --after ${oldestRetainedSeq - 1} (or delete the checkpoint) and treat seq ${after + 1}–${oldestRetainedSeq - 1} as lost.`,
    })
  }
}

/**
 * A cursor past the log's head: the platform's log was reset or rolled back. Waiting for the log to reach the cursor
 * would skip every event up to it in silence, so the run stops; the checkpoint is never touched by this error.
 */
export class CursorAheadError extends ConflictError {
  constructor(
    readonly after: number,
    readonly headSeq: number,
    readonly checkpoint?: string,
  ) {
    const from = checkpoint ? `The checkpoint ${sanitizeOneLine(checkpoint)} holds seq ${after}` : `The cursor is seq ${after}`
    super(
      'CURSOR_AHEAD',
      `${from}, but the platform's audit log ends at seq ${headSeq}: the platform was reset or rolled back, and its new events would be skipped.`,
      {
        nextStep: checkpoint
          ? `The checkpoint was left as it is. If the platform was reset, delete the checkpoint ${sanitizeOneLine(checkpoint)} (every retained event is shipped again), or delete it and run with --after ${headSeq} for new events only.`
          : `Resume with --after ${headSeq} for new events only, or without --after for every retained event.`,
      },
    )
  }
}

export class StreamLostError extends UnreachableError {
  constructor(seconds: number, lastSeq: number | undefined, cause: string) {
    super('STREAM_LOST', `The audit stream could not be re-established for ${seconds} s (last: ${cause}); last event delivered: ${lastSeq ?? 'none'}.`, {
      nextStep: 'Check the platform (ppctl route show); run the command again with the same --checkpoint or --after to resume without a gap.',
    })
  }
}

/** Without --follow, a platform that does not confirm end=head would stream on forever: say so instead. */
export class EndUnsupportedError extends PpctlError {
  constructor() {
    super('END_UNSUPPORTED', 'The platform streams the audit log without end=head support, so ppctl cannot tell where the history ends.', {
      nextStep: 'Read the history with --follow --until <time>, or update the platform.',
    })
  }
}
