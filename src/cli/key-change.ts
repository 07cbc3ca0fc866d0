// The ETag a key change is sent with: --if-match when given (a stale one → exit 7), else the one just read.
import {Flags} from '@oclif/core'

export const ifMatchFlag = Flags.string({
  description: "Only if the key state's ETag is still this one (from `ppctl keys status --json`); a stale ETag → exit 7.",
})
