#!/usr/bin/env node
// Benchmark of `ppctl audit stream`: N events (default 1,000,000) from a real local platform through ppctl to a pipe
// (NDJSON, and --format ocsf), against `curl -N` reading the same SSE stream in the same run (a small node reader when curl is absent), and
// ppctl's memory (RSS) at 100k events and at the end. Both producers write into a pipe read by this script, which
// counts events and stops the producer at N: the stream never ends by itself.
// Runs the built code (dist/): `npm run build:ts && node bench/audit.js [--events N]`; BENCH_NODE_OPTIONS is passed to
// the ppctl run as NODE_OPTIONS (e.g. --max-semi-space-size=2, to see how much of the peak RSS is young-generation GC),
// BENCH_NODE_ARGS as node arguments (for V8 flags NODE_OPTIONS refuses, e.g. --no-opt or --single-threaded).
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {syntheticEvents} from './lib/events.js'
import {benchEnv, BIN, dist, signIn} from './lib/ppctl.js'

const TENANT = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const {values: opts} = parseArgs({options: {events: {type: 'string', default: '1000000'}, keep: {type: 'boolean', default: false}}})
const N = Number(opts.events)

const home = mkdtempSync(join(tmpdir(), 'ppctl-bench-audit-'))
const dataDir = join(home, 'platform')
// The events are written into the cluster's store from this process, beside the running platform: only a plaintext
// store (encryption at rest off, the documented setting) can be filled that way; the stream is served the same.
const env = {...benchEnv(home), PPCTL_SANDBOX_ENCRYPTION: 'off'}
const ppctl = (args, input) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {env, input, encoding: 'utf8', maxBuffer: 64 << 20})
  if (r.status !== 0) throw new Error(`ppctl ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return r.stdout
}
const log = (line) => process.stderr.write(`${line}\n`)

async function seed(cluster) {
  const {ClusterDb} = await dist('sandbox/clusters/cluster-db.js')
  const db = new ClusterDb(cluster, join(dataDir, 'clusters', `${cluster}.db`), {}, false)
  const started = Date.now()
  for (let done = 0; done < N;) {
    const n = Math.min(50_000, N - done)
    db.audit.appendMany(TENANT, syntheticEvents(done, n))
    done += n
  }
  db.close()
  log(`seeded ${N.toLocaleString('en')} events in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const rssMb = (pid) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
    return {rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024}
  } catch {
    return {rss: NaN, hwm: NaN}
  }
}

/** Runs a producer, counts its events on its stdout pipe, stops it at `target`; returns seconds, bytes and RSS samples. */
function measure(cmd, args, separator, target, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(cmd, args, {env: {...env, ...extraEnv}, stdio: ['ignore', 'pipe', 'pipe']})
    const sep = Buffer.from(separator)
    let count = 0
    let bytes = 0
    let carry = Buffer.alloc(0)
    let at100k
    let stderr = ''
    let finished = false
    child.stderr.on('data', (d) => (stderr += d))
    child.stdout.on('data', (chunk) => {
      if (finished) return
      bytes += chunk.length
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk
      let i = 0
      for (;;) {
        const j = buf.indexOf(sep, i)
        if (j < 0) break
        count++
        i = j + sep.length
      }
      carry = buf.subarray(Math.max(i, buf.length - sep.length + 1))
      if (!at100k && count >= 100_000) at100k = rssMb(child.pid)
      if (count >= target) {
        finished = true
        const seconds = Number(process.hrtime.bigint() - started) / 1e9
        const end = rssMb(child.pid)
        child.kill('SIGKILL')
        resolve({seconds, bytes, count, at100k, end})
      }
    })
    child.on('exit', (code) => {
      if (!finished) reject(new Error(`${cmd} exited (${code}) after ${count} events: ${stderr.slice(-2000)}`))
    })
  })
}

async function main() {
  log(`starting the local platform in ${dataDir}…`)
  const started = JSON.parse(ppctl(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json']))
  try {
    await signIn(env, dataDir, 'admin@contoso.example')
    const base = JSON.parse(ppctl(['audit', 'stream', '--output', 'json'])).length
    await seed('eastus-1')
    const total = base + N
    const route = JSON.parse(ppctl(['route', 'show', '--json']))
    const url = new URL('/v1/audit/stream', route.home.uri)
    const token = ppctl(['auth', 'token']).trim()
    const hasCurl = spawnSync('which', ['curl']).status === 0

    // SSE: an opening "retry" block, then one "\n\n" per event.
    const baseline = hasCurl
      ? await measure(
          'curl',
          [
            '-N',
            '-s',
            '--cacert',
            started.caFile,
            '--resolve',
            `${url.hostname}:${url.port}:127.0.0.1`,
            '-H',
            `Authorization: Bearer ${token}`,
            '-H',
            'Accept: text/event-stream',
            url.href,
          ],
          '\n\n',
          total + 1,
        )
      : await measure(process.execPath, ['-e', nodeReader, url.href, started.caFile, token], '\n\n', total + 1)
    log(
      `${hasCurl ? 'curl -N' : 'node reader'}: ${total.toLocaleString('en')} events in ${baseline.seconds.toFixed(2)} s (${Math.round(total / baseline.seconds).toLocaleString('en')} events/s, ${(baseline.bytes / 1e6).toFixed(0)} MB)`,
    )
    const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []
    const ours = await measure(
      process.execPath,
      [...nodeArgs, BIN, 'audit', 'stream', '--follow'],
      '\n',
      total,
      process.env.BENCH_NODE_OPTIONS ? {NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS} : {},
    )
    log(
      `ppctl audit stream --follow: ${total.toLocaleString('en')} events in ${ours.seconds.toFixed(2)} s (${Math.round(total / ours.seconds).toLocaleString('en')} events/s, ${(ours.bytes / 1e6).toFixed(0)} MB)`,
    )
    // The same stream mapped to OCSF 1.1 (one JSON line per event, built and serialized by ppctl).
    const ocsf = await measure(process.execPath, [...nodeArgs, BIN, 'audit', 'stream', '--follow', '--format', 'ocsf'], '\n', total)
    log(
      `ppctl audit stream --follow --format ocsf: ${total.toLocaleString('en')} events in ${ocsf.seconds.toFixed(2)} s (${Math.round(total / ocsf.seconds).toLocaleString('en')} events/s, ${(ocsf.bytes / 1e6).toFixed(0)} MB)`,
    )
    const history = await measure(process.execPath, [BIN, 'audit', 'stream'], '\n', total)
    log(`ppctl audit stream (history, end=head): ${history.seconds.toFixed(2)} s (${Math.round(total / history.seconds).toLocaleString('en')} events/s)`)

    const result = {
      events: total,
      baseline: hasCurl ? 'curl -N' : 'node https reader (curl not found)',
      baselineSeconds: +baseline.seconds.toFixed(3),
      ppctlSeconds: +ours.seconds.toFixed(3),
      throughputRatio: +(baseline.seconds / ours.seconds).toFixed(3),
      throughputGoal: 0.7,
      ocsfSeconds: +ocsf.seconds.toFixed(3),
      ocsfRatio: +(baseline.seconds / ocsf.seconds).toFixed(3),
      ocsfGoal: 0.8,
      ocsfPeakRssMb: +ocsf.end.hwm.toFixed(1),
      historySeconds: +history.seconds.toFixed(3),
      historyRatio: +(baseline.seconds / history.seconds).toFixed(3),
      rssMbAt100k: +ours.at100k?.rss.toFixed(1),
      peakRssMbAt100k: +ours.at100k?.hwm.toFixed(1),
      rssMbAtEnd: +ours.end.rss.toFixed(1),
      peakRssMb: +ours.end.hwm.toFixed(1),
      peakRssGoalMb: 120,
      historyPeakRssMb: +history.end.hwm.toFixed(1),
    }
    process.stdout.write(JSON.stringify(result, null, 2) + '\n')
  } finally {
    try {
      execFileSync(process.execPath, [BIN, 'sandbox', 'stop', '--data-dir', dataDir], {env, stdio: 'ignore'})
    } finally {
      if (!opts.keep) rmSync(home, {recursive: true, force: true})
    }
  }
}

const nodeReader = `
const https = require('node:https'); const fs = require('node:fs')
const [url, ca, token] = process.argv.slice(1)
const u = new URL(url)
https.get({host: '127.0.0.1', servername: u.hostname, port: u.port, path: u.pathname, ca: fs.readFileSync(ca), headers: {host: u.host, authorization: 'Bearer ' + token, accept: 'text/event-stream'}}, (res) => res.pipe(process.stdout))
`

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`)
  process.exit(1)
})
