// The HTTP stack's interface; the implementation (undici) is loaded only by commands that talk to a server.
import type {Dispatcher} from 'undici'

export interface HttpRequestInit extends RequestInit {
  /** Sent as x-correlation-id; a fresh one is generated when absent. */
  correlationId?: string
}

export interface Http {
  /** The undici dispatcher: system CAs plus the profile's CA, proxies from the environment, .localhost → loopback. */
  readonly dispatcher: Dispatcher
  /**
   * fetch over the dispatcher, with user-agent and x-correlation-id set, traced under --debug.
   * Network failures reject with an UnreachableError (exit 8) whose code says why: CONNECTION_REFUSED,
   * DNS_FAILED, TLS_VERIFY_FAILED, TLS_FAILED, TIMEOUT, CONNECTION_RESET, NETWORK_UNREACHABLE, PROXY_FAILED, UNREACHABLE.
   */
  fetch(input: string | URL, init?: HttpRequestInit): Promise<Response>
  close(): Promise<void>
}

export interface HttpTimeouts {
  /** Milliseconds to open a connection (TCP and TLS); undici's default is 10 s. */
  connect?: number
  /** Milliseconds to wait for response headers; 0 disables; undici's default is 300 s. */
  headers?: number
  /** Milliseconds allowed between body chunks; 0 disables (for streams); undici's default is 300 s. */
  body?: number
}

export interface HttpOptions {
  env: NodeJS.ProcessEnv
  /** Extra trusted CA certificates (PEM), added to the system's. */
  ca?: string
  userAgent: string
  debug: import('../io/debug-log.js').DebugLog
  timeouts?: HttpTimeouts
}
