#!/usr/bin/env node
// Benchmark of encryption at rest: write and read throughput of a cluster's tenant store with per-tenant encryption
// (PPCTL_SANDBOX_ENCRYPTION=on: in-memory tables, sealed journal and replication log) against the same workload on
// plain SQLite (=off), measured in the same run, in interleaved rounds (medians), each store in its own temp folder.
// Runs the built code (dist/): `npm run build:ts && node bench/encryption.js [--writes N] [--reads N] [--rounds R] [--json]`.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const dist = (path) => import(join(ROOT, 'dist', path))
const TENANT = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'

const {values: opts} = parseArgs({
  options: {
    writes: {type: 'string', default: '1000'},
    reads: {type: 'string', default: '20000'},
    rounds: {type: 'string', default: '7'},
    json: {type: 'boolean', default: false},
  },
})
const WRITES = Math.max(50, Number(opts.writes) || 1000)
const READS = Math.max(1000, Number(opts.reads) || 20000)
const ROUNDS = Math.max(3, Number(opts.rounds) || 7)

const {ClusterDb} = await dist('sandbox/clusters/cluster-db.js')
const {KeyVault} = await dist('sandbox/keys/key-vault.js')

const INSERT =
  "INSERT INTO connectors (tenant_id, id, display_name, publisher, tier, blocked, unblockable, description, created_by, created_at, updated_at, version) VALUES (?, ?, ?, 'Bench', 'custom', 0, 0, ?, 'bench', ?, ?, 1)"

function open(encrypted) {
  const dir = mkdtempSync(join(tmpdir(), `ppctl-bench-enc-${encrypted ? 'on' : 'off'}-`))
  const vault = encrypted ? new KeyVault(dir) : undefined
  const db = new ClusterDb('eastus-1', join(dir, 'clusters', 'eastus-1.db'), {}, true, vault)
  return {name: encrypted ? 'encryption on' : 'encryption off (baseline)', dir, db, ids: [], n: 0}
}

/** One API-like write: a connector row and its audit event, one transaction (with its replication entry). */
function writes(s, count) {
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) {
    const id = `custom_bench-${s.n++}`
    const now = new Date().toISOString()
    s.db.tenants.write(TENANT, (tx) => {
      tx.run(INSERT, TENANT, id, `Bench connector ${id}`, `Written by the encryption benchmark, row ${id}`, now, now)
      tx.audit({tenantId: TENANT, action: 'connector.created', result: 'succeeded', actor: {type: 'user', id: 'bench'}, target: {type: 'connector', id}})
    })
    s.ids.push(id)
  }
  return count / (Number(process.hrtime.bigint() - started) / 1e9)
}

/** API-like reads: a point lookup by id and a page of the list, alternately. */
function reads(s, count) {
  const one = s.db.tenants.prepare('SELECT * FROM connectors WHERE tenant_id = ? AND id = ?')
  const page = s.db.tenants.prepare('SELECT * FROM connectors WHERE tenant_id = ? ORDER BY id LIMIT 50')
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) {
    const row = i % 2 ? one.get(TENANT, s.ids[i % s.ids.length]) : page.all(TENANT)[0]
    if (!row) throw new Error(`${s.name}: a read found nothing`)
  }
  return count / (Number(process.hrtime.bigint() - started) / 1e9)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const stores = [open(false), open(true)]
try {
  // Warm-up: statements prepared, files created, the tenant's keys made.
  for (const s of stores) writes(s, 20)
  const results = new Map(stores.map((s) => [s, {writes: [], reads: []}]))
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, alternating the order, so drift on a shared machine hits both alike.
    for (const s of r % 2 ? [...stores].reverse() : stores) {
      results.get(s).writes.push(writes(s, WRITES))
      results.get(s).reads.push(reads(s, READS))
    }
  }
  const rows = stores.map((s) => ({case: s.name, writesPerSec: median(results.get(s).writes), readsPerSec: median(results.get(s).reads)}))
  const [off, on] = rows
  const ratio = {writes: on.writesPerSec / off.writesPerSec, reads: on.readsPerSec / off.readsPerSec}
  if (opts.json) {
    console.log(JSON.stringify({rounds: ROUNDS, writesPerRound: WRITES, readsPerRound: READS, cases: rows, ratio, goal: 0.8}, null, 2))
  } else {
    const fmt = (x) => Math.round(x).toLocaleString('en-US')
    console.log(`Encryption at rest: ${ROUNDS} interleaved rounds of ${WRITES} writes and ${READS} reads, medians\n`)
    console.log('| case | writes/s | reads/s |')
    console.log('| --- | ---: | ---: |')
    for (const r of rows) console.log(`| ${r.case} | ${fmt(r.writesPerSec)} | ${fmt(r.readsPerSec)} |`)
    console.log(`| on / off | ${ratio.writes.toFixed(2)} × | ${ratio.reads.toFixed(2)} × |`)
    console.log(`\nGoal: at least 0.80 × for both: ${ratio.writes >= 0.8 && ratio.reads >= 0.8 ? 'met' : 'NOT met'}.`)
  }
} finally {
  for (const s of stores) {
    s.db.close()
    rmSync(s.dir, {recursive: true, force: true})
  }
}
