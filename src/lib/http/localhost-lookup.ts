// Name resolution for sockets: `localhost` and `*.localhost` go to the loopback address without DNS (RFC 6761).
import {lookup as dnsLookup, type LookupAddress, type LookupOptions} from 'node:dns'

export type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/** The shape of `lookup` in net/tls connect options (and so in undici's `connect`), also callable like dns.lookup. */
export type LookupFunction = (hostname: string, options: LookupOptions | number | LookupCallback, callback?: LookupCallback) => void

/** True for `localhost` and any name under `.localhost`, in any case, with or without a trailing dot. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || name.endsWith('.localhost')
}

function wantsIPv6(family: LookupOptions['family']): boolean {
  return family === 6 || family === 'IPv6'
}

/**
 * A lookup that answers loopback for `.localhost` names and hands every other name to `delegate`
 * (dns.lookup by default), with the caller's arguments unchanged.
 */
export function createLocalhostLookup(delegate: LookupFunction = dnsLookup as unknown as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    if (!isLocalhostName(hostname)) {
      if (callback === undefined) delegate(hostname, options)
      else delegate(hostname, options, callback)
      return
    }
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback | undefined
    if (typeof cb !== 'function') throw new TypeError('lookup: a callback is required')
    const opts: LookupOptions = typeof options === 'number' ? {family: options} : typeof options === 'object' && options !== null ? options : {}
    const [address, family] = wantsIPv6(opts.family) ? ['::1', 6] : ['127.0.0.1', 4]
    // Asynchronous like dns.lookup, so callers never see the callback run before the call returns.
    process.nextTick(() => {
      if (opts.all) cb(null, [{address, family}])
      else cb(null, address, family)
    })
  }
}

/** The lookup ppctl's sockets use. */
export const localhostLookup: LookupFunction = createLocalhostLookup()
