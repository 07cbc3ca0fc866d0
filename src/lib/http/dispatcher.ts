// The undici dispatcher: certificates always verified, system CAs plus an extra CA, .localhost → loopback, proxies from the given environment.
import {isIP} from 'node:net'
import {createSecureContext, rootCertificates, type SecureContext} from 'node:tls'
import {Agent, EnvHttpProxyAgent, type Dispatcher} from 'undici'

import {UsageError} from '../errors/index.js'
import {localhostLookup, type LookupFunction} from './localhost-lookup.js'
import {proxySettingsFromEnv, type ProxySettings} from './proxy-env.js'
import type {HttpTimeouts} from './types.js'
import {keepWasmOnBaselineTier} from './wasm-tiering.js'

export interface DispatcherOptions {
  env: NodeJS.ProcessEnv
  /** Extra trusted CA certificates (PEM), added to — never replacing — the system's. */
  ca?: string
  timeouts?: HttpTimeouts
  /** Name resolution for direct connections; .localhost-aware by default. */
  lookup?: LookupFunction
}

export interface CreatedDispatcher {
  dispatcher: Dispatcher
  /** The proxies in use, or undefined for direct connections. */
  proxy?: ProxySettings
}

/** The trusted roots: Node's bundled system CAs, plus the extra PEM when given. */
export function trustedCAs(extraPem?: string): string[] {
  return extraPem?.trim() ? [...rootCertificates, extraPem] : [...rootCertificates]
}

/** Node options that change its default root store (then the bundled roots are listed explicitly, as trustedCAs has them). */
const ROOT_STORE_OPTIONS = /--use-(openssl|system|bundled)-ca\b/

/**
 * The one TLS context of a dispatcher, shared by all its connections: the same trust as `ca: trustedCAs(extraPem)`.
 * Listing Node's ~140 bundled roots as PEM strings costs ~20 ms of parsing per context, so the context starts from
 * Node's default store (those roots, parsed natively) and adds the extra CA to its own copy of it. When Node's default
 * store holds anything else (NODE_EXTRA_CA_CERTS, --use-openssl-ca …) or the native method is missing, the roots
 * are listed.
 */
export function trustedContext(extraPem?: string, env: NodeJS.ProcessEnv = process.env): SecureContext {
  const defaultIsBundled = !env.NODE_EXTRA_CA_CERTS && !ROOT_STORE_OPTIONS.test([...process.execArgv, env.NODE_OPTIONS ?? ''].join(' '))
  if (defaultIsBundled) {
    const context = createSecureContext()
    const native = (context as SecureContext & {context?: {addCACert?: (pem: string) => void}}).context
    if (!extraPem?.trim()) return context
    if (typeof native?.addCACert === 'function') {
      native.addCACert(extraPem)
      return context
    }
  }
  return createSecureContext({ca: trustedCAs(extraPem)})
}

/**
 * PPCTL_SOURCE_ADDRESS: the local address ppctl's connections leave from (a machine with several addresses, or the
 * tests' 127.0.0.x sources in front of an IP firewall); undefined lets the system choose.
 */
function sourceAddressOf(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.PPCTL_SOURCE_ADDRESS?.trim()
  if (!value) return undefined
  if (isIP(value) === 0)
    throw new UsageError('INVALID_ENVIRONMENT', `PPCTL_SOURCE_ADDRESS is not an IP address: ${JSON.stringify(value.slice(0, 64))}.`, {
      nextStep: "Give one of this machine's addresses, e.g. PPCTL_SOURCE_ADDRESS=127.0.0.2, or unset it.",
    })
  return value
}

export function createDispatcher(options: DispatcherOptions): CreatedDispatcher {
  keepWasmOnBaselineTier()
  const secureContext = trustedContext(options.ca)
  const source = sourceAddressOf(options.env)
  const localAddress = source ? {localAddress: source} : {}
  const lookup = (options.lookup ?? localhostLookup) as never
  const t = options.timeouts ?? {}
  const common = {
    ...localAddress,
    ...(t.headers === undefined ? {} : {headersTimeout: t.headers}),
    ...(t.body === undefined ? {} : {bodyTimeout: t.body}),
  }
  const timeout = t.connect === undefined ? {} : {timeout: t.connect}
  // rejectUnauthorized is set on every TLS connector, never left to its default: Node's default follows the
  // NODE_TLS_REJECT_UNAUTHORIZED variable, and a man in the middle would then read tokens and assertions.
  const verify = {rejectUnauthorized: true} as const
  const connect = {secureContext, lookup, ...verify, ...timeout}
  const proxy = proxySettingsFromEnv(options.env)
  if (!proxy) return {dispatcher: new Agent({...common, connect})}
  // EnvHttpProxyAgent gives `connect` to its direct Agent only. Through a proxy, ProxyAgent builds its own
  // connectors: `proxyTls` for the socket to the proxy, `requestTls` for the TLS to the target inside the
  // CONNECT tunnel (the proxy resolves the target's name; `lookup` only matters for the proxy's own name).
  // The explicit httpProxy/httpsProxy/noProxy stop undici from reading process.env instead of options.env.
  const dispatcher = new EnvHttpProxyAgent({
    ...common,
    connect,
    proxyTls: {secureContext, lookup, ...verify, ...timeout},
    requestTls: {secureContext, ...verify, ...timeout},
    httpProxy: proxy.httpProxy,
    httpsProxy: proxy.httpsProxy,
    noProxy: proxy.noProxy,
  })
  return {dispatcher, proxy}
}
