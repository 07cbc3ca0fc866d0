// One command run's view of a credential store: each profile's record is read once and kept, so a bulk run of
// thousands of requests reads the keychain (and starts its helper process) once, not once per request.
import {pickCredentials} from './credentials-json.js'
import type {CredentialStore, StoredCredentials} from './types.js'

const copy = (record: StoredCredentials | undefined) => (record ? {...record} : undefined)

export class CachedStore implements CredentialStore {
  private readonly records = new Map<string, Promise<StoredCredentials | undefined>>()

  constructor(private readonly inner: CredentialStore) {}

  get kind() {
    return this.inner.kind
  }

  get location() {
    return this.inner.location
  }

  async get(profile: string): Promise<StoredCredentials | undefined> {
    let record = this.records.get(profile)
    if (!record) {
      record = this.inner.get(profile)
      this.records.set(profile, record)
      // A failed read (keychain locked, timed out) is not remembered: the next call tries again.
      record.catch(() => this.records.get(profile) === record && this.records.delete(profile))
    }
    return copy(await record)
  }

  async set(profile: string, credentials: StoredCredentials): Promise<void> {
    this.records.delete(profile)
    await this.inner.set(profile, credentials)
    this.records.set(profile, Promise.resolve(pickCredentials(credentials)))
  }

  async delete(profile: string): Promise<void> {
    this.records.delete(profile)
    await this.inner.delete(profile)
    this.records.set(profile, Promise.resolve(undefined))
  }

  /** The next get reads the store again: under the profile lock, where another process may have renewed the tokens. */
  forget(profile: string): void {
    this.records.delete(profile)
  }
}
