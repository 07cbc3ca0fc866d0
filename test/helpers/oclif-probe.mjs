// Preloaded into a CLI child (NODE_OPTIONS=--import=…): at exit, appends to PROBE_OCLIF_FILE whether @oclif/core was loaded.
// @oclif/core is CommonJS, so every module of it that the process loaded is in require.cache. With PROBE_FETCH_FILE, it
// also appends whether Node's built-in fetch (its own copy of undici, loaded on first use of fetch, Headers …) was loaded.
import {appendFileSync} from 'node:fs'
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
process.on('exit', () => {
  const loaded = Object.keys(require.cache).some((file) => file.includes('@oclif/core'))
  appendFileSync(process.env.PROBE_OCLIF_FILE, loaded ? 'oclif\n' : 'fast\n')
  if (process.env.PROBE_FETCH_FILE) {
    const builtin = process.moduleLoadList.includes('NativeModule internal/deps/undici/undici')
    appendFileSync(process.env.PROBE_FETCH_FILE, builtin ? 'built-in fetch\n' : 'no built-in fetch\n')
  }
})
