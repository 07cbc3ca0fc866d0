// `auth status`: each profile's sign-in (account, tenant, method, expiry), where its secrets are, and its routing cache's age.
import {readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import type {Context} from '../context.js'
import {effectiveProfile} from '../config/store.js'
import type {ExitCodeValue} from '../errors/index.js'
import {ciCredentialsFromEnv} from './ci-env.js'
import {profileCacheDir} from './forget.js'
import {identityProviderChanged, issuerChange} from './issuer-check.js'

export interface ProfileStatus {
  profile: string
  active: boolean
  authority: string | null
  signedIn: boolean
  account: string | null
  tenantId: string | null
  method: 'device-code' | 'certificate' | null
  /** When the access token expires (ISO 8601); a refresh token renews it. */
  tokenExpiresAt: string | null
  hasRefreshToken: boolean
  credentialStore: {kind: 'keychain' | 'file' | 'memory' | 'none'; location: string | null; error?: {code: string; message: string}}
  /** Seconds since the routing cache was written, or null without one. */
  routingCacheAgeSeconds: number | null
  /** Why stored tokens cannot be used (IDENTITY_PROVIDER_CHANGED): `signedIn` is then false. */
  problem?: {code: string; message: string; nextStep?: string; exitCode: ExitCodeValue}
}

export interface StatusResult {
  /** "environment" when the CI variables are set (nothing stored), else "profile". */
  mode: 'profile' | 'environment'
  profiles: ProfileStatus[]
}

export async function authStatus(ctx: Context): Promise<StatusResult> {
  const config = await ctx.config().read()
  const {name: active, profile: activeProfile} = await ctx.activeProfile()
  const ci = ciCredentialsFromEnv(ctx.env)
  if (ci) {
    return {
      mode: 'environment',
      profiles: [
        {
          profile: active,
          active: true,
          authority: activeProfile.authority ?? null,
          signedIn: true,
          account: ci.clientId,
          tenantId: ci.tenant,
          method: 'certificate',
          tokenExpiresAt: null,
          hasRefreshToken: false,
          credentialStore: {kind: 'none', location: null},
          routingCacheAgeSeconds: null,
        },
      ],
    }
  }
  const names = Object.keys(config.profiles).sort()
  const profiles: ProfileStatus[] = []
  for (const name of names) {
    const stored = config.profiles[name]
    const profile =
      name === active
        ? activeProfile
        : effectiveProfile(stored, {...ctx.env, PPCTL_CLIENT_ID: undefined, PPCTL_TENANT_ID: undefined, PPCTL_AUTHORITY: undefined})
    const entry: ProfileStatus = {
      profile: name,
      active: name === active,
      authority: profile.authority ?? null,
      signedIn: false,
      account: stored.account ?? null,
      tenantId: stored.tenantId ?? null,
      method: stored.authMethod ?? null,
      tokenExpiresAt: stored.tokenExpiresAt ?? null,
      hasRefreshToken: false,
      credentialStore: {kind: profile.credentialStore ?? 'keychain', location: null},
      routingCacheAgeSeconds: await cacheAge(ctx, name),
    }
    if (stored.authMethod) {
      try {
        const store = await ctx.credentials().open({profile: name})
        entry.credentialStore = {kind: store.kind, location: store.location}
        const creds = await store.get(name)
        entry.hasRefreshToken = Boolean(creds?.refreshToken)
        entry.signedIn = Boolean(creds?.refreshToken || creds?.accessToken)
        if (creds?.accessTokenExpiresAt) entry.tokenExpiresAt = new Date(creds.accessTokenExpiresAt).toISOString()
        // The same check every command makes before using the tokens: "signed in" must mean the platform accepts them.
        const changed = issuerChange(profile, creds)
        if (changed) {
          entry.signedIn = false
          const {code, message, nextStep, exitCode} = identityProviderChanged(name, changed)
          entry.problem = {code, message, exitCode, ...(nextStep ? {nextStep} : {})}
        }
      } catch (err) {
        const e = err as {code?: string; message?: string}
        entry.credentialStore.error = {code: e.code ?? 'UNEXPECTED', message: e.message ?? String(err)}
      }
    }
    profiles.push(entry)
  }
  return {mode: 'profile', profiles}
}

/** Age of the newest file in the profile's cache folder. */
async function cacheAge(ctx: Context, profile: string): Promise<number | null> {
  const dir = profileCacheDir(ctx, profile)
  let newest = 0
  try {
    for (const entry of await readdir(dir, {withFileTypes: true})) {
      if (entry.isFile()) newest = Math.max(newest, (await stat(join(dir, entry.name))).mtimeMs)
    }
  } catch {
    return null
  }
  return newest === 0 ? null : Math.max(0, Math.round((ctx.clock.now() - newest) / 1000))
}
