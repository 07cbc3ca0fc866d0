#!/usr/bin/env node
// Start-up time of the built CLI against the floor of `node -e 0`, measured in the same run (run `npm run build` first).
//
// Usage: node bench/startup.js [--runs N] [--warmup N] [--json]
// Each case runs N times after the warm-ups, interleaved (case A, B, C, D, A, B, ...) so that drift in the
// machine's load spreads over all cases alike. Prints the median wall time of each and its ratio to the floor.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.js')
/** The goal for --version and --help, as a multiple of the node floor. */
const GOAL_RATIO = 2.3

const {values} = parseArgs({
  options: {
    runs: {type: 'string', default: '10'},
    warmup: {type: 'string', default: '2'},
    json: {type: 'boolean', default: false},
  },
})
const runs = Math.max(10, Number(values.runs) || 10)
const warmup = Math.max(2, Number(values.warmup) || 2)

if (!existsSync(join(ROOT, 'dist')) || !existsSync(join(ROOT, 'oclif.manifest.json'))) {
  console.error('dist/ or oclif.manifest.json is missing: run `npm run build` first.')
  process.exit(1)
}

const configDir = mkdtempSync(join(tmpdir(), 'ppctl-bench-'))
const env = {...process.env, PPCTL_CONFIG_DIR: configDir, NO_COLOR: '1', CI: '1'}
delete env.NODE_OPTIONS

const cases = [
  {name: 'node -e 0 (floor)', args: ['-e', '0']},
  {name: 'ppctl --version', args: [BIN, '--version'], goal: GOAL_RATIO},
  {name: 'ppctl --help', args: [BIN, '--help'], goal: GOAL_RATIO},
  {name: 'ppctl config list', args: [BIN, 'config', 'list']},
]

function once(c) {
  const started = process.hrtime.bigint()
  const res = spawnSync(process.execPath, c.args, {env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (res.status !== 0) throw new Error(`${c.name} exited ${res.status}: ${res.stderr}`)
  return ms
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const samples = cases.map(() => [])
try {
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, c] of cases.entries()) {
      const ms = once(c)
      if (i >= warmup) samples[k].push(ms)
    }
  }
} finally {
  rmSync(configDir, {recursive: true, force: true})
}

const floor = median(samples[0])
const results = cases.map((c, k) => {
  const ms = median(samples[k])
  const ratio = ms / floor
  return {
    name: c.name,
    medianMs: Number(ms.toFixed(1)),
    minMs: Number(Math.min(...samples[k]).toFixed(1)),
    maxMs: Number(Math.max(...samples[k]).toFixed(1)),
    ratio: Number(ratio.toFixed(2)),
    ...(c.goal ? {goal: c.goal, meetsGoal: ratio <= c.goal} : {}),
  }
})

if (values.json) {
  console.log(JSON.stringify({node: process.version, platform: `${process.platform}-${process.arch}`, runs, warmup, results}, null, 2))
} else {
  const rows = [['case', 'median ms', 'min', 'max', '× floor', 'goal'], ...results.map((r) => [
    r.name,
    r.medianMs.toFixed(1),
    r.minMs.toFixed(1),
    r.maxMs.toFixed(1),
    r.ratio.toFixed(2),
    r.goal ? `≤ ${r.goal} ${r.meetsGoal ? 'ok' : 'MISSED'}` : '',
  ])]
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  for (const [n, row] of rows.entries()) {
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
  console.log(`\n${runs} runs after ${warmup} warm-ups each, interleaved; node ${process.version} ${process.platform}-${process.arch}`)
}
