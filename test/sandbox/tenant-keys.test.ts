// The key vault, the sealed values and a cluster store encrypted at rest, in-process: tampering detected, rotation
// re-wraps and re-encrypts, a lock drops the tenant from memory and a store opened while locked cannot read it.
import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'

import {ClusterDb} from '../../src/sandbox/clusters/cluster-db.js'
import {open, seal} from '../../src/sandbox/keys/envelope.js'
import {KeyVault, TenantLockedError} from '../../src/sandbox/keys/key-vault.js'
import {parseEncryption} from '../../src/sandbox/keys/setting.js'

const T = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const F = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'
const INSERT =
  "INSERT INTO connectors (tenant_id, id, display_name, publisher, tier, blocked, unblockable, description, created_by, created_at, updated_at, version) VALUES (?, ?, ?, 'test', 'custom', 0, 0, '', NULL, '2024-01-01', '2024-01-01', 1)"
const add = (db: ClusterDb, tenantId: string, id: string, name: string) =>
  db.tenants.write(tenantId, (tx) => {
    tx.run(INSERT, tenantId, id, name)
    tx.audit({tenantId, action: 'connector.created', result: 'succeeded', actor: {type: 'system'}, target: {type: 'connector', id}})
  })
const names = (db: ClusterDb, tenantId: string) =>
  (db.tenants.prepare('SELECT display_name FROM connectors WHERE tenant_id = ? ORDER BY id').all(tenantId) as Array<{display_name: string}>).map(
    (r) => r.display_name,
  )

describe('tenant keys and encryption at rest (in-process)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-keys-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('seals with AES-256-GCM: another key, another associated data or one flipped byte is refused', () => {
    const key = Buffer.alloc(32, 7)
    const sealed = seal(key, 3, Buffer.from('megan.bowen'), 'tenant/journal')
    expect(open(key, sealed, 'tenant/journal').toString()).to.equal('megan.bowen')
    expect(sealed.includes(Buffer.from('megan'))).to.equal(false)
    expect(() => open(Buffer.alloc(32, 8), sealed, 'tenant/journal')).to.throw()
    expect(() => open(key, sealed, 'other/journal')).to.throw()
    const flipped = Buffer.from(sealed)
    flipped[flipped.length - 1] ^= 1
    expect(() => open(key, flipped, 'tenant/journal')).to.throw()
  })

  it('rotation makes a new key version, wraps every data key again and destroys the old key-encryption key', () => {
    const vault = new KeyVault(dir)
    const first = vault.dataKeys(T)
    const file = join(dir, 'key-vault', 'vault.json')
    const oldKek = (JSON.parse(readFileSync(file, 'utf8')) as {tenants: Record<string, {kek: string}>}).tenants[T].kek
    const status = vault.rotate(T)
    expect(status).to.include({keyVersion: 2, dataKeyVersion: 2, state: 'active'})
    expect(status.dataKeyVersions).to.deep.equal([1, 2])
    expect(readFileSync(file, 'utf8')).not.to.contain(oldKek)
    // A new vault on the same folder unwraps both data keys with the new key-encryption key.
    const again = new KeyVault(dir).dataKeys(T)
    expect(again.current).to.equal(2)
    expect(again.keys.get(1)!.equals(first.keys.get(1)!)).to.equal(true)
  })

  it('a lock drops the tenant from memory, keeps it locked across a reopen, and an unlock brings every row back; other tenants untouched', () => {
    const file = join(dir, 'eastus-1.db')
    let vault = new KeyVault(dir)
    let db = new ClusterDb('eastus-1', file, {}, true, vault)
    add(db, T, 'c1', 'Payroll export')
    add(db, F, 'f1', 'Fabrikam feed')
    vault.rotate(T)
    add(db, T, 'c2', 'Payroll import')
    vault.lock(T)
    expect(names(db, T)).to.deep.equal([])
    expect(() => add(db, T, 'c3', 'Refused')).to.throw(TenantLockedError)
    add(db, F, 'f2', 'Fabrikam second')
    db.close()

    // Reopened while locked: nothing of the tenant can be read; the file holds no name in the clear.
    vault = new KeyVault(dir)
    db = new ClusterDb('eastus-1', file, {}, true, vault)
    expect(names(db, T)).to.deep.equal([])
    expect(names(db, F)).to.deep.equal(['Fabrikam feed', 'Fabrikam second'])
    const raw = new Database(file, {readonly: true})
    try {
      expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'connectors'").get()).to.equal(undefined)
    } finally {
      raw.close()
    }
    vault.unlock(T)
    expect(names(db, T)).to.deep.equal(['Payroll export', 'Payroll import'])
    expect(db.audit.allEvents(T).map((e) => e.target?.id)).to.deep.equal(['c1', 'c2'])
    db.close()
  })

  it("writes a large tenant's snapshot again after an eighth of its rows in journal records, a small one's after 2000", () => {
    const file = join(dir, 'eastus-1.db')
    const vault = new KeyVault(dir)
    const db = new ClusterDb('eastus-1', file, {}, true, vault)
    const journal = () => (db.db.prepare('SELECT COUNT(*) AS n FROM main.tenant_journal WHERE tenant_id = ?').get(T) as {n: number}).n
    const one = (i: number) => db.tenants.write(T, (tx) => tx.run(INSERT, T, `w${i}`, `Write ${i}`))
    try {
      // 24,000 rows in one transaction, then a snapshot of them (a rotation writes one): the next comes after 3,000 records.
      db.tenants.write(T, (tx) => {
        for (let i = 0; i < 24_000; i++) tx.run(INSERT, T, `c${i}`, `Connector ${i}`)
      })
      vault.rotate(T)
      expect(journal()).to.equal(0)
      for (let i = 0; i < 2999; i++) one(i)
      expect(journal()).to.equal(2999)
      one(2999)
      expect(journal()).to.equal(0)
      // Every row is in the snapshot.
      expect((db.tenants.prepare('SELECT COUNT(*) AS n FROM connectors WHERE tenant_id = ?').get(T) as {n: number}).n).to.equal(27_000)
      // A small tenant keeps the fixed 2000.
      for (let i = 0; i < 2000; i++) db.tenants.write(F, (tx) => tx.run(INSERT, F, `f${i}`, `Fabrikam ${i}`))
      expect((db.db.prepare('SELECT COUNT(*) AS n FROM main.tenant_journal WHERE tenant_id = ?').get(F) as {n: number}).n).to.equal(0)
    } finally {
      db.close()
    }
    // Reopened: the snapshot and the journal since give every row back.
    const again = new ClusterDb('eastus-1', file, {}, true, new KeyVault(dir))
    try {
      expect((again.tenants.prepare('SELECT COUNT(*) AS n FROM connectors WHERE tenant_id = ?').get(T) as {n: number}).n).to.equal(27_000)
    } finally {
      again.close()
    }
  })

  it('moves a plaintext store into the sealed form at the first start with encryption', () => {
    const file = join(dir, 'eastus-1.db')
    const plain = new ClusterDb('eastus-1', file)
    add(plain, T, 'c1', 'Quarterly payroll')
    plain.close()
    const db = new ClusterDb('eastus-1', file, {}, true, new KeyVault(dir))
    expect(names(db, T)).to.deep.equal(['Quarterly payroll'])
    db.close()
    for (const f of [file, `${file}-wal`]) {
      let bytes: Buffer
      try {
        bytes = readFileSync(f)
      } catch {
        continue
      }
      expect(bytes.includes(Buffer.from('Quarterly payroll')), f).to.equal(false)
    }
  })

  it('PPCTL_SANDBOX_ENCRYPTION is on or off; another value stops the start', () => {
    expect([parseEncryption(undefined), parseEncryption('on'), parseEncryption(' OFF ')]).to.deep.equal([undefined, true, false])
    expect(() => parseEncryption('yes')).to.throw(/must be "on" or "off"/)
  })
})
