// Preloaded into a CLI child (NODE_OPTIONS=--require=…): appends to PROBE_CODE_CACHE_FILE, for every vm.Script
// compiled with a code cache, whether V8 took it ("taken") or refused it ("refused"), and "none" for one without.
'use strict'
const {appendFileSync} = require('node:fs')
const vm = require('node:vm')

const Script = vm.Script
vm.Script = class ProbedScript extends Script {
  constructor(code, options) {
    super(code, options)
    const verdict = options?.cachedData ? (this.cachedDataRejected ? 'refused' : 'taken') : 'none'
    appendFileSync(process.env.PROBE_CODE_CACHE_FILE, `${verdict}\n`)
  }
}
