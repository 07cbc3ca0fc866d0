// The HTTP stack's interface; the implementation (undici) is loaded only by commands that talk to a server.
import type {Dispatcher} from 'undici'

import type {Clock} from '../clock.js'
import type {RetryPolicy} from './retry.js'

export interface HttpRequestInit extends RequestInit {
  /** Sent as x-correlation-id; a fresh one is generated when absent. */
  correlationId?: string
  /** false: send once, even when the request may be retried (probes that measure one attempt, e.g. route diagnose). */
  retries?: boolean
  /**
   * The access token to send: `Authorization: Bearer <token>`, or with a DPoP key `Authorization: DPoP <token>` and a
   * fresh `DPoP` proof for each attempt and hop (see RequestAuth). Never sent to another origin after a redirect.
   */
  auth?: RequestAuth
}

/** An access token and, when it is DPoP-bound (RFC 9449), the key that proves possession of it. */
export interface RequestAuth {
  token: string
  dpop?: DpopProver
}

/** Signs DPoP proofs with one key, and keeps the nonce each origin asked for. */
export interface DpopProver {
  /** A new proof (fresh jti and iat) for this method and URL, bound to `accessToken` (ath), with the origin's nonce. */
  proof(htm: string, url: URL, accessToken?: string): Promise<string>
  /** Records the `DPoP-Nonce` an origin sent, for its next proofs. */
  rememberNonce(url: URL, nonce: string): void
}

export interface Http {
  /** The undici dispatcher: system CAs plus the profile's CA, proxies from the environment, .localhost → loopback. */
  readonly dispatcher: Dispatcher
  /**
   * fetch over the dispatcher, with user-agent and x-correlation-id set, traced under --debug, and:
   * - retries (backoff with jitter; Retry-After honoured) for idempotent requests and POSTs with an Idempotency-Key,
   *   on connection errors, 429, 502, 503 and 504; past the cap a ThrottledError (exit 9);
   * - timeouts for connect, headers and body (see HttpTimeouts) whose errors name the host;
   * - redirects followed by ppctl itself (unless `redirect: 'manual' | 'error'` is asked): `Authorization`, `DPoP`,
   *   `Cookie` and `Proxy-Authorization` are never sent to another origin, and https → http is refused (exit 8).
   * Network failures reject with an UnreachableError (exit 8) whose code says why: CONNECTION_REFUSED,
   * DNS_FAILED, TLS_VERIFY_FAILED, TLS_FAILED, TIMEOUT, CONNECTION_RESET, NETWORK_UNREACHABLE, PROXY_FAILED,
   * UNREACHABLE, REDIRECT_REFUSED, TOO_MANY_REDIRECTS.
   */
  fetch(input: string | URL, init?: HttpRequestInit): Promise<Response>
  /**
   * Opens a long-lived response (Server-Sent Events, downloads): the same stack as `fetch` — CA, proxy, traces,
   * redirect rules, connect and headers timeouts — but with NO body timeout and NO retries: the caller reads the
   * body as long as it likes and decides itself how to resume (e.g. with Last-Event-ID). Abort with `init.signal`.
   */
  stream(input: string | URL, init?: HttpRequestInit): Promise<Response>
  close(): Promise<void>
}

export interface HttpTimeouts {
  /** Milliseconds to open a connection (TCP and TLS); default 10 s. */
  connect?: number
  /** Milliseconds to wait for response headers; 0 disables; default 30 s. */
  headers?: number
  /** Milliseconds allowed between body chunks; 0 disables; default 30 s (streams: always disabled). */
  body?: number
}

export interface HttpOptions {
  env: NodeJS.ProcessEnv
  /** Extra trusted CA certificates (PEM), added to the system's. */
  ca?: string
  userAgent: string
  debug: import('../io/debug-log.js').DebugLog
  /**
   * Overrides the defaults and PPCTL_HTTP_TIMEOUT_MS (one number of milliseconds for connect, headers and body)
   * and PPCTL_HTTP_CONNECT_TIMEOUT_MS / PPCTL_HTTP_HEADERS_TIMEOUT_MS / PPCTL_HTTP_BODY_TIMEOUT_MS.
   */
  timeouts?: HttpTimeouts
  /** For the waits between retries; the system clock by default (tests inject one). */
  clock?: Clock
  /** Overrides the retry policy (attempts, delays, the Retry-After cap). */
  retry?: Partial<RetryPolicy>
}
