#!/usr/bin/env node
// Benchmark of the local platform: the audit stream's events/s against reading the same events as NDJSON from a
// file (the baseline, measured in the same run), and the latency of the connectors list under concurrent clients.
// Runs the built code (dist/): `npm run build:ts && node bench/platform.js [--events N] [--connections C] [--duration S]`.
import {fork, spawn} from 'node:child_process'
import {createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, URLSearchParams} from 'node:url'
import {parseArgs} from 'node:util'
import {syntheticEvents} from './lib/events.js'
import {dist, ROOT} from './lib/ppctl.js'
const TENANT = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'

const {values: opts} = parseArgs({
  options: {
    events: {type: 'string', default: '1000000'},
    connections: {type: 'string', default: '50'},
    duration: {type: 'string', default: '10'},
    'skip-latency': {type: 'boolean', default: false},
    'skip-stream': {type: 'boolean', default: false},
    // Internal: this script re-runs itself as the reading client, so reader and server do not share an event loop.
    client: {type: 'string'},
    url: {type: 'string'},
    file: {type: 'string'},
    accept: {type: 'string'},
  },
})

/** Counts events in a byte stream without parsing them: one per "\n\n" (SSE) or "\n" (NDJSON). */
function counter(separator) {
  const sep = Buffer.from(separator)
  let count = 0
  let carry = Buffer.alloc(0)
  return {
    feed(chunk) {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk
      let at = 0
      for (;;) {
        const i = buf.indexOf(sep, at)
        if (i < 0) break
        count++
        at = i + sep.length
      }
      carry = buf.subarray(Math.max(at, buf.length - sep.length + 1))
    },
    get count() {
      return count
    },
  }
}

async function runClient() {
  const expected = Number(opts.events)
  const started = process.hrtime.bigint()
  let bytes = 0
  if (opts.client === 'file') {
    const c = counter('\n')
    for await (const chunk of createReadStream(opts.file, {highWaterMark: 256 * 1024})) {
      bytes += chunk.length
      c.feed(chunk)
    }
    if (c.count !== expected) throw new Error(`file: ${c.count} lines, expected ${expected}`)
  } else {
    const ndjson = opts.accept === 'application/x-ndjson'
    await new Promise((resolve, reject) => {
      // SSE: the opening retry block is one "\n\n" more than the events.
      const c = counter(ndjson ? '\n' : '\n\n')
      const target = expected + (ndjson ? 0 : 1)
      request(opts.url, {headers: {accept: opts.accept}}, (res) => {
        res.on('data', (chunk) => {
          bytes += chunk.length
          c.feed(chunk)
          if (c.count >= target) {
            res.destroy()
            resolve()
          }
        })
        res.on('error', () => {})
      })
        .on('error', reject)
        .end()
    })
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  process.send({seconds, bytes})
}

function child(args) {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), args, {stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
    let result
    proc.on('message', (m) => (result = m))
    proc.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`client exited with ${code}`))))
  })
}

async function streamBench(events, dir) {
  const {ClusterDb} = await dist('sandbox/clusters/cluster-db.js')
  const {createAuditRoutes} = await dist('sandbox/audit/routes.js')
  const store = new ClusterDb('eastus-1', join(dir, 'bench.db'), {}, false)
  process.stderr.write(`storing ${events.toLocaleString('en')} audit events…\n`)
  for (let done = 0; done < events;) {
    const n = Math.min(50_000, events - done)
    store.appendMany(TENANT, syntheticEvents(done, n))
    done += n
  }

  const file = join(dir, 'events.ndjson')
  const out = createWriteStream(file)
  for (let after = 0; ;) {
    const batch = store.list({tenantId: TENANT, after, limit: 10_000})
    if (batch.length === 0) break
    if (!out.write(batch.map((e) => JSON.stringify(e)).join('\n') + '\n')) await new Promise((r) => out.once('drain', r))
    after = batch[batch.length - 1].seq
  }
  await new Promise((r) => out.end(r))

  const routes = createAuditRoutes({readerOf: () => store})
  const principal = {tenantId: TENANT, subject: 'bench', roles: ['Admin'], kind: 'user', rateKey: 'bench', expiresAt: 0}
  const server = createServer((req, res) => {
    if (!routes('eastus-1', req, res, {correlationId: 'bench', traceId: '0'.repeat(32)}, principal, undefined)) res.writeHead(404).end()
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${server.address().port}/v1/audit/stream`
  const rows = []
  const measure = async (name, args) => {
    process.stderr.write(`${name}…\n`)
    const {seconds, bytes} = await child(['--events', String(events), ...args])
    rows.push({name, seconds, bytes, rate: events / seconds})
  }
  await measure('NDJSON file, read and discarded (baseline)', ['--client', 'file', '--file', file])
  await measure('audit stream, SSE', ['--client', 'stream', '--url', url, '--accept', 'text/event-stream'])
  await measure('audit stream, NDJSON', ['--client', 'stream', '--url', url, '--accept', 'application/x-ndjson'])
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  store.db.close()
  return rows
}

async function latencyBench(dir, connections, duration) {
  const {default: autocannon} = await import('autocannon')
  const {Agent, fetch} = await import('undici')
  const {approveDevice} = await dist('lib/sandbox/approve-device.js')
  const dataDir = join(dir, 'platform')
  // The platform in its own process, with the per-token rate limit lifted so the load is not answered with 429.
  const script = `
    const {startPlatform} = await import(${JSON.stringify(join(ROOT, 'dist/sandbox/server.js'))})
    const p = await startPlatform({dataDir: ${JSON.stringify(dataDir)}, port: 0, rateLimit: {rps: 1e9, burst: 1e9}})
    process.stdout.write(JSON.stringify({port: p.port, caFile: p.caFile, urls: p.urls}) + '\\n')
    process.on('SIGTERM', () => p.close(1000).then(() => process.exit(0)))`
  const platform = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe']})
  let platformErr = ''
  platform.stderr.on('data', (c) => (platformErr = (platformErr + c).slice(-4000)))
  try {
    const info = await new Promise((resolve, reject) => {
      let text = ''
      platform.stdout.on('data', (c) => {
        text += c
        if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]))
      })
      platform.on('exit', (code) => reject(new Error(`platform exited with ${code}: ${platformErr}`)))
    })
    const lookup = (_host, options, cb) => (options.all ? cb(null, [{address: '127.0.0.1', family: 4}]) : cb(null, '127.0.0.1', 4))
    const agent = new Agent({connect: {ca: readFileSync(info.caFile, 'utf8'), lookup}})
    const f = (url, init = {}) => fetch(url, {...init, dispatcher: agent})
    const meta = await (await f(`${info.urls.authority}/.well-known/openid-configuration`)).json()
    const form = (o) => ({method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: new URLSearchParams(o).toString()})
    const device = await (
      await f(meta.device_authorization_endpoint, form({client_id: 'ppctl', scope: 'openid offline_access api', resource: 'https://api.sandbox.localhost'}))
    ).json()
    const upn = 'admin@contoso.example'
    const password = JSON.parse(readFileSync(join(dataDir, 'passwords.json'), 'utf8')).find((p) => p.upn === upn).password
    await approveDevice(f, {authority: info.urls.authority, userCode: device.user_code, upn, password})
    const token = await (
      await f(meta.token_endpoint, form({grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: 'ppctl'}))
    ).json()
    if (!token.access_token) throw new Error(`no token: ${JSON.stringify(token)}`)
    const home = await (await f(`${info.urls.global}/v1/me/home`, {headers: {authorization: `Bearer ${token.access_token}`}})).json()
    const host = new URL(home.home.uri).host
    const probe = await f(`${home.home.uri}/v1/connectors?limit=50`, {headers: {authorization: `Bearer ${token.access_token}`}})
    const probeBody = await probe.json()
    await agent.close()
    process.stderr.write(`connectors list: HTTP ${probe.status}, ${probeBody.items?.length ?? 0} items; ${connections} clients for ${duration} s…\n`)
    const result = await autocannon({
      url: `https://127.0.0.1:${info.port}/v1/connectors?limit=50`,
      servername: host.split(':')[0],
      headers: {host, authorization: `Bearer ${token.access_token}`},
      connections,
      duration,
    })
    return {status: probe.status, result}
  } finally {
    platform.kill('SIGTERM')
    await new Promise((r) => (platform.exitCode === null ? platform.once('exit', r) : r()))
  }
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |'
  return [line(headers), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n')
}

async function main() {
  const events = Number(opts.events)
  const dir = mkdtempSync(join(tmpdir(), 'ppctl-bench-'))
  try {
    if (!opts['skip-stream']) {
      const rows = await streamBench(events, dir)
      const base = rows[0].rate
      console.log(`\nAudit events served, ${events.toLocaleString('en')} stored events, reader discards them (node ${process.version})\n`)
      console.log(
        table(
          ['reader', 'seconds', 'MB', 'events/s', 'vs file'],
          rows.map((r) => [
            r.name,
            r.seconds.toFixed(2),
            (r.bytes / 1e6).toFixed(0),
            Math.round(r.rate).toLocaleString('en'),
            `${(r.rate / base).toFixed(2)}×`,
          ]),
        ),
      )
    }
    if (!opts['skip-latency']) {
      const connections = Number(opts.connections)
      const {status, result} = await latencyBench(dir, connections, Number(opts.duration))
      const ok = result['2xx']
      console.log(`\nGET /v1/connectors?limit=50 through the gateway (TLS, token check), ${connections} concurrent clients, ${opts.duration} s\n`)
      console.log(
        table(
          ['status', 'requests', '2xx', 'non-2xx', 'req/s', 'p50 ms', 'p99 ms', 'max ms'],
          [[status, result.requests.total, ok, result.non2xx, Math.round(result.requests.average), result.latency.p50, result.latency.p99, result.latency.max]],
        ),
      )
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (opts.client) await runClient()
else await main()
