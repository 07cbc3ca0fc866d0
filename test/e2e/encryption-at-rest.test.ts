// Encryption at rest with per-tenant keys, against a real platform started with PPCTL_SANDBOX_ENCRYPTION=on: no
// tenant string in any file of the data folder (databases, WAL, journals, logs, replication), across replication and a
// restart; the data comes back intact.
import {expect} from 'chai'
import {randomUUID} from 'node:crypto'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {caughtUp, CONTOSO, startClusterPlatform, type ClusterPlatform, type Json} from '../helpers/cluster-platform.js'

const ADMIN = 'admin@contoso.example'
const FABRIKAM_ADMIN = 'admin@fabrikam.example'

/** Every regular file under `dir`, with its bytes. */
function filesUnder(dir: string): Array<{file: string; bytes: Buffer}> {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({file, bytes: readFileSync(file)}))
}

/** The files (and the encodings) in which any of `needles` is found. */
function findPlaintext(dir: string, needles: readonly string[]): string[] {
  const hits: string[] = []
  for (const {file, bytes} of filesUnder(dir)) {
    for (const needle of needles) {
      for (const encoding of ['utf8', 'utf16le'] as const) if (bytes.includes(Buffer.from(needle, encoding))) hits.push(`${file}: ${needle} (${encoding})`)
    }
  }
  return hits
}

describe('encryption at rest with per-tenant keys (real platform)', function () {
  // A platform, sign-ins and a restart on a loaded machine: a limit, not a threshold.
  this.timeout(300_000)
  let c: ClusterPlatform

  beforeEach(async () => {
    // Hundreds of requests from one token in the rotation test: the documented setting raises the rate limit.
    c = await startClusterPlatform({PPCTL_SANDBOX_ENCRYPTION: 'on', PPCTL_SANDBOX_RATE_LIMIT: '1000:2000'})
  })
  afterEach(async () => c?.stop())

  it('keeps no tenant string in any file of the data folder, on the primary, the secondary and after a restart', async () => {
    const tag = randomUUID().slice(0, 8)
    const envName = `Quarterly Payroll ${tag}`
    const connectorName = `Payroll Export ${tag}`
    const description = `Sends the salaries of megan.bowen ${tag}`
    const policyName = `Payroll Guard ${tag}`
    const env = await c.call(ADMIN, 'eastus-1', 'POST', '/v1/environments', {displayName: envName, type: 'production'})
    expect(env.status, JSON.stringify(env.body)).to.equal(201)
    const connector = await c.call(ADMIN, 'eastus-1', 'POST', '/v1/connectors', {displayName: connectorName, description})
    expect(connector.status, JSON.stringify(connector.body)).to.equal(201)
    const policy = await c.call(ADMIN, 'eastus-1', 'POST', '/v1/dlp/policies', {
      displayName: policyName,
      environmentScope: 'only',
      environments: [env.body.id],
      defaultGroup: 'nonBusiness',
    })
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201)
    await c.replicationOf(CONTOSO, caughtUp)
    const needles = [envName, connectorName, description, policyName, 'megan.bowen']

    expect(findPlaintext(c.platform.dataDir, needles)).to.deep.equal([])
    // The writes did reach the disk, sealed: the tenant's journal in each cluster's file holds them, as ciphertext.
    for (const cluster of ['eastus-1', 'westus-1']) {
      const journal = await c.sqlite(
        cluster,
        (db) => db.prepare('SELECT sealed FROM tenant_journal WHERE tenant_id = ?').all(CONTOSO) as Array<{sealed: Buffer}>,
      )
      expect(journal.length, cluster).to.be.greaterThan(0)
      expect(
        journal.every((j) => Buffer.isBuffer(j.sealed) && !j.sealed.includes(Buffer.from(connectorName))),
        cluster,
      ).to.equal(true)
    }

    await c.restart()
    expect(findPlaintext(c.platform.dataDir, needles)).to.deep.equal([])
    const again = await c.call(ADMIN, 'eastus-1', 'GET', `/v1/connectors/${connector.body.id}`)
    expect(again.status).to.equal(200)
    expect(again.body).to.include({displayName: connectorName, description})
    const envAgain = await c.call(ADMIN, 'eastus-1', 'GET', `/v1/environments/${env.body.id}`)
    expect(envAgain.body.displayName).to.equal(envName)
    // Lookups that need the clear value (a search, a unique name) still work on the decrypted rows.
    const search = await c.call(ADMIN, 'eastus-1', 'GET', `/v1/connectors?search=${encodeURIComponent(tag)}`)
    expect(search.body.items.map((i: {id: string}) => i.id)).to.deep.equal([connector.body.id])
    const duplicate = await c.call(ADMIN, 'eastus-1', 'POST', '/v1/environments', {displayName: envName.toUpperCase(), type: 'production'})
    expect(duplicate.status).to.equal(409)
  })

  /** The tenant's connectors whose name has `tag`, by id → display name. */
  const connectorsTagged = async (cluster: string, tag: string) => {
    const res = await c.call(ADMIN, cluster, 'GET', `/v1/connectors?search=${encodeURIComponent(tag)}&limit=200`)
    expect(res.status, JSON.stringify(res.body)).to.equal(200)
    return Object.fromEntries((res.body.items as Json[]).map((i) => [i.id, i.displayName]))
  }
  const auditOf = async (cluster: string) => {
    const res = await c.call(ADMIN, cluster, 'GET', '/v1/audit/events?limit=1000')
    expect(res.status, JSON.stringify(res.body)).to.equal(200)
    return res.body.items as Json[]
  }

  it('rotates the key under load with no failed request; the data is re-encrypted and still intact after a restart', async () => {
    const tag = randomUUID().slice(0, 8)
    const before = (await c.call(ADMIN, 'eastus-1', 'GET', '/v1/keys')).body
    let stop = false
    let done = 0
    const statuses: number[] = []
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const write = await c.call(ADMIN, 'eastus-1', 'POST', '/v1/connectors', {displayName: `Load ${tag} ${w}-${i}`})
        const read = await c.call(ADMIN, 'eastus-1', 'GET', `/v1/connectors/${write.body.id}`)
        statuses.push(write.status, read.status)
        done += 1
      }
    }
    /** Resolves once the workers have done `n` more rounds (a count, not a time). */
    const rounds = async (n: number) => {
      const target = done + n
      while (done < target) await new Promise((resolve) => setImmediate(resolve))
    }
    const workers = [0, 1, 2, 3].map((w) => worker(w))
    const rotations: Json[] = []
    for (let r = 0; r < 3; r++) {
      await rounds(8)
      const rotated = await c.call(ADMIN, 'eastus-1', 'POST', '/v1/keys/rotate')
      expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200)
      rotations.push(rotated.body)
    }
    await rounds(8)
    stop = true
    await Promise.all(workers)

    expect(statuses.filter((s) => s !== 200 && s !== 201)).to.deep.equal([])
    expect(rotations.map((r) => r.keyVersion)).to.deep.equal([before.keyVersion + 1, before.keyVersion + 2, before.keyVersion + 3])
    expect(rotations[2].dataKeyVersion).to.equal(before.dataKeyVersion + 3)
    const written = statuses.length / 2
    await c.replicationOf(CONTOSO, caughtUp)
    expect(Object.keys(await connectorsTagged('eastus-1', tag))).to.have.length(written)
    // Audited with before/after, in the tenant's log.
    const rotatedEvents = (await auditOf('eastus-1')).filter((e) => e.action === 'tenant.key_rotated')
    expect(rotatedEvents).to.have.length(3)
    expect(rotatedEvents[0].details).to.deep.include({before: {state: 'active', keyVersion: before.keyVersion, dataKeyVersion: before.dataKeyVersion}})

    // A restart reads everything back with the new keys; the secondary, promoted, has it all too.
    await c.restart()
    expect(Object.keys(await connectorsTagged('eastus-1', tag))).to.have.length(written)
    const failover = await runCli(['sandbox', 'failover', '--tenant', 'contoso', '--data-dir', c.platform.dataDir, '--json'], c.platform.cli.env)
    expect(failover.code, failover.stderr).to.equal(0)
    expect(Object.keys(await connectorsTagged('westus-1', tag))).to.have.length(written)
    expect(findPlaintext(c.platform.dataDir, [`Load ${tag}`])).to.deep.equal([])
  })

  it('locks a tenant: 423 TENANT_LOCKED at once for all its requests, other tenants untouched; unlock brings back every record', async () => {
    const tag = randomUUID().slice(0, 8)
    for (let i = 0; i < 5; i++) expect((await c.call(ADMIN, 'eastus-1', 'POST', '/v1/connectors', {displayName: `Kept ${tag} ${i}`})).status).to.equal(201)
    const connectors = await connectorsTagged('eastus-1', tag)
    const events = await auditOf('eastus-1')

    const locked = await c.call(ADMIN, 'eastus-1', 'POST', '/v1/keys/lock')
    expect(locked.status, JSON.stringify(locked.body)).to.equal(200)
    expect(locked.body).to.include({state: 'locked', tenant: 'contoso'})
    // The very next requests, reads and writes, on the active cluster and the secondary: refused, no waiting.
    for (const [cluster, method, path, body] of [
      ['eastus-1', 'GET', '/v1/connectors'],
      ['eastus-1', 'POST', '/v1/connectors', {displayName: `Refused ${tag}`}],
      ['eastus-1', 'GET', '/v1/audit/events'],
      ['westus-1', 'GET', '/v1/users'],
    ] as const) {
      const res = await c.call(ADMIN, cluster, method, path, body)
      expect(res.status, `${method} ${path} on ${cluster}`).to.equal(423)
      expect(res.body).to.include({code: 'TENANT_LOCKED'})
      expect(res.body.detail).to.match(/ppctl keys unlock/)
    }
    expect((await c.call(FABRIKAM_ADMIN, 'westeurope-1', 'GET', '/v1/connectors')).status).to.equal(200)
    expect((await c.call(FABRIKAM_ADMIN, 'westeurope-1', 'POST', '/v1/connectors', {displayName: `Fabrikam ${tag}`})).status).to.equal(201)
    // The key routes still answer: how the admin finds out and unlocks.
    expect((await c.call(ADMIN, 'eastus-1', 'GET', '/v1/keys')).body).to.include({state: 'locked'})
    expect(findPlaintext(c.platform.dataDir, [`Kept ${tag}`])).to.deep.equal([])

    // A restart and a forced failover keep it locked.
    await c.restart()
    expect((await c.call(ADMIN, 'eastus-1', 'GET', '/v1/connectors')).status).to.equal(423)
    const failover = await runCli(['sandbox', 'failover', '--tenant', 'contoso', '--force', '--data-dir', c.platform.dataDir, '--json'], c.platform.cli.env)
    expect(failover.code, failover.stderr).to.equal(0)
    expect((await c.call(ADMIN, 'westus-1', 'GET', '/v1/connectors')).status).to.equal(423)

    const unlocked = await c.call(ADMIN, 'westus-1', 'POST', '/v1/keys/unlock')
    expect(unlocked.status, JSON.stringify(unlocked.body)).to.equal(200)
    expect(unlocked.body).to.include({state: 'active'})
    expect(await connectorsTagged('westus-1', tag)).to.deep.equal(connectors)
    const after = await auditOf('westus-1')
    // Every event from before the lock is there, unchanged; then the lock and the unlock, audited.
    expect(after.slice(0, events.length)).to.deep.equal(events)
    const actions = after.slice(events.length).map((e) => e.action)
    expect(actions[0]).to.equal('tenant.key_locked')
    expect(actions).to.include('tenant.key_unlocked')
    // Replication works again: a write on the new active reaches the rebuilt secondary.
    expect((await c.call(ADMIN, 'westus-1', 'POST', '/v1/connectors', {displayName: `After unlock ${tag}`})).status).to.equal(201)
    await c.replicationOf(CONTOSO, caughtUp)
  })
})
