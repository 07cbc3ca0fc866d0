// Chooses and opens a profile's credential store: --insecure-storage, PPCTL_CREDENTIAL_STORE, the profile, keychain.
import {rm} from 'node:fs/promises'

import type {Context} from '../context.js'
import {UsageError} from '../errors/index.js'
import {CachedStore} from './cached-store.js'
import {KeychainUnavailableError} from './errors.js'
import {credentialFile, FileStore, insecureStorageWarning} from './file-store.js'
import {MemoryStore} from './memory-store.js'
import type {KeyringBackend} from './keyring-child.js'
import type {CredentialStore, CredentialStoreKind} from './types.js'

export interface KeychainOptions {
  /** Per keychain call; 10 s by default. */
  timeoutMs?: number
  /** Characters per keychain entry; 1,200 on Windows (its 2,560-byte limit), 16,000 elsewhere. */
  chunkSize?: number
  /** Tests: a keyring other than the child process. */
  backend?: KeyringBackend
  platform?: NodeJS.Platform
}

export interface OpenCredentialStoreOptions {
  profile: string
  /** --insecure-storage: the file store, whatever the profile or environment says. */
  insecureStorage?: boolean
  keychain?: KeychainOptions
  /** What lasts for one command run (the context's credential access keeps it): a fresh one per call otherwise. */
  session?: StoreSession
}

/** The memory store of a run, whether it has printed the file-store warning, and the stores it opened (read once each). */
export interface StoreSession {
  memory?: MemoryStore
  warned: boolean
  /** By kind (and profile for the file store): one keychain helper process per run, one read per record. */
  stores?: Map<string, CachedStore>
}

/** The session's store under key, opened once; without a session, a fresh one each time (as before). */
async function kept(session: StoreSession | undefined, key: string, open: () => CredentialStore | Promise<CredentialStore>): Promise<CredentialStore> {
  if (!session) return open()
  const stores = (session.stores ??= new Map())
  let store = stores.get(key)
  if (!store) {
    store = new CachedStore(await open())
    stores.set(key, store)
  }
  return store
}

/** Under the profile lock: the next read of the profile goes to the store itself (another process may have renewed it). */
export function forgetCachedRecord(session: StoreSession, profile: string): void {
  for (const store of session.stores?.values() ?? []) store.forget(profile)
}

/** PPCTL_NO_WARNINGS=1: a script that chose the file store knows; the warning is not repeated at every run. */
const warningsOff = (env: NodeJS.ProcessEnv) => env.PPCTL_NO_WARNINGS !== undefined && env.PPCTL_NO_WARNINGS !== '' && env.PPCTL_NO_WARNINGS !== '0'

const KINDS: readonly CredentialStoreKind[] = ['keychain', 'file', 'memory']

/** Which store a profile uses, without opening it. */
export async function selectCredentialStoreKind(ctx: Context, options: OpenCredentialStoreOptions): Promise<CredentialStoreKind> {
  if (options.insecureStorage) return 'file'
  const fromEnv = ctx.env.PPCTL_CREDENTIAL_STORE
  if (fromEnv) {
    if (!(KINDS as readonly string[]).includes(fromEnv)) {
      throw new UsageError('INVALID_CREDENTIAL_STORE', `PPCTL_CREDENTIAL_STORE is "${fromEnv}"; it must be keychain, file or memory.`, {
        nextStep: 'Set PPCTL_CREDENTIAL_STORE to keychain, file or memory, or unset it.',
      })
    }
    return fromEnv as CredentialStoreKind
  }
  const config = await ctx.config().read()
  return config.profiles[options.profile]?.credentialStore ?? 'keychain'
}

/**
 * The profile's credential store. The file store reports its warning once per session (command run), for the
 * profile in use only (auth status reads the others too, and they are not what this run puts at risk).
 * Throws KeychainUnavailableError at once when no D-Bus session bus is set on Linux; other keychain
 * failures (KEYCHAIN_UNAVAILABLE, KEYCHAIN_TIMEOUT) surface at the first get/set/delete. Never falls back.
 */
export async function openCredentialStore(ctx: Context, options: OpenCredentialStoreOptions): Promise<CredentialStore> {
  const kind = await selectCredentialStoreKind(ctx, options)
  const session = options.session ?? {warned: false}
  if (kind === 'memory') return (session.memory ??= new MemoryStore())
  if (kind === 'file') {
    const store = await kept(options.session, `file:${options.profile}`, () => new FileStore(ctx.paths.config, options.profile))
    if (!session.warned && !warningsOff(ctx.env) && options.profile === (await ctx.activeProfile()).name) {
      session.warned = true
      ctx.reporter.warn(insecureStorageWarning(store.location, options.profile))
    }
    return store
  }
  return kept(options.session, 'keychain', () => openKeychain(ctx, options.keychain ?? {}))
}

async function openKeychain(ctx: Context, options: KeychainOptions): Promise<CredentialStore> {
  const platform = options.platform ?? process.platform
  if (platform === 'linux' && !options.backend && !ctx.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new KeychainUnavailableError('no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)', platform)
  }
  // Loaded here so that commands which never touch credentials pay nothing for them.
  const [{KeychainStore, KEYCHAIN_SERVICE, chunkSizeFor, locationFor}, {createChildKeyring}] = await Promise.all([
    import('./keychain-store.js'),
    import('./keyring-child.js'),
  ])
  const backend = options.backend ?? createChildKeyring({service: KEYCHAIN_SERVICE, env: ctx.env, timeoutMs: options.timeoutMs, platform})
  return new KeychainStore(backend, locationFor(platform), options.chunkSize ?? chunkSizeFor(platform))
}

/**
 * For `auth logout`: deletes every secret of the profile from its store (every keychain entry, all
 * pieces), and any insecure file left from an earlier opt-in. Returns the store that was cleared.
 */
export async function deleteProfileSecrets(ctx: Context, options: OpenCredentialStoreOptions): Promise<{kind: CredentialStoreKind; location: string}> {
  const kind = await selectCredentialStoreKind(ctx, options)
  if (kind !== 'file') await rm(credentialFile(ctx.paths.config, options.profile), {force: true})
  const store =
    kind === 'file'
      ? await kept(options.session, `file:${options.profile}`, () => new FileStore(ctx.paths.config, options.profile))
      : await openCredentialStore(ctx, options)
  await store.delete(options.profile)
  return {kind, location: store.location}
}
