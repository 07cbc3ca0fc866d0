// What the bulk commands share at the CLI: --concurrency and the shape of an outcome (progress and Ctrl-C are in lib/output/bulk-progress.ts).
import {Flags} from '@oclif/core'

import type {Rendered} from '../lib/output/render.js'
import type {View} from '../lib/output/view.js'
import {DEFAULT_CONCURRENCY} from '../lib/platform/bulk-run.js'

export const concurrencyFlag = Flags.integer({
  description: `Requests in flight at once (1 = strictly one row after another, in order). Results are always printed in input order.`,
  min: 1,
  max: 64,
  default: DEFAULT_CONCURRENCY,
})

/** What a bulk run hands its command (BaseCommand.bulkOutcome): the result, its view, and the notes for stderr. */
export interface BulkOutcome<R> {
  result: R
  view: View
  /** The note for stderr when some items failed (the command then exits 10). */
  partial?: Rendered
  /** The note for stderr when the run was stopped (the command then exits 130). */
  interrupted?: Rendered
}
