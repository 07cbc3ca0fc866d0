// Forgets a profile's sign-in: its secrets in the credential store, every cache under its name, and the sign-in facts in its config.
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import type {Context} from '../context.js'
import type {Profile} from '../config/store.js'

/** The profile's fields that describe a sign-in (cleared at logout and when the sign-in is revoked). */
const SIGN_IN_FIELDS = [
  'account',
  'tenantId',
  'authMethod',
  'tokenExpiresAt',
  'signedInAt',
  'certificatePath',
  'certificateThumbprint',
  'federatedProvider',
  'federatedTokenFile',
  'federatedAudience',
] as const satisfies ReadonlyArray<keyof Profile>

/** The folder of every cache kept for a profile (the routing cache among them). */
export function profileCacheDir(ctx: Context, profile: string): string {
  return join(ctx.paths.cache, profile)
}

export async function forgetSignIn(ctx: Context, profile: string): Promise<{cacheDir: string}> {
  await ctx.credentials().deleteSecrets(profile)
  const cacheDir = profileCacheDir(ctx, profile)
  // The routing cache this run holds is forgotten too, not only its file.
  await (await ctx.router().cache(profile)).clear()
  await rm(cacheDir, {recursive: true, force: true})
  const config = await ctx.config().read()
  const stored = config.profiles[profile]
  if (stored && SIGN_IN_FIELDS.some((f) => stored[f] !== undefined)) {
    await ctx.config().update((c) => {
      const p = c.profiles[profile]
      if (p) for (const field of SIGN_IN_FIELDS) delete p[field]
    })
  }
  return {cacheDir}
}

/** Records the sign-in facts (never a secret) in the profile, creating the profile when needed. */
export async function recordSignIn(ctx: Context, profile: string, fields: Partial<Profile>): Promise<void> {
  await ctx.config().update((c) => {
    const p: Profile = {...c.profiles[profile]}
    for (const field of SIGN_IN_FIELDS) delete p[field]
    c.profiles[profile] = {...p, ...stripUndefined(fields)}
  })
}

/** Updates only the expiry after a refresh. */
export async function recordExpiry(ctx: Context, profile: string, expiresAt: number): Promise<void> {
  await ctx.config().update((c) => {
    const p = c.profiles[profile]
    if (p) p.tokenExpiresAt = new Date(expiresAt).toISOString()
  })
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
