// A test-side HTTPS client that trusts a given CA and resolves *.localhost to 127.0.0.1 (independent of src/lib/http).
import {lookup as dnsLookup} from 'node:dns'
import {Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit} from 'undici'

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | Array<{address: string; family: number}>, family?: number) => void

function loopbackLookup(hostname: string, options: {all?: boolean} | LookupCallback, callback?: LookupCallback): void {
  const cb = (typeof options === 'function' ? options : callback) as LookupCallback
  const all = typeof options === 'object' && options?.all
  if (/(^|\.)localhost\.?$/i.test(hostname)) {
    if (all) cb(null, [{address: '127.0.0.1', family: 4}])
    else cb(null, '127.0.0.1', 4)
    return
  }
  dnsLookup(hostname, options as never, cb as never)
}

export interface TestClient {
  fetch(url: string, init?: UndiciRequestInit): Promise<Awaited<ReturnType<typeof undiciFetch>>>
  close(): Promise<void>
}

export function testClient(caPem: string): TestClient {
  const agent = new Agent({connect: {ca: caPem, lookup: loopbackLookup as never}})
  return {
    fetch: (url, init) => undiciFetch(url, {...init, dispatcher: agent}),
    close: () => agent.close(),
  }
}
