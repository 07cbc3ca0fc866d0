// `auth status`: the sign-in of the profile in use (or of every profile), where its secrets are, its routing cache's age, and a check with the platform.
import {readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import type {Context} from '../context.js'
import {effectiveProfile} from '../config/store.js'
import type {StoredCredentials} from '../credentials/types.js'
import type {ExitCodeValue} from '../errors/index.js'
import {checkEnvironment, checkSignIn, type SignInCheck} from './check.js'
import {ciCredentialsFromEnv} from './ci-env.js'
import {profileCacheDir} from './forget.js'
import {identityProviderChanged, issuerChange} from './issuer-check.js'

export interface ProfileStatus {
  profile: string
  /** The profile this run uses (--profile, PPCTL_PROFILE, then the default). */
  active: boolean
  /** "environment" when the CI variables are set (nothing stored), else "profile". */
  mode: 'profile' | 'environment'
  authority: string | null
  signedIn: boolean
  account: string | null
  tenantId: string | null
  method: 'device-code' | 'browser' | 'certificate' | 'federated' | null
  /** When the access token expires (ISO 8601); a refresh token renews it. */
  tokenExpiresAt: string | null
  hasRefreshToken: boolean
  /** Whether the stored tokens are DPoP-bound (RFC 9449): they work only with the key kept with them in the credential store. */
  dpop: boolean
  credentialStore: {kind: 'keychain' | 'file' | 'memory' | 'none'; location: string | null; error?: {code: string; message: string}}
  /** Seconds since the routing cache was written, or null without one. */
  routingCacheAgeSeconds: number | null
  /** Why stored tokens cannot be used (IDENTITY_PROVIDER_CHANGED): `signedIn` is then false. */
  problem?: {code: string; message: string; nextStep?: string; exitCode: ExitCodeValue}
  /** What the platform said of the sign-in (the profile in use, with --check or at a terminal); null when not asked. */
  check: SignInCheck | null
}

export interface StatusOptions {
  /** Every profile, the one in use first; otherwise only the one in use. */
  all?: boolean
  /** Ask the platform whether the sign-in of the profile in use is still good. */
  check?: boolean
  timeoutMs?: number
}

/** The profiles asked for, the one in use first (and alone without `all`), the others by name. */
export async function authStatus(ctx: Context, options: StatusOptions = {}): Promise<ProfileStatus[]> {
  const config = await ctx.config().read()
  const {name: active, profile: activeProfile, exists} = await ctx.activeProfile()
  const ci = ciCredentialsFromEnv(ctx.env)
  if (ci) {
    // Nothing is stored: the certificate sign-in happens on demand, in memory, in each command (and in the check).
    const check = options.check ? await checkEnvironment(ctx, {globalUrl: activeProfile.globalUrl, timeoutMs: options.timeoutMs}) : null
    return [
      {
        profile: active,
        active: true,
        mode: 'environment',
        authority: activeProfile.authority ?? null,
        signedIn: true,
        account: ci.clientId,
        tenantId: ci.tenant,
        method: ci.federated ? 'federated' : 'certificate',
        tokenExpiresAt: null,
        hasRefreshToken: false,
        dpop: false,
        credentialStore: {kind: 'none', location: null},
        routingCacheAgeSeconds: null,
        check,
      },
    ]
  }
  if (!exists && Object.keys(config.profiles).length === 0) return []
  const others = options.all
    ? Object.keys(config.profiles)
        .filter((n) => n !== active)
        .sort()
    : []
  const profiles: ProfileStatus[] = []
  for (const name of [active, ...others]) {
    const stored = config.profiles[name] ?? {}
    const profile =
      name === active
        ? activeProfile
        : effectiveProfile(stored, {...ctx.env, PPCTL_CLIENT_ID: undefined, PPCTL_TENANT_ID: undefined, PPCTL_AUTHORITY: undefined})
    const entry: ProfileStatus = {
      profile: name,
      active: name === active,
      mode: 'profile',
      authority: profile.authority ?? null,
      signedIn: false,
      account: stored.account ?? null,
      tenantId: stored.tenantId ?? null,
      method: stored.authMethod ?? null,
      tokenExpiresAt: stored.tokenExpiresAt ?? null,
      hasRefreshToken: false,
      dpop: false,
      credentialStore: {kind: profile.credentialStore ?? 'keychain', location: null},
      routingCacheAgeSeconds: await cacheAge(ctx, name),
      check: null,
    }
    let creds: StoredCredentials | undefined
    let readable = true
    if (stored.authMethod) {
      try {
        const store = await ctx.credentials().open({profile: name})
        entry.credentialStore = {kind: store.kind, location: store.location}
        creds = await store.get(name)
        entry.hasRefreshToken = Boolean(creds?.refreshToken)
        entry.dpop = Boolean(creds?.dpopKey)
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
        readable = false
      }
    }
    // A store that cannot be read says nothing about the sign-in: its error is shown, not a verdict.
    if (options.check && name === active && readable) {
      entry.check = entry.problem
        ? {
            state: 'issuer-changed',
            checkedAt: new Date(ctx.clock.now()).toISOString(),
            message: entry.problem.message,
            code: entry.problem.code,
            exitCode: entry.problem.exitCode,
            tenantName: null,
            ...(entry.problem.nextStep ? {nextStep: entry.problem.nextStep} : {}),
          }
        : await checkSignIn(ctx, {name, profile, creds, timeoutMs: options.timeoutMs})
    }
    profiles.push(entry)
  }
  return profiles
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
