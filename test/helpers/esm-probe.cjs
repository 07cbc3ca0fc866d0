// Preloaded into a CLI child (NODE_OPTIONS=--require=…; CommonJS, so that the probe itself starts no ES module
// loader): at exit, appends to PROBE_ESM_FILE whether the process loaded an ES module (Node's module jobs ran).
'use strict'
const {appendFileSync} = require('node:fs')

process.on('exit', () => {
  const esm = process.moduleLoadList.includes('NativeModule internal/modules/esm/module_job')
  appendFileSync(process.env.PROBE_ESM_FILE, esm ? 'esm\n' : 'no esm\n')
})
