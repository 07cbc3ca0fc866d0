// Shared by the start-up benchmarks: options, interleaved timing of cases, and the ratio table against the floor.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {loadavg} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {BIN, ROOT} from './ppctl.js'

export {BIN}

/** --runs (at least 10), --warmup (at least 2), --json. */
export function benchOptions() {
  const {values} = parseArgs({
    options: {runs: {type: 'string', default: '10'}, warmup: {type: 'string', default: '2'}, json: {type: 'boolean', default: false}},
  })
  return {runs: Math.max(10, Number(values.runs) || 10), warmup: Math.max(2, Number(values.warmup) || 2), json: values.json}
}

export function requireBuild() {
  if (!existsSync(join(ROOT, 'dist')) || !existsSync(join(ROOT, 'oclif.manifest.json'))) {
    console.error('dist/ or oclif.manifest.json is missing: run `npm run build` first.')
    process.exit(1)
  }
}

/** Wall time of one run of a case ({name, args, env?, mustSay?}); fails on a non-zero exit or output without mustSay. */
function timeOnce(c, env) {
  const started = process.hrtime.bigint()
  const res = spawnSync(process.execPath, c.args, {env: c.env ?? env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (res.status !== 0) throw new Error(`${c.name} exited ${res.status}: ${res.stderr}`)
  if (c.mustSay && !c.mustSay.test(res.stdout)) throw new Error(`${c.name} did not print what it must: ${res.stdout}`)
  return ms
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Runs every case `runs` times after `warmup` rounds, interleaved (A, B, C, A, B, C, …) so that drift in the
 * machine's load spreads over all cases alike; the first case is the floor the ratios are taken against, and a case
 * marked `baseline: true` (if any) is a second reference: every case gets its ratio to it too (`ratioToBaseline`).
 */
export function timeCases(cases, env, {runs, warmup}) {
  const samples = cases.map(() => [])
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, c] of cases.entries()) {
      const ms = timeOnce(c, env)
      if (i >= warmup) samples[k].push(ms)
    }
  }
  const floor = median(samples[0])
  const b = cases.findIndex((c) => c.baseline)
  const baseline = b >= 0 ? median(samples[b]) : undefined
  return cases.map((c, k) => {
    const ms = median(samples[k])
    const ratio = ms / floor
    return {
      name: c.name,
      ...(baseline === undefined ? {} : {ratioToBaseline: Number((ms / baseline).toFixed(2))}),
      medianMs: Number(ms.toFixed(1)),
      minMs: Number(Math.min(...samples[k]).toFixed(1)),
      maxMs: Number(Math.max(...samples[k]).toFixed(1)),
      ratio: Number(ratio.toFixed(2)),
      ...(c.goal ? {goal: c.goal, meetsGoal: ratio <= c.goal} : {}),
    }
  })
}

export function printResults(results, {json, runs, warmup, title}) {
  const loadAverage = loadavg().map((l) => Number(l.toFixed(2)))
  if (json) {
    console.log(
      JSON.stringify(
        {node: process.version, platform: `${process.platform}-${process.arch}`, runs, warmup, loadAverage, ...(title ? {title} : {}), results},
        null,
        2,
      ),
    )
    return
  }
  if (title) console.log(`\n${title}`)
  const withBaseline = results.some((r) => r.ratioToBaseline !== undefined)
  const rows = [
    ['case', 'median ms', 'min', 'max', '× floor', ...(withBaseline ? ['× https'] : []), 'goal'],
    ...results.map((r) => [
      r.name,
      r.medianMs.toFixed(1),
      r.minMs.toFixed(1),
      r.maxMs.toFixed(1),
      r.ratio.toFixed(2),
      ...(withBaseline ? [r.ratioToBaseline.toFixed(2)] : []),
      r.goal ? `≤ ${r.goal} ${r.meetsGoal ? 'ok' : 'MISSED'}` : '',
    ]),
  ]
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  for (const [n, row] of rows.entries()) {
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
  console.log(
    `\n${runs} runs after ${warmup} warm-ups each, interleaved; node ${process.version} ${process.platform}-${process.arch}; load average ${loadAverage.join(' ')}`,
  )
}
