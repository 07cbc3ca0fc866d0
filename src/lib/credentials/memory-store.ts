// The memory store: for CI runs signed in with certificate variables; nothing reaches disk or keychain.
import {pickCredentials} from './credentials-json.js'
import type {CredentialStore, StoredCredentials} from './types.js'

export class MemoryStore implements CredentialStore {
  readonly kind = 'memory' as const
  readonly location = 'memory (this process only)'
  private readonly entries = new Map<string, StoredCredentials>()

  async get(profile: string): Promise<StoredCredentials | undefined> {
    const found = this.entries.get(profile)
    return found ? {...found} : undefined
  }

  async set(profile: string, credentials: StoredCredentials): Promise<void> {
    this.entries.set(profile, pickCredentials(credentials))
  }

  async delete(profile: string): Promise<void> {
    this.entries.delete(profile)
  }
}
