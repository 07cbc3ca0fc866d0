// A test-side HTTPS client that trusts only a given CA and resolves *.localhost to loopback (ppctl's lookup, not its HTTP stack).
import {Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit} from 'undici'

import {localhostLookup} from '../../src/lib/http/localhost-lookup.js'

export interface TestClient {
  fetch(url: string, init?: UndiciRequestInit): Promise<Awaited<ReturnType<typeof undiciFetch>>>
  close(): Promise<void>
}

export function testClient(caPem: string): TestClient {
  const agent = new Agent({connect: {ca: caPem, lookup: localhostLookup}})
  return {
    fetch: (url, init) => undiciFetch(url, {...init, dispatcher: agent}),
    close: () => agent.close(),
  }
}
