// A data folder of an older version: the connectors table gains its new columns in place, and the seed's version 2 adds the governance data, moving blocked connectors into the managed policy.
import {expect} from 'chai'
import Database from 'better-sqlite3'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ClusterDb} from '../../src/sandbox/clusters/cluster-db.js'
import {seedTenant} from '../../src/sandbox/clusters/tenant-seed.js'
import {Directory} from '../../src/sandbox/directory.js'
import {TENANTS} from '../../src/sandbox/seed.js'

const CONTOSO = TENANTS[0]
/** The connectors table as version 1 made it. */
const V1_CONNECTORS = `CREATE TABLE connectors (tenant_id TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, publisher TEXT NOT NULL,
  tier TEXT NOT NULL, blocked INTEGER NOT NULL, unblockable INTEGER NOT NULL, description TEXT NOT NULL, created_by TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (tenant_id, id))`

describe('governance data in an older data folder', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-governance-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('adds environment_id and host_url to a connectors table made without them, keeping its rows', () => {
    const file = join(dir, 'eastus-1.db')
    const old = new Database(file)
    old.exec(V1_CONNECTORS)
    old
      .prepare('INSERT INTO connectors VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, 1)')
      .run(CONTOSO.id, 'custom_old-1a2b3c', 'Old API', 'maker', 'custom', '', 'maker', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')
    old.close()
    const db = new ClusterDb('eastus-1', file)
    try {
      const columns = (db.db.prepare('PRAGMA table_info(connectors)').all() as Array<{name: string}>).map((c) => c.name)
      expect(columns).to.include.members(['environment_id', 'host_url'])
      expect(db.db.prepare('SELECT id, environment_id FROM connectors').all()).to.deep.equal([{id: 'custom_old-1a2b3c', environment_id: null}])
    } finally {
      db.close()
    }
  })

  it('migrates a version 1 seed once: the default environment, groups and flows added, its blocked connectors moved into the managed policy', () => {
    const db = new ClusterDb('eastus-1', join(dir, 'eastus-1.db'))
    try {
      const directory = Directory.open(dir)
      expect(seedTenant(db.tenants, CONTOSO, directory)).to.equal(true)
      // Make it look like version 1 left it: no governance data, Dropbox blocked in the connector row.
      db.tenants.write(CONTOSO.id, (tx) => {
        for (const table of ['security_groups', 'group_members', 'environments', 'flows', 'dlp_policies'])
          tx.run(`DELETE FROM ${table} WHERE tenant_id = ?`, CONTOSO.id)
        tx.run("UPDATE connectors SET blocked = 1 WHERE tenant_id = ? AND id = 'shared_dropbox'", CONTOSO.id)
        tx.run('UPDATE seeded SET version = 1 WHERE tenant_id = ?', CONTOSO.id)
      })
      expect(seedTenant(db.tenants, CONTOSO, directory)).to.equal(true)
      const policy = db.db.prepare("SELECT managed, doc FROM dlp_policies WHERE tenant_id = ? AND id = 'tenant-blocked-connectors'").get(CONTOSO.id) as {
        managed: number
        doc: string
      }
      expect(policy.managed).to.equal(1)
      expect(JSON.parse(policy.doc).groups.blocked).to.deep.equal(['shared_dropbox'])
      expect(db.db.prepare('SELECT COUNT(*) AS n FROM connectors WHERE tenant_id = ? AND blocked = 1').get(CONTOSO.id)).to.deep.equal({n: 0})
      expect(db.db.prepare('SELECT id, is_default FROM environments WHERE tenant_id = ?').all(CONTOSO.id)).to.deep.equal([{id: 'default', is_default: 1}])
      const flows = db.db.prepare('SELECT id, state, suspension FROM flows WHERE tenant_id = ? ORDER BY id').all(CONTOSO.id) as Array<{
        id: string
        state: string
        suspension: string | null
      }>
      expect(flows.map((f) => `${f.id} ${f.state}`)).to.deep.equal([
        'flow-file-backup suspended',
        'flow-invoice-approvals on',
        'flow-order-sync on',
        'flow-social-digest on',
      ])
      expect(JSON.parse(flows[0].suspension!)).to.include({reason: 'DLP_VIOLATION', policyId: 'tenant-blocked-connectors'})
      const migrated = db.audit.list({tenantId: CONTOSO.id, action: 'tenant.migrated', limit: 100})
      expect(migrated.map((e) => e.details)).to.deep.equal([{fromVersion: 1, toVersion: 2, environments: 1, groups: 3, flows: 4}])
      // Once: the next start finds version 2.
      expect(seedTenant(db.tenants, CONTOSO, directory)).to.equal(false)
    } finally {
      db.close()
    }
  })
})
