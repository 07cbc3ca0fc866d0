#!/usr/bin/env node
// Warm-path time of the hot commands (token and route cached) against the floor of `node -e 0` and against one HTTPS
// request with node:https to the same endpoint (bench/lib/one-request.js), all in the same run.
//
// Usage: node bench/warm.js [--runs N] [--warmup N] [--json]   (run `npm run build` first)
// Starts its own local platform (`sandbox start --port 0` in a temp folder), signs in with the device flow
// (approved with `sandbox approve`), fills the routing cache once, then times the cases interleaved, as startup.js does.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {benchEnv, signIn} from './lib/ppctl.js'
import {BIN, benchOptions, printResults, requireBuild, timeCases} from './lib/ratios.js'

/** The goals (issue #15), as multiples of the node floor: a warm command with one API call, and --help. */
const GOAL_RATIO = 2.5
const HELP_GOAL_RATIO = 1.6

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

const ONE_REQUEST = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'one-request.js')
const floor = {name: 'node -e 0 (floor)', args: ['-e', '0']}
const ppctl = (name, args, mustSay) => ({name, args: [BIN, ...args], goal: GOAL_RATIO, mustSay})
const cases = [
  floor,
  {name: 'one node:https request (GET /v1/connectors)', args: [ONE_REQUEST], baseline: true},
  ppctl('ppctl connector list --json', ['connector', 'list', '--json'], /"count": \d+/),
  ppctl('ppctl license list --json', ['license', 'list', '--json'], /"count": \d+/),
  ppctl('ppctl user list --json', ['user', 'list', '--json'], /"count": \d+/),
  ppctl('ppctl auth token', ['auth', 'token'], /^\S{20,}\n$/),
  // CI=1 (or CI mode) writes nothing on disk, not even its own code cache: what a pipeline gets (the build's cache only).
  {...ppctl("ppctl connector list --json, CI=1 (the build's code cache)", ['connector', 'list', '--json'], /"count": \d+/), goal: undefined, ci: true},
  // The same command through oclif (what it cost before the fast path ran it), for comparison in the same run.
  {...ppctl('ppctl connector list --json via oclif (PPCTL_NO_FAST_PATH=1)', ['connector', 'list', '--json'], /"count": \d+/), goal: undefined, oclif: true},
  ppctl('ppctl route show (no network)', ['route', 'show'], /from the cache/),
  {name: 'ppctl --help', args: [BIN, '--help'], goal: HELP_GOAL_RATIO, mustSay: /USAGE/},
]
let started = false
let results
let machineResults
try {
  cli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json'])
  started = true
  await signIn(env, dataDir, 'admin@contoso.example')
  const route = JSON.parse(cli(['route', 'show', '--json']))
  // The request `connector list` sends first (its page size is the one listConnectors asks for).
  const baseEnv = {
    ONE_REQUEST_URL: new URL('v1/connectors?limit=200', route.home.uri.endsWith('/') ? route.home.uri : `${route.home.uri}/`).href,
    ONE_REQUEST_CA_FILE: cli(['config', 'get', 'ca-file']).trim(),
    ONE_REQUEST_TOKEN: cli(['auth', 'token']).trim(),
  }
  // Timed as on a workstation (no CI variable: the code cache is used), the CI case with it.
  const {CI: _ci, ...workstation} = env
  cases[1].env = {...workstation, ...baseEnv}
  for (const c of cases) if (c.ci) c.env = env
  for (const c of cases) if (c.oclif) c.env = {...workstation, PPCTL_NO_FAST_PATH: '1'}
  results = timeCases(cases, workstation, options)
  // The same cases with the machine's NODE_* variables (as in bench/startup.js): NODE_EXTRA_CA_CERTS makes every
  // process parse a CA bundle at start, the root store a TLS request would parse anyway — the figures
  // (a floor of 80 ms, one request 1.49 ×) were taken so. The goals are judged in both environments.
  const nodeVars = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^NODE_/.test(k) && k !== 'NODE_OPTIONS'))
  if (Object.keys(nodeVars).length > 0) {
    const withNodeVars = cases.map((c) => ({...c, env: {...(c.env ?? workstation), ...nodeVars}}))
    machineResults = {results: timeCases(withNodeVars, {...workstation, ...nodeVars}, options), names: Object.keys(nodeVars)}
  }
} finally {
  if (started) spawnSync(process.execPath, [BIN, 'sandbox', 'stop', '--data-dir', dataDir], {env})
  rmSync(home, {recursive: true, force: true})
}
printResults(results, {...options, title: 'Clean environment (no NODE_* variables)'})
if (machineResults) printResults(machineResults.results, {...options, title: `This machine's environment (${machineResults.names.join(', ')} set)`})
