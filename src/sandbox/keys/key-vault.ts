// The platform's key vault: each tenant's key-encryption key (versioned) and the data keys it wraps, in a folder of its
// own; reachable only inside the platform (the clusters ask it for a tenant's data keys; no listener serves it).
import {existsSync, readFileSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {join} from 'node:path'

import {writeFileSyncAtomic} from '../fs-util.js'
import {open, seal} from './envelope.js'

/** A tenant's data keys, unwrapped: the current version encrypts, any listed version decrypts. */
export interface DataKeys {
  current: number
  keys: ReadonlyMap<number, Buffer>
}

/** What `GET /v1/keys` answers (no key material). */
export interface KeyStatus {
  tenantId: string
  state: 'active' | 'locked'
  /** The version of the tenant's key-encryption key in the vault. */
  keyVersion: number
  /** The version of the data key that encrypts new writes. */
  dataKeyVersion: number
  /** Data key versions still kept to read older records (replication entries in flight). */
  dataKeyVersions: number[]
  createdAt: string
  rotatedAt?: string
  lockedAt?: string
  /** Bumped by every change: the ETag of the key state. */
  revision: number
}

interface TenantEntry {
  keyVersion: number
  /** The current key-encryption key; older versions are destroyed once every data key is wrapped again. */
  kek: string
  dataKeys: Array<{version: number; wrapped: string}>
  current: number
  locked: boolean
  createdAt: string
  rotatedAt?: string
  lockedAt?: string
  revision: number
}

/** Every request for a tenant whose key is locked gets 423 TENANT_LOCKED. */
export class TenantLockedError extends Error {
  readonly code = 'TENANT_LOCKED'
  constructor(readonly tenantId: string) {
    super(`The data key of tenant ${tenantId} is locked`)
  }
}

/** Told of key changes, synchronously: before a lock (keys still usable), after a rotation and after an unlock. */
export interface KeyListener {
  beforeLock(tenantId: string, keys: DataKeys): void
  afterRotate(tenantId: string, keys: DataKeys): void
  afterUnlock(tenantId: string, keys: DataKeys): void
}

const VAULT_FILE = 'vault.json'
const aadFor = (tenantId: string) => `key-vault/data-key/${tenantId}`

export class KeyVault {
  private readonly file: string
  private readonly tenants: Record<string, TenantEntry>
  private readonly listeners: KeyListener[] = []
  private readonly cache = new Map<string, DataKeys>()

  constructor(dataDir: string) {
    this.file = join(dataDir, 'key-vault', VAULT_FILE)
    this.tenants = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as {tenants: Record<string, TenantEntry>}).tenants : {}
  }

  listen(listener: KeyListener): void {
    this.listeners.push(listener)
  }

  isLocked(tenantId: string): boolean {
    return this.tenants[tenantId]?.locked === true
  }

  /** The tenant's data keys (made on first use); throws TenantLockedError while the tenant's key is locked. */
  dataKeys(tenantId: string): DataKeys {
    const entry = this.entry(tenantId)
    if (entry.locked) throw new TenantLockedError(tenantId)
    let keys = this.cache.get(tenantId)
    if (!keys) {
      const kek = Buffer.from(entry.kek, 'base64')
      keys = {
        current: entry.current,
        keys: new Map(entry.dataKeys.map((d) => [d.version, open(kek, Buffer.from(d.wrapped, 'base64'), aadFor(tenantId))])),
      }
      this.cache.set(tenantId, keys)
    }
    return keys
  }

  status(tenantId: string): KeyStatus {
    const e = this.entry(tenantId)
    return {
      tenantId,
      state: e.locked ? 'locked' : 'active',
      keyVersion: e.keyVersion,
      dataKeyVersion: e.current,
      dataKeyVersions: e.dataKeys.map((d) => d.version),
      createdAt: e.createdAt,
      ...(e.rotatedAt ? {rotatedAt: e.rotatedAt} : {}),
      ...(e.lockedAt ? {lockedAt: e.lockedAt} : {}),
      revision: e.revision,
    }
  }

  /** A new key-encryption key version and a new data key: every data key is wrapped again, the old key destroyed. */
  rotate(tenantId: string): KeyStatus {
    const old = this.dataKeys(tenantId)
    const e = this.entry(tenantId)
    const kek = randomBytes(32)
    const current = e.current + 1
    const keys = new Map(old.keys)
    keys.set(current, randomBytes(32))
    e.keyVersion += 1
    e.kek = kek.toString('base64')
    e.dataKeys = [...keys].map(([version, key]) => ({version, wrapped: seal(kek, e.keyVersion, key, aadFor(tenantId)).toString('base64')}))
    e.current = current
    e.rotatedAt = new Date().toISOString()
    e.revision += 1
    this.save()
    const next = {current, keys}
    this.cache.set(tenantId, next)
    for (const l of this.listeners) l.afterRotate(tenantId, next)
    return this.status(tenantId)
  }

  /** Makes the tenant's keys unavailable; the listeners write what they hold in memory first, then forget it. */
  lock(tenantId: string): KeyStatus {
    const keys = this.dataKeys(tenantId)
    for (const l of this.listeners) l.beforeLock(tenantId, keys)
    const e = this.entry(tenantId)
    e.locked = true
    e.lockedAt = new Date().toISOString()
    e.revision += 1
    this.cache.delete(tenantId)
    this.save()
    return this.status(tenantId)
  }

  unlock(tenantId: string): KeyStatus {
    const e = this.entry(tenantId)
    if (e.locked) {
      e.locked = false
      delete e.lockedAt
      e.revision += 1
      this.save()
      const keys = this.dataKeys(tenantId)
      for (const l of this.listeners) l.afterUnlock(tenantId, keys)
    }
    return this.status(tenantId)
  }

  private entry(tenantId: string): TenantEntry {
    let e = this.tenants[tenantId]
    if (!e) {
      const kek = randomBytes(32)
      e = {
        keyVersion: 1,
        kek: kek.toString('base64'),
        dataKeys: [{version: 1, wrapped: seal(kek, 1, randomBytes(32), aadFor(tenantId)).toString('base64')}],
        current: 1,
        locked: false,
        createdAt: new Date().toISOString(),
        revision: 1,
      }
      this.tenants[tenantId] = e
      this.save()
    }
    return e
  }

  private save(): void {
    writeFileSyncAtomic(this.file, JSON.stringify({tenants: this.tenants}, null, 2) + '\n')
  }
}
