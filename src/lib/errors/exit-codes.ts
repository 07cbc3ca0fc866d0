// Exit codes of ppctl, in one place; the README's table is generated from EXIT_CODE_DOCS.
export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  CANCELLED: 3,
  AUTH_REQUIRED: 4,
  PERMISSION_DENIED: 5,
  NOT_FOUND: 6,
  CONFLICT: 7,
  UNREACHABLE: 8,
  THROTTLED: 9,
  PARTIAL: 10,
  ALERT: 11,
  INTERRUPTED: 130,
  OUTPUT_CLOSED: 141,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODE_DOCS: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.OK, 'success'],
  [ExitCode.ERROR, 'unexpected error'],
  [ExitCode.USAGE, 'usage error: a missing or invalid flag, argument or answer'],
  [ExitCode.CANCELLED, 'cancelled: a confirmation prompt was declined'],
  [ExitCode.AUTH_REQUIRED, 'sign-in required, expired or revoked'],
  [ExitCode.PERMISSION_DENIED, 'permission denied'],
  [ExitCode.NOT_FOUND, 'not found'],
  [ExitCode.CONFLICT, 'conflict or precondition failed (no seats left, write to a passive secondary, stale ETag)'],
  [ExitCode.UNREACHABLE, 'platform unreachable or routing failed'],
  [ExitCode.THROTTLED, 'throttled, or platform error after retries'],
  [ExitCode.PARTIAL, 'partial success (bulk operations); for `dlp plan`: there are changes to apply (the CI gate)'],
  [ExitCode.ALERT, 'an alert fired (audit watch --exit-on-alert)'],
  [ExitCode.INTERRUPTED, 'interrupted (Ctrl-C)'],
  [ExitCode.OUTPUT_CLOSED, 'stdout was closed by the program reading it (a pipe to `head`, a consumer that exited); 128 + SIGPIPE, as a shell reports it'],
]
