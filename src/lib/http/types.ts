// The HTTP stack's interface; the implementation (undici) is loaded only by commands that talk to a server.
import type {Dispatcher} from 'undici'

export interface HttpRequestInit extends RequestInit {
  /** Sent as x-correlation-id; a fresh one is generated when absent. */
  correlationId?: string
}

export interface Http {
  /** The undici dispatcher: system CAs plus the profile's CA, proxies from the environment, .localhost → loopback. */
  readonly dispatcher: Dispatcher
  /** fetch over the dispatcher, with user-agent and x-correlation-id set, traced under --debug. */
  fetch(input: string | URL, init?: HttpRequestInit): Promise<Response>
  close(): Promise<void>
}

export interface HttpOptions {
  env: NodeJS.ProcessEnv
  /** Extra trusted CA certificates (PEM), added to the system's. */
  ca?: string
  userAgent: string
  debug: import('../io/debug-log.js').DebugLog
}
