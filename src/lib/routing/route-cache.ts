// The routing cache: the global service's answers per profile and tenant, kept for their TTL (not secret); in memory in CI mode.
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {writeFileAtomic} from '../config/atomic.js'
import type {HomeRoute} from './types.js'

export interface CachedRoute {
  route: HomeRoute
  fetchedAt: number
  expiresAt: number
}

interface CacheFile {
  version: 1
  entries: Record<string, CachedRoute>
}

/** What resolveHome needs of a cache: the file below, or the in-memory one of a stateless (CI) run. */
export interface RouteCacheStore {
  /** The entry for a key ("me" or a tenant id/name), fresh or not; the caller decides with `now`. */
  get(key: string): Promise<CachedRoute | undefined>
  put(keys: string[], entry: CachedRoute): Promise<void>
  /** Drops the key and every other key of the same tenant. */
  forget(key: string): Promise<void>
  clear(): Promise<void>
}

export class RouteCache implements RouteCacheStore {
  readonly file: string

  constructor(readonly dir: string) {
    this.file = join(dir, 'routes.json')
  }

  static forProfile(cacheRoot: string, profile: string): RouteCache {
    return new RouteCache(join(cacheRoot, profile))
  }

  /** The file as this run last read or wrote it: read once per run, however many requests ask for the route. */
  private loaded?: Promise<CacheFile>

  private read(): Promise<CacheFile> {
    return (this.loaded ??= this.load())
  }

  private async load(): Promise<CacheFile> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as CacheFile
      if (parsed?.version === 1 && typeof parsed.entries === 'object') return parsed
    } catch {
      // Missing or unreadable: a cache is only a cache.
    }
    return {version: 1, entries: {}}
  }

  /** The entry for a key ("me" or a tenant id/name), fresh or not; the caller decides with `now`. */
  async get(key: string): Promise<CachedRoute | undefined> {
    return (await this.read()).entries[key.toLowerCase()]
  }

  // A change reads the file afresh (keeping what other runs wrote since), writes it, and is what this run reads next.
  async put(keys: string[], entry: CachedRoute): Promise<void> {
    const file = await this.load()
    for (const key of keys) file.entries[key.toLowerCase()] = entry
    await this.write(file)
  }

  async forget(key: string): Promise<void> {
    const file = await this.load()
    forgetIn(file.entries, key)
    await this.write(file)
  }

  private async write(file: CacheFile): Promise<void> {
    this.loaded = Promise.resolve(file)
    await writeFileAtomic(this.file, JSON.stringify(file, null, 2) + '\n')
  }

  async clear(): Promise<void> {
    this.loaded = Promise.resolve({version: 1, entries: {}})
    await rm(this.dir, {recursive: true, force: true})
  }
}

/** A cache that lives as long as one command run and touches no file: CI mode promises nothing is written. */
export class MemoryRouteCache implements RouteCacheStore {
  private entries: Record<string, CachedRoute> = {}

  async get(key: string): Promise<CachedRoute | undefined> {
    return this.entries[key.toLowerCase()]
  }

  async put(keys: string[], entry: CachedRoute): Promise<void> {
    for (const key of keys) this.entries[key.toLowerCase()] = entry
  }

  async forget(key: string): Promise<void> {
    forgetIn(this.entries, key)
  }

  async clear(): Promise<void> {
    this.entries = {}
  }
}

function forgetIn(entries: Record<string, CachedRoute>, key: string): void {
  const target = entries[key.toLowerCase()]?.route.tenantId
  for (const [k, v] of Object.entries(entries)) if (k === key.toLowerCase() || v.route.tenantId === target) delete entries[k]
}
