// `auth login`: device code for people, a certificate for service principals, or a check of the CI variables; secrets go to the credential store only.
import {resolve} from 'node:path'

import type {Context} from '../context.js'
import {findConfigKey, parseConfigValue} from '../config/keys.js'
import type {Profile} from '../config/store.js'
import {NotFoundError, UsageError} from '../errors/index.js'
import type {Http} from '../http/types.js'
import {browserSignIn, type BrowserSignInInfo} from './browser-flow.js'
import {certificateGrant, loadClientCertificate} from './certificate-sign-in.js'
import {ciCredentialsFromEnv} from './ci-env.js'
import {pollDeviceToken, startDeviceAuthorization, type DeviceCodeInfo} from './device-flow.js'
import {discover, parseAuthority} from './discovery.js'
import {checkDpopBound, newDpopKey, tokenEndpointDpop} from './dpop.js'
import {recordSignIn} from './forget.js'
import {describeSource, federatedGrant, federatedSource, type FederatedProviderName} from './federated-token.js'
import {resourceFor, SIGN_IN_SCOPE} from './resource.js'
import {identityOf, toStoredCredentials} from './token-response.js'

export interface LoginResult {
  profile: string
  method: 'device-code' | 'browser' | 'certificate' | 'federated'
  account: string | null
  tenantId: string | null
  authority: string
  clientId: string
  /** When the access token expires (ISO 8601). */
  expiresAt: string
  /** keychain, file or memory; "none" in CI mode, where nothing is stored. */
  credentialStore: 'keychain' | 'file' | 'memory' | 'none'
  credentialLocation: string | null
  certificateThumbprint?: string
  /** Federated sign-in: where the CI system's token came from (never the token). */
  federatedSource?: string
  /** Whether the tokens are DPoP-bound to a key kept with them in the credential store. */
  dpop: boolean
  /** Warnings a person should act on (a key file readable by others, an insecure store). */
  warnings: string[]
}

export interface LoginOptions {
  /** Creates or updates the profile's authority. */
  authority?: string
  clientId?: string
  tenant?: string
  resource?: string
  /** The rest of what a profile needs, so that one command creates it. */
  globalUrl?: string
  caFile?: string
  /** Comma-separated host patterns, as for `config set cluster-allow-list`. */
  clusterAllowList?: string
  /** Copy the platform settings (authority, client id, global URL, CA file, allow-list, resource) of this profile. */
  from?: string
  certificate?: string
  /** Federated sign-in (workload identity federation): the CI system's token from this file, re-read at every renewal. */
  federatedTokenFile?: string
  /** Federated sign-in: where the token comes from (auto: the first of file, GitHub, Azure DevOps, GitLab found). */
  federatedProvider?: FederatedProviderName
  /** Federated sign-in: the audience asked of GitHub or Azure DevOps (default api://ppctl). */
  federatedAudience?: string
  insecureStorage?: boolean
  /** Bind the tokens to a new DPoP key (true), or not (false); saved in the profile. Unset: as the profile says. */
  dpop?: boolean
  /** Device code: called once the code is known, for the prompt (and the JSON line on stderr). */
  onDeviceCode?: (info: DeviceCodeInfo) => void
  /** Device code: called before each wait (spinner). */
  onWait?: (ms: number, reason: string) => void
  /** Ctrl-C. */
  signal?: AbortSignal
  /** Browser sign-in (authorization code with PKCE on a loopback redirect) instead of a device code. */
  web?: {timeoutMs: number; onUrl: (info: BrowserSignInInfo) => void | Promise<void>}
}

/** The profile this sign-in will write: the stored one with the flags on top (checked, not yet saved). */
async function targetProfile(
  ctx: Context,
  options: LoginOptions,
): Promise<{name: string; profile: Profile; changes: Partial<Profile>; authority: string; clientId: string}> {
  const {name, profile} = await ctx.activeProfile()
  // Only what the flags say is written: the effective profile also holds PPCTL_* overrides, which must not be persisted.
  const changes: Partial<Profile> = options.from ? await platformSettingsOf(ctx, options.from, name) : {}
  const setting = async (key: string, raw: string | undefined) =>
    raw === undefined ? undefined : parseConfigValue(findConfigKey(key), raw, {cwd: process.cwd()})
  const globalUrl = await setting('global-url', options.globalUrl)
  if (globalUrl !== undefined) changes.globalUrl = globalUrl as string
  const caFile = await setting('ca-file', options.caFile)
  if (caFile !== undefined) changes.caFile = caFile as string
  const allowList = await setting('cluster-allow-list', options.clusterAllowList)
  if (allowList !== undefined) changes.clusterAllowList = allowList as string[]
  if (options.authority) changes.authority = parseAuthority(options.authority).href.replace(/\/$/, '')
  if (options.clientId) changes.clientId = options.clientId
  if (options.tenant) changes.tenant = options.tenant
  if (options.resource) changes.apiResource = parseAuthority(options.resource).href.replace(/\/$/, '')
  if (options.insecureStorage) changes.credentialStore = 'file'
  if (options.dpop !== undefined) changes.dpop = options.dpop
  const next: Profile = {...profile, ...changes}
  if (!next.authority) {
    throw new UsageError('AUTHORITY_REQUIRED', `Profile "${name}" has no identity provider.`, {
      nextStep: 'Pass --authority https://login.example.com, or start the local platform (ppctl sandbox start) and use its profile.',
    })
  }
  parseAuthority(next.authority)
  if (!next.clientId) {
    throw new UsageError('CLIENT_ID_REQUIRED', `Profile "${name}" has no client id.`, {
      nextStep: 'Pass --client-id ID (the application registered for ppctl at your provider).',
    })
  }
  return {name, profile: next, changes, authority: next.authority, clientId: next.clientId}
}

export async function login(ctx: Context, options: LoginOptions): Promise<LoginResult> {
  const federating = Boolean(options.federatedTokenFile || options.federatedProvider)
  const ci = ciCredentialsFromEnv(ctx.env)
  if (ci && !options.certificate && !federating && !options.authority) return loginFromEnvironment(ctx, ci)
  const federation = federating
    ? federatedSource(ctx.env, {provider: options.federatedProvider, file: options.federatedTokenFile, audience: options.federatedAudience})
    : undefined
  if (federating && !federation) {
    throw new UsageError(
      'FEDERATED_PROVIDER_UNAVAILABLE',
      'No federated token was found: no token file, and none of the GitHub Actions, Azure DevOps or GitLab variables are set.',
      {
        nextStep: 'Pass --federated-token-file FILE, or --federated-provider github|gitlab|azure-devops inside that CI system.',
      },
    )
  }
  if (federating && (!(options.clientId ?? ctx.env.PPCTL_CLIENT_ID) || !(options.tenant ?? ctx.env.PPCTL_TENANT_ID))) {
    throw new UsageError('FEDERATION_FLAGS_REQUIRED', 'A federated sign-in needs the client id of the service principal and its tenant.', {
      nextStep: 'Pass --client-id ID --tenant TENANT (or set PPCTL_CLIENT_ID and PPCTL_TENANT_ID).',
    })
  }
  if (options.certificate && (!options.clientId || !options.tenant)) {
    throw new UsageError('CERTIFICATE_FLAGS_REQUIRED', 'A certificate sign-in needs --client-id and --tenant.', {
      nextStep: 'ppctl auth login --certificate FILE --client-id ID --tenant TENANT',
    })
  }
  const {name, profile, changes, authority, clientId} = await targetProfile(ctx, options)
  // A CA file that is not the profile's yet: the provider is reached with it (the context's stack trusts the stored one).
  const trusted = (await ctx.activeProfile()).profile.caFile
  const http = changes.caFile && changes.caFile !== trusted ? await httpWithCa(ctx, changes.caFile) : undefined
  try {
    const access = ctx.credentials()
    // Opened first: a sign-in that could not be kept would be wasted (and the person would have approved it for nothing).
    const store = await access.open({profile: name, insecureStorage: options.insecureStorage})
    // The file store warns by itself each time it is opened.
    const warnings: string[] = []
    const now = () => ctx.clock.now()
    // A new key for every sign-in: the old tokens' key goes with them.
    const key = profile.dpop ? await newDpopKey() : undefined

    let res: Awaited<ReturnType<typeof certificateGrant>>
    let started: number
    let method: LoginResult['method']
    let thumbprint: string | undefined
    if (federation) {
      method = 'federated'
      started = now()
      res = await federatedGrant(ctx, {authority, clientId, source: federation, resource: resourceFor(profile), http, dpop: key})
    } else if (options.certificate) {
      method = 'certificate'
      const cert = await loadClientCertificate(ctx, {file: options.certificate})
      warnings.push(...cert.warnings)
      thumbprint = cert.thumbprint
      started = now()
      res = await certificateGrant(ctx, {authority, clientId, cert, resource: resourceFor(profile), http, dpop: key})
    } else if (options.web) {
      method = 'browser'
      const config = await discover(ctx, {authority, clientId, http})
      res = await browserSignIn(config, {
        authority,
        scope: SIGN_IN_SCOPE,
        resource: resourceFor(profile),
        clock: ctx.clock,
        timeoutMs: options.web.timeoutMs,
        signal: options.signal,
        onUrl: options.web.onUrl,
        dpop: key ? await tokenEndpointDpop(config, key) : undefined,
      })
      started = now()
    } else {
      method = 'device-code'
      const config = await discover(ctx, {authority, clientId, http})
      const {device, info} = await startDeviceAuthorization(config, {authority, scope: SIGN_IN_SCOPE, resource: resourceFor(profile)})
      options.onDeviceCode?.(info)
      const dpop = key ? await tokenEndpointDpop(config, key) : undefined
      res = await pollDeviceToken(config, device, {clock: ctx.clock, signal: options.signal, onWait: options.onWait, dpop})
      started = now()
    }
    if (key) checkDpopBound(res, authority)
    const who = identityOf(res)
    const creds = toStoredCredentials(res, started, key ? {dpopKey: key.jwk} : undefined)
    const expiresAt = new Date(creds.accessTokenExpiresAt ?? started).toISOString()
    await access.withLock(name, () => store.set(name, creds))
    await recordSignIn(ctx, name, {
      ...changes,
      account: who.account ?? (method === 'certificate' || method === 'federated' ? clientId : undefined),
      tenantId: who.tenantId,
      authMethod: method,
      tokenExpiresAt: expiresAt,
      signedInAt: new Date(started).toISOString(),
      certificatePath: options.certificate ? resolve(options.certificate) : undefined,
      certificateThumbprint: thumbprint,
      federatedProvider: federation?.kind,
      federatedTokenFile: federation?.file ? resolve(federation.file) : undefined,
      federatedAudience: federation ? federation.audience : undefined,
    })
    return {
      profile: name,
      method,
      account: who.account ?? (method === 'certificate' || method === 'federated' ? clientId : null),
      tenantId: who.tenantId ?? null,
      authority,
      clientId,
      expiresAt,
      credentialStore: store.kind,
      credentialLocation: store.location,
      ...(thumbprint ? {certificateThumbprint: thumbprint} : {}),
      ...(federation ? {federatedSource: describeSource(federation)} : {}),
      dpop: key !== undefined,
      warnings,
    }
  } finally {
    await http?.close()
  }
}

/** CI mode: proves the variables work by getting a token, and stores nothing (not even the profile). */
async function loginFromEnvironment(ctx: Context, ci: NonNullable<ReturnType<typeof ciCredentialsFromEnv>>): Promise<LoginResult> {
  const {name} = await ctx.activeProfile()
  const t = await ctx.tokens().ci(ci)
  return {
    profile: name,
    method: ci.federated ? 'federated' : 'certificate',
    account: t.account ?? ci.clientId,
    tenantId: t.tenantId ?? null,
    authority: t.authority,
    clientId: ci.clientId,
    expiresAt: new Date(t.expiresAt).toISOString(),
    credentialStore: 'none',
    credentialLocation: null,
    ...(t.thumbprint ? {certificateThumbprint: t.thumbprint} : {}),
    ...(t.federatedSource ? {federatedSource: t.federatedSource} : {}),
    dpop: false,
    warnings: [],
  }
}

/** The settings that say which platform a profile talks to (not who signed in): what `--from` copies. */
const PLATFORM_FIELDS = ['authority', 'clientId', 'globalUrl', 'caFile', 'clusterAllowList', 'allowIpLiterals', 'apiResource'] as const satisfies ReadonlyArray<
  keyof Profile
>

async function platformSettingsOf(ctx: Context, from: string, target: string): Promise<Partial<Profile>> {
  const source = (await ctx.config().read()).profiles[from]
  if (!source) {
    throw new NotFoundError('PROFILE_NOT_FOUND', `There is no profile "${from}" to copy.`, {nextStep: 'See the profiles: ppctl auth list'})
  }
  if (from === target)
    throw new UsageError('USAGE', `--from ${from} names the profile being signed in to.`, {
      nextStep: `Give another profile: ppctl auth login --profile NEW --from ${from}`,
    })
  const copy: Partial<Profile> = {}
  for (const field of PLATFORM_FIELDS) if (source[field] !== undefined) Object.assign(copy, {[field]: source[field]})
  return copy
}

async function httpWithCa(ctx: Context, caFile: string): Promise<Http> {
  const [{readFile}, {createHttp}] = await Promise.all([import('node:fs/promises'), import('../http/client.js')])
  return createHttp({env: ctx.env, ca: await readFile(caFile, 'utf8'), userAgent: `ppctl/${ctx.version}`, debug: ctx.debug, clock: ctx.clock})
}
