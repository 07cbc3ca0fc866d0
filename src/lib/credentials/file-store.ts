// The opt-in file store: one unencrypted JSON file per profile, 0600 in a 0700 folder, written atomically.
import {chmod, readFile, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {ensurePrivateDir, writeFileAtomic} from '../config/atomic.js'
import {text, type Rendered} from '../output/render.js'
import {parseCredentials, pickCredentials} from './credentials-json.js'
import type {CredentialStore, StoredCredentials} from './types.js'

function credentialsDir(configDir: string): string {
  return join(configDir, 'credentials')
}

export function credentialFile(configDir: string, profile: string): string {
  return join(credentialsDir(configDir), `${profile}.json`)
}

/** The one-line warning reported once per command run that uses the file store. */
export function insecureStorageWarning(file: string, profile: string): Rendered {
  return text`Warning: ppctl keeps the tokens of profile "${profile}" unencrypted in ${file} (insecure storage). To move them to the OS keychain: ppctl config set credential-store keychain --profile ${profile}, unset PPCTL_CREDENTIAL_STORE, and sign in again without --insecure-storage.`
}

export class FileStore implements CredentialStore {
  readonly kind = 'file' as const
  readonly location: string

  constructor(
    private readonly configDir: string,
    profile: string,
  ) {
    this.location = credentialFile(configDir, profile)
  }

  async get(profile: string): Promise<StoredCredentials | undefined> {
    const file = credentialFile(this.configDir, profile)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    await tightenMode(file)
    return parseCredentials(text)
  }

  async set(profile: string, credentials: StoredCredentials): Promise<void> {
    await ensurePrivateDir(credentialsDir(this.configDir))
    await writeFileAtomic(credentialFile(this.configDir, profile), JSON.stringify(pickCredentials(credentials)) + '\n', 0o600)
  }

  async delete(profile: string): Promise<void> {
    await rm(credentialFile(this.configDir, profile), {force: true})
  }
}

/** A file someone made readable by others is put back to 0600 (POSIX only). */
async function tightenMode(file: string): Promise<void> {
  if (process.platform === 'win32') return
  const {mode} = await stat(file)
  if ((mode & 0o077) !== 0) await chmod(file, 0o600)
}
