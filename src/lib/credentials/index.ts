// The credential store and the per-profile lock: the module the auth code imports.
export type {CredentialStore, CredentialStoreKind, StoredCredentials} from './types.js'
export {
  deleteProfileSecrets,
  forgetCachedRecord,
  openCredentialStore,
  selectCredentialStoreKind,
  type KeychainOptions,
  type OpenCredentialStoreOptions,
  type StoreSession,
} from './open.js'
export {lockFileFor, withProfileLock, type ProfileLockOptions} from './lock.js'
export {CredentialLockTimeoutError, KeychainTimeoutError, KeychainUnavailableError} from './errors.js'
export {credentialFile} from './file-store.js'
export type {KeyringBackend} from './keyring-child.js'
