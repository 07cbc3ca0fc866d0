// The cluster allow-list: a URI from the global service is data, and must pass before any byte is sent to it.
import {isIP} from 'node:net'

import {UnreachableError} from '../errors/index.js'
import {sanitizeOneLine} from '../output/sanitize.js'

export interface AllowListPolicy {
  /** Host patterns: "*.clusters.example.com" (one label) or an exact host. */
  patterns: readonly string[]
  allowIpLiterals?: boolean
}

export class ClusterUriRefusedError extends UnreachableError {
  constructor(uri: string, reason: string) {
    super('CLUSTER_URI_REFUSED', `Refused the cluster URI "${sanitizeOneLine(uri).slice(0, 200)}": ${reason}.`, {
      nextStep:
        'Nothing was sent to it. If the platform really moved, add its host to the profile: ppctl config set cluster-allow-list "*.clusters.example.com"',
    })
  }
}

/** A host in the form the URL parser produces (lower case, IDNA A-labels), or undefined when it is not a host name. */
function normalizeHost(host: string): string | undefined {
  try {
    return new URL(`https://${host}/`).hostname
  } catch {
    return undefined
  }
}

function matches(host: string, pattern: string): boolean {
  if (pattern.startsWith('*.')) {
    const suffix = normalizeHost(pattern.slice(2))
    if (!suffix || !host.endsWith(`.${suffix}`)) return false
    const label = host.slice(0, -suffix.length - 1)
    return label.length > 0 && !label.includes('.')
  }
  return host === normalizeHost(pattern)
}

/** Returns the URI as a URL when it passes the policy; throws ClusterUriRefusedError (exit 8) otherwise. */
export function assertAllowedClusterUri(uri: string, policy: AllowListPolicy): URL {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw new ClusterUriRefusedError(uri, 'it is not a valid URL')
  }
  if (url.protocol !== 'https:') throw new ClusterUriRefusedError(uri, `only https is allowed, not ${url.protocol.replace(':', '')}`)
  if (url.username || url.password) throw new ClusterUriRefusedError(uri, 'it carries user information')
  const host = url.hostname
  if (host.endsWith('.')) throw new ClusterUriRefusedError(uri, 'its host ends with a dot')
  const bare = host.startsWith('[') ? host.slice(1, -1) : host
  if (isIP(bare)) {
    if (!policy.allowIpLiterals) throw new ClusterUriRefusedError(uri, 'its host is an IP address, and the profile does not allow IP literals')
    return url
  }
  if (policy.patterns.length === 0) throw new ClusterUriRefusedError(uri, 'the profile has no cluster allow-list')
  if (!policy.patterns.some((p) => matches(host, p))) {
    const shown = host.startsWith('xn--') || host.includes('.xn--') ? `${host} (an internationalized name)` : host
    throw new ClusterUriRefusedError(uri, `its host ${shown} matches none of ${policy.patterns.join(', ')}`)
  }
  return url
}
