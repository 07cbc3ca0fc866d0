// The one environment variable that would turn Node's certificate verification off, which ppctl ignores: the warning saying so.

/** The variable Node reads for its default of `rejectUnauthorized`; ppctl sets that option itself on every connection. */
const NODE_TLS_ENV = 'NODE_TLS_REJECT_UNAUTHORIZED'

/**
 * The warning to show when the environment asks Node not to verify certificates (Node treats exactly "0" so),
 * or undefined. Every connection ppctl makes verifies its certificate regardless; the warning says how to
 * trust a private CA instead.
 */
export function ignoredTlsEnvWarning(env: NodeJS.ProcessEnv): string | undefined {
  if (env[NODE_TLS_ENV] !== '0') return undefined
  return `Warning: ppctl ignores ${NODE_TLS_ENV}=0 and verifies every TLS certificate. To trust a private CA, use: ppctl config set ca-file <pem>   (or set PPCTL_CA_FILE=<pem>)`
}

/**
 * For the CLI's entry points, before any connection: the warning (once — the variable is taken out of this
 * process's environment), so that Node does not print its own warning claiming verification is off, and
 * no connection made with Node's defaults (a library's, a child's) is weakened by it.
 */
export function takeIgnoredTlsEnv(env: NodeJS.ProcessEnv): string | undefined {
  const warning = ignoredTlsEnvWarning(env)
  if (warning) delete env[NODE_TLS_ENV]
  return warning
}
