// What bin/run.js needs before the fast path's bundle, bundled as dist/fast-path-loader.cjs (CommonJS, so that a warm
// command never starts Node's ES module loader): where the code caches live, and compiling and running the bundle
// with one. The build makes the bundle's own code cache with the same function (scripts/bundle-fast-path.js).
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {Script} from 'node:vm'

import {keepWasmOnBaselineTier} from './lib/http/wasm-tiering.js'

export {resolvePaths} from './lib/config/paths.js'

export interface LoadedBundle {
  /** The bundle's module.exports (tryFastPath …). */
  exports: Record<string, unknown>
  /** The compiled script: whether V8 took the cache (cachedDataRejected), and a new cache of it (createCachedData). */
  script: Script
}

/**
 * Compiles the bundle's source as a CommonJS module (as Node would wrap it) with `cachedData` when given, and runs it.
 * V8 takes a cache only under the flags it was made with: the HTTP stack's (lib/http/wasm-tiering.ts) are set first,
 * in every run and in the build, or a cache made by a command that sent a request would be refused by the next run.
 */
export function runBundle(file: string, source: string, cachedData?: Buffer): LoadedBundle {
  keepWasmOnBaselineTier()
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {filename: file, cachedData})
  const bundle = {exports: {}}
  script.runInThisContext().call(bundle.exports, bundle.exports, createRequire(file), bundle, file, dirname(file))
  return {exports: bundle.exports, script}
}
