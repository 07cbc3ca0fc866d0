// The client's error codes, in one table: exit code, category, whether trying again may help, and the README's line.
import {ExitCode, type ExitCodeValue} from './exit-codes.js'

export type ErrorCategory =
  | 'usage'
  | 'cancelled'
  | 'auth'
  | 'permission'
  | 'not-found'
  | 'conflict'
  | 'network'
  | 'tls'
  | 'routing'
  | 'throttled'
  | 'platform'
  | 'local'
  | 'output'
  | 'interrupted'
  | 'internal'

export interface CodeInfo {
  readonly exit: ExitCodeValue
  readonly category: ErrorCategory
  /** ppctl sends the request again on it (the HTTP retries, the route re-resolution and the audit stream's reconnects go by it). */
  readonly retryable: boolean
  readonly description: string
}

const code = <E extends ExitCodeValue>(exit: E, category: ErrorCategory, retryable: boolean, description: string) =>
  ({exit, category, retryable, description}) as const

const {ERROR, USAGE, CANCELLED, AUTH_REQUIRED, PERMISSION_DENIED, NOT_FOUND, CONFLICT, UNREACHABLE, THROTTLED, ALERT, INTERRUPTED, OUTPUT_CLOSED} = ExitCode

export const CODES = {
  // usage: a flag, argument, answer, file or setting the person gave is missing or wrong
  USAGE: code(USAGE, 'usage', false, 'a flag or argument is missing, unknown or of the wrong type'),
  UNKNOWN_COMMAND: code(USAGE, 'usage', false, 'no ppctl command by that name (the message suggests the closest one)'),
  ANSWER_REQUIRED: code(USAGE, 'usage', false, 'a prompt would be needed, but there is no terminal (or CI is set): give the flag'),
  SECRET_REQUIRED: code(USAGE, 'usage', false, 'a secret would be prompted for, but there is no terminal'),
  USER_OR_FILE_REQUIRED: code(USAGE, 'usage', false, '`license assign` needs --user or --file'),
  AUTHORITY_REQUIRED: code(USAGE, 'usage', false, 'no authority (identity provider URL) in the flags, environment or profile'),
  CLIENT_ID_REQUIRED: code(USAGE, 'usage', false, 'no client id in the flags, environment or profile'),
  CERTIFICATE_FLAGS_REQUIRED: code(USAGE, 'usage', false, 'a certificate sign-in needs --certificate, --client-id and --tenant'),
  FEDERATION_FLAGS_REQUIRED: code(USAGE, 'usage', false, 'a federated sign-in needs a client id and a tenant (flags, or PPCTL_CLIENT_ID and PPCTL_TENANT_ID)'),
  FEDERATED_PROVIDER_UNAVAILABLE: code(
    USAGE,
    'usage',
    false,
    "the chosen --federated-provider's variables are not set (not in that CI system, or the job may not ask for tokens)",
  ),
  FEDERATED_TOKEN_UNREADABLE: code(USAGE, 'usage', false, 'the federated token file cannot be read or is empty'),
  FEDERATED_TOKEN_INVALID: code(USAGE, 'usage', false, 'the federated token is not a JWT'),
  INSECURE_AUTHORITY: code(USAGE, 'usage', false, 'the authority is not an https URL'),
  INVALID_AUTHORITY: code(USAGE, 'usage', false, 'the authority is not a URL'),
  URL_HAS_CREDENTIALS: code(USAGE, 'usage', false, 'a URL carries a user name or password'),
  NO_GLOBAL_URL: code(USAGE, 'usage', false, 'the profile names no global service URL'),
  CA_FILE_UNREADABLE: code(USAGE, 'usage', false, 'the CA file cannot be read or holds no certificate'),
  INVALID_CONFIG_VALUE: code(USAGE, 'usage', false, 'a configuration value is not valid for its key'),
  UNKNOWN_CONFIG_KEY: code(USAGE, 'usage', false, 'no such configuration key'),
  INVALID_ENVIRONMENT: code(USAGE, 'usage', false, 'a PPCTL_* environment variable has a value that is not valid'),
  INVALID_RANGE: code(USAGE, 'usage', false, 'an IP range given to `firewall set` (flag or file line:column) is not a CIDR range'),
  OUTPUT_CONFLICT: code(USAGE, 'usage', false, '--json together with --output in another format'),
  INVALID_QUERY: code(USAGE, 'usage', false, '--query is not a valid JMESPath expression (the message gives the position)'),
  INVALID_PROFILE_NAME: code(USAGE, 'usage', false, 'a profile name with characters that are not allowed'),
  INVALID_CREDENTIAL_STORE: code(USAGE, 'usage', false, 'PPCTL_CREDENTIAL_STORE is not keychain, file or memory'),
  CERTIFICATE_INVALID: code(USAGE, 'usage', false, 'the certificate is not a readable PEM or PFX'),
  CERTIFICATE_UNREADABLE: code(USAGE, 'usage', false, 'the certificate file cannot be read'),
  CERTIFICATE_KEY_INVALID: code(USAGE, 'usage', false, "the certificate's private key cannot be read"),
  CERTIFICATE_KEY_MISMATCH: code(USAGE, 'usage', false, 'the private key does not belong to the certificate'),
  CERTIFICATE_KEY_MISSING: code(USAGE, 'usage', false, 'the certificate comes without its private key'),
  CERTIFICATE_KEY_UNSUPPORTED: code(USAGE, 'usage', false, "the certificate's key type cannot sign a client assertion"),
  CERTIFICATE_PASSWORD_INVALID: code(USAGE, 'usage', false, 'the password does not open the certificate'),
  CERTIFICATE_PASSWORD_REQUIRED: code(USAGE, 'usage', false, 'the certificate is encrypted and PPCTL_CERTIFICATE_PASSWORD is not set'),
  ASSERTION_ALG_UNSUPPORTED: code(USAGE, 'usage', false, 'the identity provider accepts no signing algorithm the certificate can use'),
  INVALID_DURATION: code(USAGE, 'usage', false, 'a duration flag is not like 15m, 2h or 7d'),
  INVALID_TIME: code(USAGE, 'usage', false, 'a time flag is neither a duration nor an ISO date'),
  EMPTY_RANGE: code(USAGE, 'usage', false, '--since is not before --until'),
  INVALID_ACTION: code(USAGE, 'usage', false, 'an audit action filter that is not valid'),
  INVALID_EXEC: code(USAGE, 'usage', false, '`audit watch --exec` names no program'),
  CURSOR_CONFLICT: code(USAGE, 'usage', false, '--cursor together with --checkpoint'),
  CHECKPOINT_NEEDS_NDJSON: code(USAGE, 'usage', false, '--checkpoint needs NDJSON output'),
  FORMAT_NEEDS_JSON: code(USAGE, 'usage', false, '--format ocsf with a table or CSV output'),
  INVALID_DEFINITION: code(USAGE, 'usage', false, 'a custom connector definition that is not valid'),
  FILE_UNREADABLE: code(USAGE, 'usage', false, 'a file given on the command line cannot be read'),
  CSV_HEADER: code(USAGE, 'usage', false, "the CSV file's header is not the expected one"),
  CSV_ROW: code(USAGE, 'usage', false, 'a CSV row is not valid'),
  CSV_UNTERMINATED_QUOTE: code(USAGE, 'usage', false, 'the CSV file ends inside a quoted field'),
  INVALID_NAME: code(USAGE, 'usage', false, 'a name with characters that are not allowed'),
  API_PATH_INVALID: code(USAGE, 'usage', false, '`ppctl api`: the path is a URL, leaves the API (`..`, `//host`) or holds characters that are not allowed'),
  API_METHOD_INVALID: code(USAGE, 'usage', false, '`ppctl api`: not an HTTP method ppctl sends (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)'),
  API_HEADER_REFUSED: code(USAGE, 'usage', false, '`ppctl api -H`: a header ppctl sets itself (Authorization, Host, hop-by-hop) or not `Name: value`'),
  API_FIELD_INVALID: code(USAGE, 'usage', false, '`ppctl api -f/-F`: a field that is not `key=value`'),
  API_BODY_INVALID: code(USAGE, 'usage', false, '`ppctl api --input`: the body cannot be read or is not JSON, or comes with -f/-F too'),
  API_NOT_A_LIST: code(USAGE, 'usage', false, '`ppctl api --paginate`: the answer is not a page (`{items, nextCursor}`) or its cursor does not move'),
  INVALID_VALUE: code(USAGE, 'usage', false, 'a `sandbox fault` value that is not valid'),
  MISSING_VALUE: code(USAGE, 'usage', false, 'a `sandbox fault` setting without its value'),
  UNEXPECTED_VALUE: code(USAGE, 'usage', false, 'a `sandbox fault` setting that takes no value was given one'),
  NOT_A_DATA_DIR: code(USAGE, 'usage', false, "the sandbox folder is not the local platform's data folder"),
  PORT_BLOCKED: code(USAGE, 'usage', false, 'the sandbox port is not one the local platform may listen on'),
  DLP_FILE_INVALID: code(USAGE, 'usage', false, 'a DLP policies file that is not valid (`dlp validate FILE` lists every problem with its line)'),
  CONFIRMATION_MISMATCH: code(USAGE, 'usage', false, '`--confirm` (or the name typed) is not the name of what is deleted'),
  // cancelled
  CANCELLED: code(CANCELLED, 'cancelled', false, 'a confirmation prompt was declined'),
  ACCESS_DENIED: code(CANCELLED, 'cancelled', false, 'the sign-in was declined at the identity provider'),
  // sign-in
  NOT_SIGNED_IN: code(AUTH_REQUIRED, 'auth', false, 'the profile has no sign-in'),
  SESSION_EXPIRED: code(AUTH_REQUIRED, 'auth', false, 'the sign-in expired or was revoked'),
  DEVICE_CODE_EXPIRED: code(AUTH_REQUIRED, 'auth', false, 'the device code expired before the sign-in was approved'),
  BROWSER_SIGNIN_TIMEOUT: code(AUTH_REQUIRED, 'auth', false, '`auth login --web`: the browser sign-in was not completed within --timeout'),
  CLIENT_AUTH_FAILED: code(AUTH_REQUIRED, 'auth', false, 'the identity provider refused the client credentials (certificate)'),
  FEDERATION_REFUSED: code(
    AUTH_REQUIRED,
    'auth',
    false,
    'the identity provider refused the federated token: its issuer, subject or audience matches no federated credential, or it expired (`auth doctor` shows which)',
  ),
  FEDERATED_TOKEN_EXPIRED: code(AUTH_REQUIRED, 'auth', false, 'the federated token (from the file or the CI system) has expired'),
  FEDERATED_TOKEN_REQUEST_FAILED: code(AUTH_REQUIRED, 'auth', false, "the CI system's token service did not give a federated token"),
  CERTIFICATE_EXPIRED: code(AUTH_REQUIRED, 'auth', false, 'the sign-in certificate has expired'),
  CERTIFICATE_NOT_YET_VALID: code(AUTH_REQUIRED, 'auth', false, 'the sign-in certificate is not valid yet'),
  IDENTITY_PROVIDER_CHANGED: code(AUTH_REQUIRED, 'auth', false, "the platform's identity provider changed since the sign-in"),
  SIGNIN_FAILED: code(AUTH_REQUIRED, 'auth', false, "the local platform refused the test user's sign-in (`sandbox approve`)"),
  UNAUTHENTICATED: code(AUTH_REQUIRED, 'auth', false, 'the global service did not accept the token and named no reason'),
  SESSION_REVOKED: code(
    AUTH_REQUIRED,
    'auth',
    false,
    'the platform refused the token: its session was revoked (by an administrator, or a sign-out); never refreshed',
  ),
  DPOP_KEY_MISSING: code(AUTH_REQUIRED, 'auth', false, 'the profile signed in with DPoP, but its key is not in the credential store: sign in again'),
  DPOP_NOT_SUPPORTED: code(AUTH_REQUIRED, 'auth', false, 'a sign-in with --dpop got a bearer token: the identity provider does not bind tokens'),
  INVALID_DPOP_PROOF: code(AUTH_REQUIRED, 'auth', false, "the platform refused the request's DPoP proof (another key, replayed, or the clock is off)"),
  USE_DPOP_NONCE: code(AUTH_REQUIRED, 'auth', false, 'the platform asked for a new DPoP nonce again after ppctl had sent one'),
  // permission
  FORBIDDEN: code(PERMISSION_DENIED, 'permission', false, 'the global service refused to give the route and named no reason'),
  SIGNIN_POLICY_REFUSED: code(
    PERMISSION_DENIED,
    'permission',
    false,
    "the tenant's sign-in policy refused the sign-in (the message names the rule; the next step, the method to use instead)",
  ),
  // not found
  PROFILE_NOT_FOUND: code(NOT_FOUND, 'not-found', false, 'no such profile'),
  CONFIG_KEY_UNSET: code(NOT_FOUND, 'not-found', false, 'the configuration key has no value'),
  TENANT_NOT_FOUND: code(NOT_FOUND, 'not-found', false, 'no such tenant'),
  SERVICE_PRINCIPAL_NOT_FOUND: code(NOT_FOUND, 'not-found', false, 'the local platform has no service principal with that client id'),
  FEDERATED_CREDENTIAL_NOT_FOUND: code(NOT_FOUND, 'not-found', false, 'the service principal has no federated credential by that name'),
  CLUSTER_NOT_FOUND: code(NOT_FOUND, 'not-found', false, 'the local platform has no such cluster (`sandbox fault`)'),
  USER_CODE_NOT_FOUND: code(NOT_FOUND, 'not-found', false, 'no pending sign-in with that user code (`sandbox approve`)'),
  SANDBOX_NOT_INITIALIZED: code(NOT_FOUND, 'not-found', false, 'the local platform has no data yet: run `sandbox start` once'),
  // conflict or precondition
  UNBLOCKABLE_CONNECTOR: code(CONFLICT, 'conflict', false, 'a core connector, which cannot be blocked'),
  NOT_CUSTOM_CONNECTOR: code(CONFLICT, 'conflict', false, 'only custom connectors can be deleted'),
  NO_SEATS_AVAILABLE: code(CONFLICT, 'conflict', false, 'no license seats left'),
  CURSOR_EXPIRED: code(CONFLICT, 'conflict', false, 'the audit cursor is older than what the platform keeps'),
  CURSOR_AHEAD: code(CONFLICT, 'conflict', false, 'the audit cursor is ahead of the log (another platform, or a restored one)'),
  REPLICATION_BROKEN: code(CONFLICT, 'conflict', false, 'the local platform cannot fail over: replication is broken'),
  FILE_EXISTS: code(CONFLICT, 'conflict', false, 'the output file exists already'),
  SANDBOX_PORT_IN_USE: code(CONFLICT, 'conflict', false, 'the sandbox port is taken by another program'),
  POLICY_CHANGED: code(CONFLICT, 'conflict', false, 'a DLP policy changed on the platform since the file was exported or planned; nothing was applied'),
  // network
  CONNECTION_REFUSED: code(UNREACHABLE, 'network', true, 'the connection was refused'),
  CONNECTION_RESET: code(UNREACHABLE, 'network', true, 'the connection was closed unexpectedly'),
  DNS_FAILED: code(UNREACHABLE, 'network', true, 'the host name could not be resolved'),
  TIMEOUT: code(UNREACHABLE, 'network', true, 'the connection or the answer timed out'),
  NETWORK_UNREACHABLE: code(UNREACHABLE, 'network', true, 'the network is unreachable'),
  UNREACHABLE: code(UNREACHABLE, 'network', true, 'another network failure'),
  PROXY_FAILED: code(UNREACHABLE, 'network', false, 'the proxy refused the tunnel'),
  STREAM_LOST: code(UNREACHABLE, 'network', false, 'the audit stream could not be resumed within its time limit'),
  SANDBOX_NOT_RUNNING: code(UNREACHABLE, 'network', false, 'the local platform is not running'),
  // tls
  TLS_VERIFY_FAILED: code(UNREACHABLE, 'tls', false, "the server's certificate is not trusted, expired or for another host"),
  TLS_FAILED: code(UNREACHABLE, 'tls', false, 'the TLS handshake failed'),
  // routing
  REDIRECT_REFUSED: code(UNREACHABLE, 'routing', false, 'a redirect to another host or to http was not followed'),
  TOO_MANY_REDIRECTS: code(UNREACHABLE, 'routing', false, 'too many redirects'),
  CLUSTER_URI_REFUSED: code(UNREACHABLE, 'routing', false, "the tenant's cluster is not in the cluster allow-list"),
  ROUTING_FAILED: code(UNREACHABLE, 'routing', false, 'the global service could not give the route and named no reason'),
  ROUTE_MALFORMED: code(UNREACHABLE, 'routing', false, "the global service's answer is not a route"),
  // throttled, or the platform failing
  THROTTLED: code(THROTTLED, 'throttled', false, 'still HTTP 429 after the retries'),
  RETRY_AFTER_TOO_LONG: code(THROTTLED, 'throttled', false, 'the platform asked to wait longer than ppctl waits'),
  PLATFORM_UNAVAILABLE: code(THROTTLED, 'platform', false, 'still HTTP 502/503/504 after the retries'),
  MALFORMED_RESPONSE: code(THROTTLED, 'platform', false, "the platform's answer is not valid JSON"),
  // unexpected (exit 1): the platform or the local machine failing in a way no other code names
  UNEXPECTED: code(ERROR, 'internal', false, 'an unexpected failure (run with --debug)'),
  CLOCK_SKEW: code(ERROR, 'local', false, "`auth doctor`: this machine's clock differs from the platform's by more than a minute"),
  IDENTITY_ERROR: code(ERROR, 'platform', false, 'the identity provider answered with an error'),
  UNSAFE_VERIFICATION_URI: code(ERROR, 'platform', false, 'the identity provider gave a verification URL that is not https'),
  IDEMPOTENCY_LOOP: code(ERROR, 'platform', false, 'the platform kept answering a replayed license request'),
  END_UNSUPPORTED: code(ERROR, 'platform', false, 'the platform does not end the audit stream at its head'),
  APPROVAL_FAILED: code(ERROR, 'platform', false, 'the local platform did not approve the sign-in (`sandbox approve`)'),
  UNSAFE_REDIRECT: code(ERROR, 'platform', false, 'the sign-in page redirected somewhere unsafe (`sandbox approve`)'),
  FAULTS_UNSUPPORTED: code(ERROR, 'platform', false, 'the local platform was started without fault injection'),
  REGISTRATION_FAILED: code(ERROR, 'platform', false, 'the local platform refused the service principal'),
  FAULT_FAILED: code(ERROR, 'platform', false, 'the local platform refused the fault'),
  FAILOVER_FAILED: code(ERROR, 'platform', false, 'the local platform refused the failover'),
  RESYNC_FAILED: code(ERROR, 'platform', false, 'the local platform refused the resync'),
  SEED_FAILED: code(ERROR, 'platform', false, 'the local platform refused the seed (`sandbox seed`)'),
  SANDBOX_START_FAILED: code(ERROR, 'local', false, 'the local platform did not start'),
  KEYCHAIN_UNAVAILABLE: code(ERROR, 'local', false, 'the OS keychain cannot be used'),
  KEYCHAIN_TIMEOUT: code(ERROR, 'local', false, 'the OS keychain did not answer in time'),
  CREDENTIAL_LOCK_TIMEOUT: code(ERROR, 'local', false, "another ppctl process holds the profile's credential lock"),
  CONFIG_CORRUPT: code(ERROR, 'local', false, 'the configuration file cannot be read'),
  CHECKPOINT_INVALID: code(ERROR, 'local', false, 'the audit checkpoint file cannot be read or written'),
  OUTPUT_FAILED: code(ERROR, 'output', false, 'writing the output failed'),
  // exits of their own
  ALERT: code(ALERT, 'output', false, 'an alert fired (`audit watch --exit-on-alert`)'),
  INTERRUPTED: code(INTERRUPTED, 'interrupted', false, 'interrupted (Ctrl-C)'),
  OUTPUT_CLOSED: code(OUTPUT_CLOSED, 'output', false, 'stdout was closed by the program reading it'),
} as const satisfies Record<string, CodeInfo>

/** A code of the client's own; a typo does not compile. */
export type ErrorCode = keyof typeof CODES

/** The codes whose exit code is E: an error class takes only these. */
export type CodeExiting<E extends ExitCodeValue> = {[K in ErrorCode]: (typeof CODES)[K]['exit'] extends E ? K : never}[ErrorCode]

export const isErrorCode = (value: unknown): value is ErrorCode => typeof value === 'string' && Object.hasOwn(CODES, value)
