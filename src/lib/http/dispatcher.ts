// The undici dispatcher: certificates always verified, Node's trust store plus an extra CA, .localhost → loopback, proxies from the given environment.
import {readFileSync} from 'node:fs'
import {isIP} from 'node:net'
import {createSecureContext, rootCertificates, type SecureContext} from 'node:tls'
import {Agent, buildConnector, EnvHttpProxyAgent, type Dispatcher} from 'undici'

import {UsageError} from '../errors/index.js'
import {localhostLookup, type LookupFunction} from './localhost-lookup.js'
import {isChainVerifyError} from './network-error.js'
import {proxySettingsFromEnv, type ProxySettings} from './proxy-env.js'
import type {HttpTimeouts} from './types.js'
import {keepWasmOnBaselineTier} from './wasm-tiering.js'

export interface DispatcherOptions {
  env: NodeJS.ProcessEnv
  /** Extra trusted CA certificates (PEM), added to — never replacing — Node's trust store. */
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

/** Node's bundled roots plus the extra PEM when given: what trustedContext trusts when it cannot use Node's store. */
export function trustedCAs(extraPem?: string): string[] {
  return extraPem?.trim() ? [...rootCertificates, extraPem] : [...rootCertificates]
}

/** NODE_EXTRA_CA_CERTS's certificates (PEM), or undefined when it is unset or unreadable (Node then warned at start). */
function nodeExtraCAs(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.NODE_EXTRA_CA_CERTS
  if (!file) return undefined
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** A TLS context and, when it leaves NODE_EXTRA_CA_CERTS out for now, the way to add them (see trustedContext). */
interface Trust {
  context: SecureContext
  /** True once the context trusts all it should (from the start when nothing was left out). */
  whole: boolean
  /** Adds what was left out; false when nothing was (so a retry would see the same verdict). */
  widen(): boolean
}

function trustOf(extraPem: string | undefined, env: NodeJS.ProcessEnv): Trust {
  const context = createSecureContext()
  const nothingLeft: Trust = {context, whole: true, widen: () => false}
  if (!extraPem?.trim()) return nothingLeft
  const native = (context as SecureContext & {context?: {addCACert?: (pem: string) => void}}).context
  if (typeof native?.addCACert !== 'function') {
    const nodeExtra = nodeExtraCAs(env)
    return {...nothingLeft, context: createSecureContext({ca: [...trustedCAs(extraPem), ...(nodeExtra ? [nodeExtra] : [])]})}
  }
  native.addCACert(extraPem)
  if (!env.NODE_EXTRA_CA_CERTS) return nothingLeft
  const trust: Trust = {
    context,
    whole: false,
    widen() {
      if (!trust.whole) {
        trust.whole = true
        const nodeExtra = nodeExtraCAs(env)
        try {
          if (nodeExtra) native.addCACert!(nodeExtra)
        } catch {
          // A file Node could not read at start either (it warned then, and trusts none of it): the same here.
        }
      }
      return true
    },
  }
  return trust
}

/**
 * The TLS context of ppctl's connections: Node's trust store — its bundled roots plus NODE_EXTRA_CA_CERTS (how a
 * Node program is told of a company's CA), or the system's with --use-openssl-ca — and the extra PEM (the profile's
 * ca-file). Node parses its store once per process (~25 ms; at start when NODE_EXTRA_CA_CERTS is set), so a context
 * without an extra PEM costs ~1 ms, and one with it ~2 ms: the PEM goes into the context's own copy of the store.
 * Node's copy leaves NODE_EXTRA_CA_CERTS out, so those certificates are added to it again (parsed again: ~20 ms for
 * a system bundle). Only if Node lacks the native method are the bundled roots listed.
 */
export function trustedContext(extraPem?: string, env: NodeJS.ProcessEnv = process.env): SecureContext {
  const trust = trustOf(extraPem, env)
  trust.widen()
  return trust.context
}

/**
 * Direct connections with an extra PEM and NODE_EXTRA_CA_CERTS: the context starts without the latter (~20 ms of
 * parsing that the local platform, signed by the profile's CA, never needs), and a connection whose chain that
 * context does not verify is made again once all of it is in. What verifies without them verifies with them (more
 * trusted CAs, never fewer), so every connection gets the verdict of the full trust; a server's name is checked
 * either way.
 */
function verifyingConnector(trust: Trust, options: buildConnector.BuildOptions): buildConnector.connector {
  const connect = buildConnector(options)
  return (opts, callback) => {
    const partial = !trust.whole
    connect(opts, (...result) => {
      if (result[0] && partial && isChainVerifyError(result[0]) && trust.widen()) connect(opts, callback)
      else callback(...result)
    })
  }
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
  const proxy = proxySettingsFromEnv(options.env)
  const trust = trustOf(options.ca, options.env)
  // Through a proxy, undici builds the connectors itself (from options): the context has all of its trust at once.
  if (proxy) trust.widen()
  const secureContext = trust.context
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
  if (!proxy) return {dispatcher: new Agent({...common, connect: trust.whole ? connect : verifyingConnector(trust, connect)})}
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
