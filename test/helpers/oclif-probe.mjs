// Preloaded into a CLI child (NODE_OPTIONS=--import=…): at exit, appends to PROBE_OCLIF_FILE whether @oclif/core was loaded.
// @oclif/core is CommonJS, so every module of it that the process loaded is in require.cache.
import {appendFileSync} from 'node:fs'
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
process.on('exit', () => {
  const loaded = Object.keys(require.cache).some((file) => file.includes('@oclif/core'))
  appendFileSync(process.env.PROBE_OCLIF_FILE, loaded ? 'oclif\n' : 'fast\n')
})
