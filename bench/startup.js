#!/usr/bin/env node
// Start-up time of the built CLI against the floor of `node -e 0`, measured in the same run (run `npm run build` first).
//
// Usage: node bench/startup.js [--runs N] [--warmup N] [--json]
// Each case runs N times after the warm-ups, interleaved, so that drift in the machine's load spreads over all
// cases alike. Prints the median wall time of each and its ratio to the floor.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, benchOptions, printResults, requireBuild, timeCases} from './lib/ratios.js'

/** The goal for --version and --help, as a multiple of the node floor. */
const GOAL_RATIO = 2.3

const options = benchOptions()
requireBuild()

const configDir = mkdtempSync(join(tmpdir(), 'ppctl-bench-'))
// A clean environment, as on a user's machine, decides the goals: variables like NODE_EXTRA_CA_CERTS (which loads a
// whole CA bundle at every start, ~30 ms on this machine) slow the floor and every case alike and flatter the ratio.
// The machine's own environment is measured too, for comparison with figures taken in it.
const cleanEnv = {PATH: process.env.PATH, HOME: configDir, PPCTL_CONFIG_DIR: configDir, NO_COLOR: '1', CI: '1', LANG: 'C.UTF-8'}
const machineEnv = {...process.env, PPCTL_CONFIG_DIR: configDir, NO_COLOR: '1', CI: '1'}
delete machineEnv.NODE_OPTIONS

const cases = [
  {name: 'node -e 0 (floor)', args: ['-e', '0']},
  {name: 'ppctl --version', args: [BIN, '--version'], goal: GOAL_RATIO},
  {name: 'ppctl --help', args: [BIN, '--help'], goal: GOAL_RATIO},
  {name: 'ppctl config list', args: [BIN, 'config', 'list']},
  // What loading oclif alone costs: the part of --help that no code of ppctl's can remove.
  {name: 'oclif alone (import)', args: ['--input-type=module', '-e', "await import('@oclif/core/execute')"]},
]

try {
  printResults(timeCases(cases, cleanEnv, options), {...options, title: 'Clean environment (the goals apply here)'})
  const extra = Object.keys(machineEnv).filter((k) => /^NODE_/.test(k))
  if (extra.length > 0) {
    const goalless = cases.map(({goal: _goal, ...c}) => c)
    printResults(timeCases(goalless, machineEnv, options), {...options, title: `This machine's environment (${extra.join(', ')} set)`})
  }
} finally {
  rmSync(configDir, {recursive: true, force: true})
}
