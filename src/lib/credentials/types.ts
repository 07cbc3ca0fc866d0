// The credential store's contract: where a profile's secrets live (keychain, opt-in file, or memory).
//
// For the auth engineer:
// - Open a store with `openCredentialStore(ctx, {profile, insecureStorage})` from './index.js'.
//   It throws KeychainUnavailableError (code KEYCHAIN_UNAVAILABLE) or KeychainTimeoutError
//   (code KEYCHAIN_TIMEOUT) — branch on `code`, never on the message.
// - Wrap read–refresh–save in `withProfileLock(ctx, profile, fn)` and re-read the store inside it.
// - `auth logout`: `store.delete(profile)` removes every entry (all chunks) of the profile.
// - `get` returns undefined when nothing is stored; `set` replaces the whole record.
export interface StoredCredentials {
  accessToken?: string
  /** Epoch milliseconds. */
  accessTokenExpiresAt?: number
  refreshToken?: string
  idToken?: string
  /** DPoP (RFC 9449): the private key the tokens are bound to; kept with them, in the same store, never elsewhere. */
  dpopKey?: DpopJwk
}

/** An ES256 (P-256) private key as a JWK: all a DPoP key needs. */
export interface DpopJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  d: string
}

export type CredentialStoreKind = 'keychain' | 'file' | 'memory'

export interface CredentialStore {
  readonly kind: CredentialStoreKind
  /** For people: "Secret Service (collection login)", "macOS Keychain", "Windows Credential Manager", or the insecure file's path. */
  readonly location: string
  get(profile: string): Promise<StoredCredentials | undefined>
  set(profile: string, credentials: StoredCredentials): Promise<void>
  delete(profile: string): Promise<void>
}
