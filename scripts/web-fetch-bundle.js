// src/lib/http/web-fetch.ts in the fast path's bundle (scripts/bundle-fast-path.js maps it here): fetch and Headers
// from the undici package the bundle's dispatcher comes from (the lean undici), instead of Node's built-in copy of
// undici, which would be compiled and initialized as well (~30 ms of a warm command). Same exports as the module.
import {fetch, Headers} from './undici-fast-path.js'

/** undici's fetch. */
export const webFetch = (input, init) => fetch(input, init)

/** `new Headers(init)`, undici's. */
export const headersOf = (init) => new Headers(init)
