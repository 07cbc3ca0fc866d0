// The checks of URL and allow-list values, shared by `config set` and the PPCTL_* environment overrides.
import type {UsageError} from '../errors/index.js'

/** An https URL without credentials, query or fragment; `invalid` builds the error for the caller's context. */
export function parseHttpsUrl(value: string, invalid: (why: string) => UsageError): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid(`"${value}" is not a URL.`)
  }
  if (url.protocol !== 'https:') throw invalid(`it must use https, not ${url.protocol.replace(/:$/, '')}.`)
  // Credentials in a URL end up in shell history, logs and traces.
  if (url.username || url.password) throw invalid('it must not contain a user name or password.')
  if (url.hash) throw invalid('it must not contain a #fragment.')
  if (url.search) throw invalid('it must not contain a ?query.')
  return value
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

/** Host names and "*.domain" patterns, lower-cased, without duplicates. */
export function parseAllowList(value: string, invalid: (why: string) => UsageError): string[] {
  const patterns: string[] = []
  for (const part of value.split(',')) {
    const pattern = part.trim().toLowerCase().replace(/\.$/, '')
    if (pattern === '') continue
    const wildcard = pattern.startsWith('*.')
    const labels = (wildcard ? pattern.slice(2) : pattern).split('.')
    if (!labels.every((l) => LABEL.test(l))) {
      throw invalid(`"${part.trim()}" is not a host name or a "*.domain" pattern (no scheme, port, path or inner "*").`)
    }
    if (/^\d+$/.test(labels[labels.length - 1])) throw invalid(`"${part.trim()}" is an IP address; the allow-list takes host names (see allow-ip-literals).`)
    if (wildcard && labels.length < 2) throw invalid(`"${part.trim()}" is too broad: a wildcard needs at least two labels after it.`)
    if (!patterns.includes(pattern)) patterns.push(pattern)
  }
  if (patterns.length === 0) throw invalid('it lists no host pattern.')
  return patterns
}
