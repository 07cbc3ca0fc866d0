// CIDR ranges of the IP firewall (IPv4 and IPv6) with ipaddr.js: parsing with a clear reason, matching, and the canonical form of an address.
import ipaddr from 'ipaddr.js'

export type Address = ipaddr.IPv4 | ipaddr.IPv6

export interface ParsedRange {
  /** The canonical text: `10.1.0.0/16`, `2001:db8::/32`; a bare address gets /32 or /128. */
  cidr: string
  address: Address
  prefix: number
}

/** The address a socket or a header names, as the firewall compares it: an IPv4-mapped IPv6 address is its IPv4 one. */
export function parseAddress(text: string): Address | undefined {
  const t = text.trim().replace(/^\[(.*)\]$/, '$1')
  // ipaddr.isValid accepts the old forms (`10.1`, `0x0a.1.2.3`); the firewall takes only the four-part dotted form.
  if (!ipaddr.IPv6.isValid(t) && !ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined
  try {
    return ipaddr.process(t)
  } catch {
    return undefined
  }
}

/** Canonical text of an address (IPv4 dotted, IPv6 compressed). */
export const addressText = (a: Address) => a.toString()

/** A range, or why it is not one (a sentence fragment naming what is wrong). */
export function parseRange(text: string): {range: ParsedRange} | {error: string} {
  const t = text.trim()
  if (t === '') return {error: 'an empty range'}
  const slash = t.indexOf('/')
  const addrText = slash === -1 ? t : t.slice(0, slash)
  const prefixText = slash === -1 ? undefined : t.slice(slash + 1)
  const address = parseAddress(addrText)
  if (!address) return {error: `"${addrText}" is not an IPv4 or IPv6 address`}
  const max = address.kind() === 'ipv4' ? 32 : 128
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return {error: `"/${prefixText}" is not a prefix length (0-${max})`}
  const prefix = prefixText === undefined ? max : Number(prefixText)
  if (prefix > max) return {error: `prefix length ${prefix} is over ${max} for an ${address.kind() === 'ipv4' ? 'IPv4' : 'IPv6'} address`}
  // An IPv4-mapped IPv6 range (::ffff:10.0.0.0/104) is its IPv4 range, as its addresses are.
  const kindPrefix = address.kind() === 'ipv4' && addrText.includes(':') ? Math.max(0, prefix - 96) : prefix
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${kindPrefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${kindPrefix}`)
  return {range: {cidr: `${network.toString()}/${kindPrefix}`, address: network, prefix: kindPrefix}}
}

function inRange(address: Address, range: ParsedRange): boolean {
  return address.kind() === range.address.kind() && address.match(range.address, range.prefix)
}

/** The first range holding the address, or undefined. */
export function firstMatch(address: Address, ranges: readonly ParsedRange[]): ParsedRange | undefined {
  return ranges.find((r) => inRange(address, r))
}
