#!/usr/bin/env node
// Benchmark of `ppctl license assign --file` over 10,000 rows with the real Secret Service keychain, against a baseline
// that sends the same 10,000 POSTs with the same HTTP stack (dist/lib/http: undici) and the same concurrency, in the
// same run; and `--dry-run` on the same file. Prints each run's ratios and their medians.
// The fixture: a local platform (rate limit raised with PPCTL_SANDBOX_RATE_LIMIT) seeded with `ppctl sandbox seed
// --users N --seats POWERAPPS_PER_USER=N`; every run and the baseline assign fresh members, so each does the same work.
// Needs dbus-run-session and gnome-keyring (it starts its own session). `npm run build && node bench/bulk.js [--rows N] [--runs R]`.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {BIN, dist, median, run, session, signIn, startSandbox, stopSandbox} from './lib/ppctl.js'

const SELF = fileURLToPath(import.meta.url)
const SKU = 'POWERAPPS_PER_USER'

const {values: opts} = parseArgs({
  options: {
    rows: {type: 'string', default: '10000'},
    runs: {type: 'string', default: '3'},
    concurrency: {type: 'string', default: '8'},
    // Internal: inside the D-Bus session; and the baseline client, a process of its own like ppctl.
    inner: {type: 'boolean', default: false},
    raw: {type: 'boolean', default: false},
    uri: {type: 'string'},
    ca: {type: 'string'},
    file: {type: 'string'},
  },
})

const member = (i) => `member${String(i).padStart(5, '0')}@contoso.example`

/** The baseline: POST /v1/users/{upn}/licenses {skuId} per row, `concurrency` at a time, through createHttp; bodies read. */
async function rawClient() {
  const {createHttp} = await dist('lib/http/client.js')
  const {createDebugLog} = await dist('lib/io/debug-log.js')
  const http = createHttp({env: process.env, ca: readFileSync(opts.ca, 'utf8'), userAgent: 'bench', debug: createDebugLog({stderr: process.stderr}, false)})
  const base = opts.uri.endsWith('/') ? opts.uri : `${opts.uri}/`
  const upns = readFileSync(opts.file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0])
  const token = process.env.BENCH_TOKEN
  let next = 0
  let assigned = 0
  const worker = async () => {
    while (next < upns.length) {
      const upn = upns[next++]
      const res = await http.fetch(new URL(`v1/users/${encodeURIComponent(upn)}/licenses`, base), {
        method: 'POST',
        headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': `bench-${upn}`},
        body: JSON.stringify({skuId: SKU}),
      })
      const body = await res.json()
      if (res.status === 201 && body.alreadyAssigned === false) assigned++
    }
  }
  await Promise.all(Array.from({length: Number(opts.concurrency)}, worker))
  await http.close()
  process.stdout.write(JSON.stringify({assigned}) + '\n')
}

/** Wall seconds of one process; checks its exit code and what it printed. */
function timed(argv, env, check) {
  const started = process.hrtime.bigint()
  const res = spawnSync(argv[0], argv.slice(1), {env, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8'})
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (res.status !== 0) throw new Error(`${argv.slice(1, 4).join(' ')} exited ${res.status}: ${res.stderr}`)
  check(res.stdout)
  return seconds
}

async function main() {
  const rows = Number(opts.rows)
  const runs = Number(opts.runs)
  const concurrency = Number(opts.concurrency)
  const home = process.env.HOME
  const dataDir = join(home, 'platform')
  // The documented knob (README, "The local platform"): no code edit raises the limit for the benchmark's sign-in.
  const env = {...process.env, PPCTL_CONFIG_DIR: join(home, 'config'), CI: '1', NO_COLOR: '1', PPCTL_SANDBOX_RATE_LIMIT: '100000:100000'}
  delete env.PPCTL_CREDENTIAL_STORE
  try {
    const {caFile} = await startSandbox(env, dataDir)
    // Fresh members for every measured side of every run (and one warm-up pair), and a seat for each.
    const sets = 2 * (runs + 1)
    const seeded = await run(['sandbox', 'seed', '--data-dir', dataDir, '--users', String(sets * rows), '--seats', `${SKU}=${sets * rows + 10}`, '--json'], env)
    if (seeded.code !== 0) throw new Error(`sandbox seed: ${seeded.stderr}`)
    await signIn(env, dataDir, 'admin@contoso.example')
    const status = JSON.parse((await run(['auth', 'status', '--json'], env)).stdout)
    if (status.credentialStore?.kind !== 'keychain') throw new Error(`the sign-in is not in the keychain: ${JSON.stringify(status.credentialStore)}`)
    const {token, uri} = await session(env)
    const csv = (set) => {
      const file = join(home, `rows-${set}.csv`)
      writeFileSync(file, ['upn,sku', ...Array.from({length: rows}, (_, i) => `${member(set * rows + i + 1)},${SKU}`)].join('\n') + '\n')
      return file
    }
    const cliRun = (file, dry) =>
      timed(
        [process.execPath, BIN, 'license', 'assign', '--file', file, '--concurrency', String(concurrency), '--json', ...(dry ? ['--dry-run'] : [])],
        env,
        (out) => {
          const doc = JSON.parse(out)
          const want = dry ? 'would-assign' : 'assigned'
          const n = doc.results.filter((r) => r.outcome === want).length
          if (n !== rows) throw new Error(`ppctl ${dry ? '--dry-run ' : ''}reported ${n} of ${rows} rows ${want}`)
        },
      )
    const rawRun = (file) =>
      timed(
        [process.execPath, SELF, '--raw', '--uri', uri, '--ca', caFile, '--file', file, '--concurrency', String(concurrency)],
        {...env, BENCH_TOKEN: token},
        (out) => {
          if (JSON.parse(out).assigned !== rows) throw new Error(`the baseline assigned ${out.trim()} of ${rows}`)
        },
      )
    // A discarded warm-up pair: the platform's caches and the OS settle.
    rawRun(csv(0))
    cliRun(csv(1), false)
    const results = []
    for (let r = 1; r <= runs; r++) {
      const mine = csv(2 * r)
      const theirs = csv(2 * r + 1)
      const dry = cliRun(mine, true)
      // Alternate which side goes first, so drift hits both alike.
      const [cli, raw] = r % 2 ? [cliRun(mine, false), rawRun(theirs)] : [null, rawRun(theirs)]
      const cliSeconds = cli ?? cliRun(mine, false)
      results.push({raw, cli: cliSeconds, dry})
      console.log(
        `run ${r}: baseline ${raw.toFixed(2)} s, ppctl ${cliSeconds.toFixed(2)} s (${(cliSeconds / raw).toFixed(2)}x), --dry-run ${dry.toFixed(2)} s (${(dry / raw).toFixed(2)}x)`,
      )
    }
    const ratio = (k) => median(results.map((x) => x[k] / x.raw))
    console.log(
      `\nlicense assign --file, ${rows} rows, concurrency ${concurrency}, keychain (Secret Service), median of ${runs} runs:` +
        `\n  baseline (same ${rows} POSTs, undici, same concurrency) ${median(results.map((x) => x.raw)).toFixed(2)} s` +
        `\n  ppctl license assign --file   ${ratio('cli').toFixed(2)}x baseline (goal <= 1.3)` +
        `\n  ppctl license assign --dry-run ${ratio('dry').toFixed(2)}x baseline (goal <= 0.5)`,
    )
  } finally {
    await stopSandbox(env, dataDir)
  }
}

if (opts.raw) await rawClient()
else if (opts.inner) await main()
else {
  // A private D-Bus session with an unlocked login keyring in a scratch HOME, as the keychain tests use.
  const home = mkdtempSync(join(tmpdir(), 'ppctl-bench-bulk-'))
  const script = `echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"`
  const args = ['--', 'sh', '-c', script, 'sh', process.execPath, SELF, '--inner', '--rows', opts.rows, '--runs', opts.runs, '--concurrency', opts.concurrency]
  const res = spawnSync('dbus-run-session', args, {env: {PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: home, LANG: 'C.UTF-8'}, stdio: 'inherit'})
  rmSync(home, {recursive: true, force: true})
  process.exit(res.status ?? 1)
}
