#!/usr/bin/env node
// Warm-path time of `ppctl route show` (token and route cached) against the floor of `node -e 0`, in the same run.
//
// Usage: node bench/warm.js [--runs N] [--warmup N] [--json]   (run `npm run build` first)
// Starts its own local platform (`sandbox start --port 0` in a temp folder), signs in with the device flow
// (approved with `sandbox approve`), fills the routing cache once, then times the cases interleaved, as startup.js does.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {benchEnv, signIn} from './lib/ppctl.js'
import {BIN, benchOptions, printResults, requireBuild, timeCases} from './lib/ratios.js'

/** The goal for a warm command, as a multiple of the node floor. */
const GOAL_RATIO = 3.5

const options = benchOptions()
requireBuild()

const home = mkdtempSync(join(tmpdir(), 'ppctl-bench-warm-'))
const dataDir = join(home, 'platform')
const env = {...benchEnv(home), LANG: 'C.UTF-8'}

function cli(args, input) {
  const res = spawnSync(process.execPath, [BIN, ...args], {env, input: input ?? '', encoding: 'utf8'})
  if (res.status !== 0) throw new Error(`ppctl ${args.join(' ')} exited ${res.status}: ${res.stderr}${res.stdout}`)
  return res.stdout
}

const cases = [
  {name: 'node -e 0 (floor)', args: ['-e', '0']},
  {name: 'ppctl route show (warm)', args: [BIN, 'route', 'show'], goal: GOAL_RATIO, mustSay: /from the cache/},
  {name: 'ppctl route show --json (warm)', args: [BIN, 'route', 'show', '--json'], goal: GOAL_RATIO, mustSay: /"fromCache": true/},
]
let started = false
let results
try {
  cli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json'])
  started = true
  await signIn(env, dataDir, 'admin@contoso.example')
  cli(['route', 'show'])
  results = timeCases(cases, env, options)
} finally {
  if (started) spawnSync(process.execPath, [BIN, 'sandbox', 'stop', '--data-dir', dataDir], {env})
  rmSync(home, {recursive: true, force: true})
}
printResults(results, options)
