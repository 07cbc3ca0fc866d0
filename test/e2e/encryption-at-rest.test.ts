// Encryption at rest with per-tenant keys, against a real platform started with PPCTL_SANDBOX_ENCRYPTION=on: no
// tenant string in any file of the data folder (databases, WAL, journals, logs, replication), across replication and a
// restart; the data comes back intact.
import {expect} from 'chai'
import {randomUUID} from 'node:crypto'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {caughtUp, CONTOSO, startClusterPlatform, type ClusterPlatform} from '../helpers/cluster-platform.js'

const ADMIN = 'admin@contoso.example'

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
    c = await startClusterPlatform({PPCTL_SANDBOX_ENCRYPTION: 'on'})
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
    // The sealed journal and the replication log exist: the writes went to disk, encrypted.
    const clusterFiles = filesUnder(join(c.platform.dataDir, 'clusters')).map((f) => f.file)
    expect(clusterFiles.some((f) => f.endsWith(`eastus-1.tenants/${CONTOSO}.journal`))).to.equal(true)
    expect(clusterFiles.some((f) => f.endsWith(`westus-1.tenants/${CONTOSO}.journal`))).to.equal(true)

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
})
