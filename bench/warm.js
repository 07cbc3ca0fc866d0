#!/usr/bin/env node
// Warm-path time of `ppctl route show` (token and route cached) against the floor of `node -e 0`, in the same run.
//
// Usage: node bench/warm.js [--runs N] [--warmup N] [--json]   (run `npm run build` first)
// Starts its own local platform (`sandbox start --port 0` in a temp folder), signs in with the device flow
// (approved with `sandbox approve`), fills the routing cache once, then times the cases interleaved, as startup.js does.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.js')
/** The goal for a warm command, as a multiple of the node floor. */
const GOAL_RATIO = 3.5

const {values} = parseArgs({options: {runs: {type: 'string', default: '10'}, warmup: {type: 'string', default: '2'}, json: {type: 'boolean', default: false}}})
const runs = Math.max(10, Number(values.runs) || 10)
const warmup = Math.max(2, Number(values.warmup) || 2)

if (!existsSync(join(ROOT, 'dist')) || !existsSync(join(ROOT, 'oclif.manifest.json'))) {
  console.error('dist/ or oclif.manifest.json is missing: run `npm run build` first.')
  process.exit(1)
}

const home = mkdtempSync(join(tmpdir(), 'ppctl-bench-warm-'))
const dataDir = join(home, 'platform')
const env = {PATH: process.env.PATH, HOME: home, PPCTL_CONFIG_DIR: join(home, 'config'), PPCTL_CREDENTIAL_STORE: 'file', CI: '1', NO_COLOR: '1', LANG: 'C.UTF-8'}

function cli(args, input) {
  const res = spawnSync(process.execPath, [BIN, ...args], {env, input: input ?? '', encoding: 'utf8'})
  if (res.status !== 0) throw new Error(`ppctl ${args.join(' ')} exited ${res.status}: ${res.stderr}${res.stdout}`)
  return res.stdout
}

/** `auth login` in the background; its device code approved with `sandbox approve` as the tenant admin. */
async function signIn() {
  const users = JSON.parse(cli(['sandbox', 'users', '--data-dir', dataDir, '--json'])).users
  const admin = users.find((u) => u.upn === 'admin@contoso.example')
  const child = spawn(process.execPath, [BIN, 'auth', 'login', '--json'], {env, stdio: ['pipe', 'pipe', 'pipe']})
  child.stdin.end()
  let stderr = ''
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)))
  const device = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d.toString('utf8')
      const line = stderr.split('\n').find((l) => l.includes('"device_code"'))
      if (line) resolve(JSON.parse(line))
    })
    exited.then((code) => reject(new Error(`auth login exited ${code}: ${stderr}`)))
  })
  cli(['sandbox', 'approve', device.userCode, '--user', admin.upn, '--data-dir', dataDir], `${admin.password}\n`)
  const code = await exited
  if (code !== 0) throw new Error(`auth login exited ${code}: ${stderr}`)
}

function once(c) {
  const started = process.hrtime.bigint()
  const res = spawnSync(process.execPath, c.args, {env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (res.status !== 0) throw new Error(`${c.name} exited ${res.status}: ${res.stderr}`)
  if (c.mustSay && !c.mustSay.test(res.stdout)) throw new Error(`${c.name} was not warm: ${res.stdout}`)
  return ms
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const cases = [
  {name: 'node -e 0 (floor)', args: ['-e', '0']},
  {name: 'ppctl route show (warm)', args: [BIN, 'route', 'show'], goal: GOAL_RATIO, mustSay: /from the cache/},
  {name: 'ppctl route show --json (warm)', args: [BIN, 'route', 'show', '--json'], goal: GOAL_RATIO, mustSay: /"fromCache": true/},
]
const samples = cases.map(() => [])
let started = false
try {
  cli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json'])
  started = true
  await signIn()
  cli(['route', 'show'])
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, c] of cases.entries()) {
      const ms = once(c)
      if (i >= warmup) samples[k].push(ms)
    }
  }
} finally {
  if (started) spawnSync(process.execPath, [BIN, 'sandbox', 'stop', '--data-dir', dataDir], {env})
  rmSync(home, {recursive: true, force: true})
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
  const rows = [['case', 'median ms', 'min', 'max', '× floor', 'goal'], ...results.map((r) => [r.name, r.medianMs.toFixed(1), r.minMs.toFixed(1), r.maxMs.toFixed(1), r.ratio.toFixed(2), r.goal ? `≤ ${r.goal} ${r.meetsGoal ? 'ok' : 'MISSED'}` : ''])]
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  for (const [n, row] of rows.entries()) {
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
  console.log(`\n${runs} runs after ${warmup} warm-ups each, interleaved; node ${process.version} ${process.platform}-${process.arch}`)
}
