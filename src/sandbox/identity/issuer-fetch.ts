// How the identity reaches an external token issuer (federation): the system CAs plus the platform's own (its CI
// issuer), `.localhost` names on the loopback address (RFC 6761), no redirects, bounded waits.
import {lookup as dnsLookup, type LookupAddress, type LookupOptions} from 'node:dns'
import {rootCertificates} from 'node:tls'

import {Agent, fetch} from 'undici'

import type {IssuerFetch} from './federation.js'

type Callback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

function localhostLookup(hostname: string, options: LookupOptions, callback: Callback): void {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  if (name === 'localhost' || name.endsWith('.localhost')) {
    if (options.all) callback(null, [{address: '127.0.0.1', family: 4}])
    else callback(null, '127.0.0.1', 4)
    return
  }
  dnsLookup(hostname, options, callback as never)
}

export function createIssuerFetch(caPem: string): {fetch: IssuerFetch; close(): Promise<void>} {
  const agent = new Agent({connect: {ca: [...rootCertificates, caPem], lookup: localhostLookup as never}, headersTimeout: 10_000, bodyTimeout: 10_000})
  return {
    fetch: (url) => fetch(url, {dispatcher: agent, redirect: 'error'}) as unknown as Promise<Response>,
    close: () => agent.close(),
  }
}
