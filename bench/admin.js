#!/usr/bin/env node
// Benchmark of `ppctl connector list --json` over 10,000 connectors, against the raw paged API fetched with the
// same HTTP stack (dist/lib/http) in the same run; wall time and peak memory (max RSS, from /usr/bin/time -v) of each.
// The fixture: a local platform whose tenant gets custom connectors through the API (POST /v1/connectors) until it
// holds --connectors of them. Runs the built code: `npm run build:ts && node bench/admin.js [--connectors N] [--runs R]`.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {benchEnv, BIN, dist, median, seedClient, session, signIn, startSandbox, stopSandbox} from './lib/ppctl.js'

const {values: opts} = parseArgs({
  options: {
    connectors: {type: 'string', default: '10000'},
    runs: {type: 'string', default: '5'},
    // Internal: this script re-runs itself as the raw client, so both sides pay for a Node process start.
    raw: {type: 'boolean', default: false},
    uri: {type: 'string'},
    ca: {type: 'string'},
  },
})

/** The raw baseline: every page of GET /v1/connectors?limit=200 through createHttp, parsed, items kept. */
async function rawClient() {
  const {createHttp} = await dist('lib/http/client.js')
  const {createDebugLog} = await dist('lib/io/debug-log.js')
  const http = createHttp({env: process.env, ca: readFileSync(opts.ca, 'utf8'), userAgent: 'bench', debug: createDebugLog({stderr: process.stderr}, false)})
  const token = process.env.BENCH_TOKEN
  const items = []
  let cursor
  do {
    const url = new URL(`v1/connectors?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, opts.uri.endsWith('/') ? opts.uri : `${opts.uri}/`)
    const res = await http.fetch(url, {headers: {authorization: `Bearer ${token}`, accept: 'application/json'}})
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`)
    const body = await res.json()
    items.push(...body.items)
    cursor = body.nextCursor
  } while (cursor)
  process.stdout.write(JSON.stringify({count: items.length, items}, null, 2) + '\n')
  if (process.env.BENCH_TRACE) process.stderr.write(`raw: fetched and printed at ${(performance.now() / 1000).toFixed(2)} s\n`)
  await http.close()
  if (process.env.BENCH_TRACE) process.stderr.write(`raw: closed at ${(performance.now() / 1000).toFixed(2)} s\n`)
}

/** Runs a command under /usr/bin/time -v: wall seconds, max RSS in MiB, stdout size. */
function measure(argv, env) {
  // The gateway allows 50 requests/s per token with a burst of 100: let the bucket refill, so that neither side
  // waits on a 429's Retry-After (51 pages of 200 fit in one burst).
  spawnSync('sleep', ['3'])
  const started = process.hrtime.bigint()
  const res = spawnSync('/usr/bin/time', ['-v', ...argv], {env, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8'})
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (process.env.BENCH_TRACE)
    process.stderr.write(
      res.stderr
        .split('\n')
        .filter((l) => l.startsWith('raw:'))
        .join('\n') + '\n',
    )
  if (res.status !== 0) throw new Error(`${argv.join(' ')} exited ${res.status}: ${res.stderr}`)
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(res.stderr)?.[1] ?? NaN)
  return {seconds, rssMiB: rssKb / 1024, count: JSON.parse(res.stdout).count, bytes: Buffer.byteLength(res.stdout)}
}

async function main() {
  if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (GNU time) for peak memory')
  const target = Number(opts.connectors)
  const home = mkdtempSync(join(tmpdir(), 'ppctl-bench-admin-'))
  const dataDir = join(home, 'platform')
  const env = benchEnv(home)
  try {
    const {caFile} = await startSandbox(env, dataDir)
    await signIn(env, dataDir, 'admin@contoso.example')
    const {token, uri} = await session(env)

    // Fixture: custom connectors through the platform's API.
    const seeder = await seedClient({caFile, uri, token})
    const seedStart = process.hrtime.bigint()
    let next = 0
    // The gateway allows 50 requests/s per token (burst 100): a few workers.
    const worker = async () => {
      while (next < target) {
        const i = next++
        await seeder.call('POST', 'v1/connectors', {displayName: `Bench connector ${i}`, description: `Seeded by bench/admin.js (${i})`}, `bench-seed-${i}`)
      }
    }
    await Promise.all(Array.from({length: 8}, worker))
    await seeder.close()
    const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9
    process.stderr.write(`seeded ${target} custom connectors through the API in ${seedSeconds.toFixed(1)} s\n`)

    const runs = Number(opts.runs)
    const rawArgv = [process.execPath, fileURLToPath(import.meta.url), '--raw', '--uri', uri, '--ca', caFile]
    const rawEnv = {...env, BENCH_TOKEN: token, BENCH_TRACE: process.env.BENCH_TRACE ?? ''}
    // One discarded run of each: the platform settles (replication of the fixture) and the OS caches warm up.
    measure(rawArgv, rawEnv)
    measure([process.execPath, BIN, 'connector', 'list', '--json'], env)
    const cli = []
    const raw = []
    for (let r = 0; r < runs; r++) {
      // Alternate, so drift (caches, the platform warming up) hits both sides alike.
      raw.push(measure(rawArgv, rawEnv))
      cli.push(measure([process.execPath, BIN, 'connector', 'list', '--json'], env))
    }
    const total = cli[0].count
    if (raw[0].count !== total) throw new Error(`counts differ: cli ${total}, raw ${raw[0].count}`)
    const row = (name, xs) =>
      `${name.padEnd(38)} ${median(xs.map((x) => x.seconds))
        .toFixed(2)
        .padStart(7)} s ${median(xs.map((x) => x.rssMiB))
        .toFixed(0)
        .padStart(7)} MiB ${(xs[0].bytes / 1048576).toFixed(1).padStart(7)} MiB`
    console.log(`\nconnector list --json over ${total} connectors (${target} custom + seeded), median of ${runs} runs, pages of 200\n`)
    console.log(`${''.padEnd(38)} ${'wall'.padStart(9)} ${'peak RSS'.padStart(11)} ${'output'.padStart(11)}`)
    console.log(row('raw paged API (same HTTP stack)', raw))
    console.log(row('ppctl connector list --json', cli))
    console.log(`\nppctl / raw: ${(median(cli.map((x) => x.seconds)) / median(raw.map((x) => x.seconds))).toFixed(2)}x time`)
  } finally {
    await stopSandbox(env, dataDir)
    rmSync(home, {recursive: true, force: true})
  }
}

if (opts.raw) await rawClient()
else await main()
