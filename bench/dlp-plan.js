#!/usr/bin/env node
// Benchmark of `ppctl dlp plan FILE` on 50 policies × 1,000 connectors against a local platform (goal: ≤ 2 s), with a
// plan that changes every policy (its dry run included) and one with nothing to do.
// The fixture: custom connectors through the API until the tenant holds --connectors, then --policies policies that
// each list every connector (a third per group); `ppctl dlp export` writes the file, and one connector per policy is
// moved to blocked for the changed plan. Runs the built code: `npm run build:ts && node bench/dlp-plan.js [--runs R]`.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {benchEnv, BIN, median, run, seedClient, session, signIn, startSandbox, stopSandbox} from './lib/ppctl.js'

const {values: opts} = parseArgs({
  options: {
    connectors: {type: 'string', default: '1000'},
    policies: {type: 'string', default: '50'},
    runs: {type: 'string', default: '5'},
  },
})

/** Wall seconds of one ppctl run (the reads a plan makes, or the start alone), for the baselines. */
function measureRun(args, env) {
  spawnSync('sleep', ['2'])
  const started = process.hrtime.bigint()
  const res = spawnSync(process.execPath, [BIN, ...args], {env, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8'})
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}: ${res.stderr}`)
  return {seconds: Number(process.hrtime.bigint() - started) / 1e9}
}

/** Wall seconds of one `ppctl dlp plan`, which must exit `expected`. */
function measure(file, env, expected) {
  // The gateway allows 50 requests/s per token with a burst of 100: let the bucket refill between runs.
  spawnSync('sleep', ['2'])
  const started = process.hrtime.bigint()
  const res = spawnSync(process.execPath, [BIN, 'dlp', 'plan', file, '--json'], {env, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8'})
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (res.status !== expected) throw new Error(`dlp plan exited ${res.status} (expected ${expected}): ${res.stderr}`)
  const plan = JSON.parse(res.stdout)
  return {seconds, policies: plan.policies.length}
}

async function main() {
  const target = Number(opts.connectors)
  const policyCount = Number(opts.policies)
  const home = mkdtempSync(join(tmpdir(), 'ppctl-bench-dlp-'))
  const dataDir = join(home, 'platform')
  const env = benchEnv(home)
  try {
    const {caFile} = await startSandbox(env, dataDir)
    await signIn(env, dataDir, 'admin@contoso.example')
    const {token, uri} = await session(env)
    const {call, close} = await seedClient({caFile, uri, token})
    const listAll = async () => {
      const ids = []
      let cursor
      do {
        const page = await call('GET', `v1/connectors?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        ids.push(...page.items.map((c) => ({id: c.id, unblockable: c.unblockable})))
        cursor = page.nextCursor
      } while (cursor)
      return ids
    }
    const seedStart = process.hrtime.bigint()
    const existing = (await listAll()).length
    let next = existing
    const worker = async () => {
      while (next < target) {
        const i = next++
        await call('POST', 'v1/connectors', {displayName: `Bench connector ${i}`}, `bench-dlp-${i}`)
      }
    }
    await Promise.all(Array.from({length: 8}, worker))
    const connectors = await listAll()
    let nextPolicy = 0
    const policyWorker = async () => {
      while (nextPolicy < policyCount) {
        const p = nextPolicy++
        const groups = {business: [], nonBusiness: [], blocked: []}
        connectors.forEach((c, j) => {
          const g = c.unblockable ? (j % 2 ? 'business' : 'nonBusiness') : ['business', 'nonBusiness', 'blocked'][(j + p) % 3]
          groups[g].push(c.id)
        })
        await call(
          'POST',
          'v1/dlp/policies',
          {displayName: `Bench policy ${String(p).padStart(2, '0')}`, environmentScope: 'all', defaultGroup: 'nonBusiness', groups},
          `bench-dlp-policy-${p}`,
        )
      }
    }
    await Promise.all(Array.from({length: 4}, policyWorker))
    await close()
    process.stderr.write(
      `fixture: ${connectors.length} connectors, ${policyCount} policies listing all of them, in ${(Number(process.hrtime.bigint() - seedStart) / 1e9).toFixed(1)} s\n`,
    )

    const same = join(home, 'policies.yaml')
    const exported = await run(['dlp', 'export', '--out', same], env)
    if (exported.code !== 0) throw new Error(`dlp export: ${exported.stderr}`)
    // One connector per policy moves: the first business one of each goes to blocked.
    const changed = join(home, 'changed.yaml')
    const lines = readFileSync(same, 'utf8').split('\n')
    const out = []
    let pendingMove = null
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]
      if (line === '    business:' && lines[i + 1]?.startsWith('      - ') && !connectors.find((c) => c.id === lines[i + 1].slice(8))?.unblockable) {
        out.push(line)
        pendingMove = lines[++i].slice(8)
        continue
      }
      if (line === '    blocked:' && pendingMove) {
        out.push(line, `      - ${pendingMove}`)
        pendingMove = null
        continue
      }
      out.push(line)
    }
    writeFileSync(changed, out.join('\n'))

    const runs = Number(opts.runs)
    measure(changed, env, 10)
    const withChanges = []
    const nothing = []
    const start = []
    const reads = []
    for (let r = 0; r < runs; r++) {
      // Interleaved, so the machine's load hits every case alike; the baselines say what the plan itself adds.
      withChanges.push(measure(changed, env, 10))
      nothing.push(measure(same, env, 0))
      start.push(measureRun(['--version'], env))
      reads.push(measureRun(['dlp', 'policy', 'list', '--json'], env))
    }
    const secs = (xs) => median(xs.map((x) => x.seconds))
    console.log(`\ndlp plan on ${policyCount} policies × ${connectors.length} connectors, median of ${runs} runs (goal ≤ 2 s)\n`)
    console.log(
      `${'every policy changed (dry run of the batch)'.padEnd(46)} ${secs(withChanges).toFixed(2).padStart(6)} s   ${withChanges[0].policies} policies planned`,
    )
    console.log(`${'nothing to do'.padEnd(46)} ${secs(nothing).toFixed(2).padStart(6)} s`)
    console.log(`${'baseline: dlp policy list --json (the policies)'.padEnd(46)} ${secs(reads).toFixed(2).padStart(6)} s`)
    console.log(`${'baseline: ppctl --version (a start)'.padEnd(46)} ${secs(start).toFixed(2).padStart(6)} s`)
    console.log(`\n${secs(withChanges) <= 2 ? 'within' : 'OVER'} the 2 s goal`)
  } finally {
    await stopSandbox(env, dataDir)
    rmSync(home, {recursive: true, force: true})
  }
}

await main()
