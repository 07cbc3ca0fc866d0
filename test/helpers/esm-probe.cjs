// Preloaded into a CLI child (NODE_OPTIONS=--require=…; CommonJS, so that the probe itself loads no ES module): at
// exit, appends to PROBE_ESM_FILE whether the process loaded an ES module. Where Node has synchronous module hooks
// (22.15+), a load hook sees each module's format; Node 20 has none, but starts its ES module jobs only for one.
'use strict'
const {appendFileSync} = require('node:fs')
const nodeModule = require('node:module')

let esm = false
if (typeof nodeModule.registerHooks === 'function') {
  nodeModule.registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context)
      if (loaded.format === 'module') esm = true
      return loaded
    },
  })
}
process.on('exit', () => {
  if (typeof nodeModule.registerHooks !== 'function') esm = process.moduleLoadList.includes('NativeModule internal/modules/esm/module_job')
  appendFileSync(process.env.PROBE_ESM_FILE, esm ? 'esm\n' : 'no esm\n')
})
