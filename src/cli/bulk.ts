// What the bulk commands share at the CLI: --concurrency (progress and Ctrl-C are in lib/output/bulk-progress.ts).
import {Flags} from '@oclif/core'

import {DEFAULT_CONCURRENCY} from '../lib/platform/bulk-run.js'

export const concurrencyFlag = Flags.integer({
  description: `Requests in flight at once (1 = strictly one row after another, in order). Results are always printed in input order.`,
  min: 1,
  max: 64,
  default: DEFAULT_CONCURRENCY,
})
