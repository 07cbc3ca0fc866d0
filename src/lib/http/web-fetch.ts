// The fetch and Headers the HTTP stack uses. Here, Node's globals, looked up at each call: in-process tests mock
// globalThis.fetch (nock 14), and a command that sends nothing never loads them (Node's fetch is its own copy of
// undici, compiled on first use). The fast path's bundle replaces this module by scripts/web-fetch-bundle.js: the
// same two from the undici package its dispatcher already comes from, so a warm command loads one undici, not two.

/** `globalThis.fetch`, as it is when called. */
export const webFetch: typeof fetch = (input, init) => globalThis.fetch(input, init)

/** `new Headers(init)`. */
export const headersOf = (init?: ConstructorParameters<typeof Headers>[0]): Headers => new globalThis.Headers(init)
