// How a context reaches the credential store and the profile lock: built by the context, replaced by a fake in tests.
import type {Context} from '../context.js'
import type {CredentialStore} from '../credentials/types.js'
import type {StoreSession} from '../credentials/open.js'

export interface CredentialAccess {
  open(options: {profile: string; insecureStorage?: boolean}): Promise<CredentialStore>
  withLock<T>(profile: string, fn: () => Promise<T>): Promise<T>
  /** Every secret of the profile, in whichever store holds it (an insecure file left from an earlier opt-in too). */
  deleteSecrets(profile: string): Promise<void>
}

/**
 * The real stores (keychain, opt-in file, memory) and the cross-process lock, for one context. The credential
 * modules are loaded on first use, so a command that never touches credentials pays nothing for them; the memory
 * store and the "file store warned" marks live as long as the context (one command run).
 */
export function createCredentialAccess(ctx: Context): CredentialAccess {
  const session: StoreSession = {warned: false}
  const credentials = () => import('../credentials/index.js')
  return {
    async open(options) {
      return (await credentials()).openCredentialStore(ctx, {...options, session})
    },
    async withLock(profile, fn) {
      const c = await credentials()
      return c.withProfileLock(ctx, profile, () => {
        c.forgetCachedRecord(session, profile)
        return fn()
      })
    },
    async deleteSecrets(profile) {
      await (await credentials()).deleteProfileSecrets(ctx, {profile, session})
    },
  }
}
