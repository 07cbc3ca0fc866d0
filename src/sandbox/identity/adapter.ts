// oidc-provider's persistence adapter: every model in the JSON file store, except Client, which the Directory serves.
import type {Adapter, AdapterPayload} from 'oidc-provider'

import type {Directory} from '../directory.js'
import {servicePrincipalClient} from './clients.js'
import type {JsonFileStore} from './store.js'

/** Sessions, interactions, grants, device codes, refresh tokens, replay records: one key space per model in the store. */
class StoreAdapter implements Adapter {
  private readonly prefix: string

  constructor(
    model: string,
    private readonly store: JsonFileStore,
    private readonly graceMs: number,
  ) {
    this.prefix = `${model}:`
  }

  private key(id: string): string {
    return `${this.prefix}${id}`
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    // Kept for the clock tolerance past expiry, as oidc-provider's own adapter does, so an expired device code reads as expired, not unknown.
    this.store.set(this.key(id), payload, typeof expiresIn === 'number' ? expiresIn * 1000 + this.graceMs : undefined)
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.get(this.key(id)) as AdapterPayload | undefined
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const key = this.store.findKey(this.prefix, (p) => p.userCode === userCode)
    return key ? (this.store.get(key) as AdapterPayload) : undefined
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const key = this.store.findKey(this.prefix, (p) => p.uid === uid)
    return key ? (this.store.get(key) as AdapterPayload) : undefined
  }

  async consume(id: string): Promise<void> {
    this.store.update(this.key(id), (p) => {
      p.consumed = Math.floor(Date.now() / 1000)
    })
  }

  async destroy(id: string): Promise<void> {
    this.store.delete(this.key(id))
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.store.delete(this.store.keysWhere(this.prefix, (p) => p.grantId === grantId))
  }
}

/** Service principals as oidc-provider clients, read from the Directory at each lookup (new ones work at once). */
class DirectoryClientAdapter implements Adapter {
  constructor(
    private readonly directory: Directory,
    private readonly federationJwk?: Record<string, unknown>,
  ) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    const sp = this.directory.findServicePrincipal(id)
    return sp ? servicePrincipalClient(sp, this.federationJwk) : undefined
  }

  async upsert(): Promise<void> {
    throw new Error('clients of the local platform are registered through the Directory')
  }

  async findByUserCode(): Promise<undefined> {
    return undefined
  }

  async findByUid(): Promise<undefined> {
    return undefined
  }

  async consume(): Promise<void> {}

  async destroy(): Promise<void> {}

  async revokeByGrantId(): Promise<void> {}
}

/** The `adapter` option: a factory oidc-provider calls once per model name. */
export function createAdapterFactory(
  store: JsonFileStore,
  directory: Directory,
  clockToleranceSeconds: number,
  federationJwk?: Record<string, unknown>,
): (model: string) => Adapter {
  return (model) => (model === 'Client' ? new DirectoryClientAdapter(directory, federationJwk) : new StoreAdapter(model, store, clockToleranceSeconds * 1000))
}
