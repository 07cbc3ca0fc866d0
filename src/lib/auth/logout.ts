// `auth logout`: revoke the refresh token where the provider offers it, then forget the secrets and every cache of the profile.
import {readFile, rm} from 'node:fs/promises'

import type {Context} from '../context.js'
import type {Profile} from '../config/store.js'
import type {CredentialStore} from '../credentials/types.js'
import type {Http} from '../http/types.js'
import {NotFoundError} from '../errors/index.js'
import {discover} from './discovery.js'
import {forgetSignIn, profileCacheDir} from './forget.js'

export interface LogoutEntry {
  profile: string
  /** Whether the provider confirmed the revocation of the refresh token. */
  revoked: boolean
  /** Why not, when it was not: "no refresh token", "the provider offers no revocation", or the error. */
  revocationNote?: string
  credentialsDeleted: boolean
  cacheDeleted: string
}

export interface LogoutResult {
  profiles: LogoutEntry[]
}

export async function logout(ctx: Context, options: {all?: boolean} = {}): Promise<LogoutResult> {
  const config = await ctx.config().read()
  let names: string[]
  if (options.all) {
    names = Object.keys(config.profiles)
  } else {
    const {name, exists} = await ctx.activeProfile()
    if (!exists) {
      throw new NotFoundError('PROFILE_NOT_FOUND', `There is no profile "${name}".`, {nextStep: 'See the profiles with: ppctl auth list'})
    }
    names = [name]
  }
  const profiles: LogoutEntry[] = []
  for (const name of names) profiles.push(await logoutOne(ctx, name))
  return {profiles}
}

const KEYCHAIN_DOWN = new Set(['KEYCHAIN_UNAVAILABLE', 'KEYCHAIN_TIMEOUT'])

async function logoutOne(ctx: Context, name: string): Promise<LogoutEntry> {
  const config = await ctx.config().read()
  const stored = config.profiles[name] ?? {}
  let store: CredentialStore
  try {
    store = await ctx.credentials().open({profile: name})
  } catch (err) {
    // A profile that never signed in has nothing in the keychain: an unreachable keychain must not block `logout --all`.
    if (stored.authMethod || !KEYCHAIN_DOWN.has((err as {code?: string}).code ?? '')) throw err
    await rm(profileCacheDir(ctx, name), {recursive: true, force: true})
    return {profile: name, revoked: false, revocationNote: 'not signed in', credentialsDeleted: false, cacheDeleted: profileCacheDir(ctx, name)}
  }
  return ctx.credentials().withLock(name, async () => {
    const creds = await store.get(name)
    let revoked = false
    let revocationNote: string | undefined
    if (!creds?.refreshToken) {
      revocationNote = 'no refresh token'
    } else if (!stored.authority || !stored.clientId) {
      revocationNote = 'the profile names no provider'
    } else {
      try {
        revoked = await revoke(ctx, name, stored, creds.refreshToken)
        if (!revoked) revocationNote = 'the provider offers no revocation'
      } catch (err) {
        // Signing out must work offline too: the local secrets go regardless.
        revocationNote = `revocation failed: ${(err as {code?: string}).code ?? 'error'}`
      }
    }
    const {cacheDir} = await forgetSignIn(ctx, name)
    return {profile: name, revoked, ...(revocationNote ? {revocationNote} : {}), credentialsDeleted: true, cacheDeleted: cacheDir}
  })
}

/** Revokes at the profile's own provider, trusting the profile's own CA (with --all it may not be the active profile). */
async function revoke(ctx: Context, name: string, stored: Profile, refreshToken: string): Promise<boolean> {
  const client = await import('openid-client')
  const {name: active} = await ctx.activeProfile()
  let http: Http | undefined
  if (name !== active) {
    const {createHttp} = await import('../http/client.js')
    const ca = stored.caFile ? await readFile(stored.caFile, 'utf8').catch(() => undefined) : undefined
    http = createHttp({env: ctx.env, ca, userAgent: `ppctl/${ctx.version}`, debug: ctx.debug})
  }
  try {
    const oidc = await discover(ctx, {authority: stored.authority!, clientId: stored.clientId!, http})
    if (!oidc.serverMetadata().revocation_endpoint) return false
    await client.tokenRevocation(oidc, refreshToken, {token_type_hint: 'refresh_token'})
    return true
  } finally {
    await http?.close()
  }
}
