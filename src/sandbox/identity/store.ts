// A small durable key-value store for the identity's state: one JSON file, rewritten atomically after every change.
import {existsSync, readFileSync} from 'node:fs'

import {writeFileSyncAtomic} from '../fs-util.js'

export interface StoredEntry {
  payload: Record<string, unknown>
  /** Epoch milliseconds after which the entry is gone; absent for entries without expiry. */
  expiresAt?: number
}

interface StoreFile {
  version: 1
  entries: Record<string, StoredEntry>
}

/**
 * The whole state lives in memory and on disk; each mutation is applied in memory and written (temp, fsync, rename)
 * before it returns, synchronously, so sequential requests always see each other's writes and a restart loses nothing
 * that was acknowledged. Expired entries are never returned and are dropped at the next write.
 */
export class JsonFileStore {
  private entries = new Map<string, StoredEntry>()

  constructor(
    private readonly file: string,
    private readonly now: () => number = Date.now,
  ) {
    if (existsSync(file)) {
      const data = JSON.parse(readFileSync(file, 'utf8')) as StoreFile
      if (data.version !== 1 || typeof data.entries !== 'object') throw new Error(`${file} has an unknown format`)
      for (const [key, entry] of Object.entries(data.entries)) {
        if (!this.expired(entry)) this.entries.set(key, entry)
      }
    }
  }

  private expired(entry: StoredEntry): boolean {
    return entry.expiresAt !== undefined && entry.expiresAt <= this.now()
  }

  get(key: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(key)
    if (!entry || this.expired(entry)) return undefined
    return structuredClone(entry.payload)
  }

  /** The first live entry under `prefix` whose payload satisfies `match`. */
  findKey(prefix: string, match: (payload: Record<string, unknown>) => boolean): string | undefined {
    for (const [key, entry] of this.entries) {
      if (key.startsWith(prefix) && !this.expired(entry) && match(entry.payload)) return key
    }
    return undefined
  }

  set(key: string, payload: Record<string, unknown>, ttlMs?: number): void {
    const entry: StoredEntry = {payload: structuredClone(payload)}
    if (ttlMs !== undefined) entry.expiresAt = this.now() + ttlMs
    this.entries.set(key, entry)
    this.persist()
  }

  update(key: string, change: (payload: Record<string, unknown>) => void): boolean {
    const entry = this.entries.get(key)
    if (!entry || this.expired(entry)) return false
    change(entry.payload)
    this.persist()
    return true
  }

  delete(keys: string | string[]): void {
    let changed = false
    for (const key of Array.isArray(keys) ? keys : [keys]) changed = this.entries.delete(key) || changed
    if (changed) this.persist()
  }

  keysWhere(prefix: string, match: (payload: Record<string, unknown>) => boolean): string[] {
    return [...this.entries].filter(([key, entry]) => key.startsWith(prefix) && match(entry.payload)).map(([key]) => key)
  }

  private persist(): void {
    const entries: Record<string, StoredEntry> = {}
    for (const [key, entry] of this.entries) {
      if (this.expired(entry)) this.entries.delete(key)
      else entries[key] = entry
    }
    const data: StoreFile = {version: 1, entries}
    writeFileSyncAtomic(this.file, JSON.stringify(data) + '\n', 0o600)
  }
}
