// How auth reaches the credential store and the profile lock: the real ones by default, fakes in tests.
import type {Context} from '../context.js'
import type {CredentialStore} from '../credentials/types.js'

export interface CredentialAccess {
  open(ctx: Context, options: {profile: string; insecureStorage?: boolean}): Promise<CredentialStore>
  withLock<T>(ctx: Context, profile: string, fn: () => Promise<T>): Promise<T>
  /** Every secret of the profile, in whichever store holds it (an insecure file left from an earlier opt-in too). */
  deleteSecrets(ctx: Context, profile: string): Promise<void>
}

/** The credential store module (keychain, opt-in file, memory) and its cross-process lock, loaded on first use. */
export const defaultCredentialAccess: CredentialAccess = {
  async open(ctx, options) {
    const {openCredentialStore} = await import('../credentials/index.js')
    return openCredentialStore(ctx, options)
  },
  async withLock(ctx, profile, fn) {
    const {withProfileLock} = await import('../credentials/index.js')
    return withProfileLock(ctx, profile, fn)
  },
  async deleteSecrets(ctx, profile) {
    const {deleteProfileSecrets} = await import('../credentials/index.js')
    await deleteProfileSecrets(ctx, {profile})
  },
}
