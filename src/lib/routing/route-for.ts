// The route of the active profile's tenant (or another, for Support): token, global service, cache, allow-list.
import type {Context} from '../context.js'
import {UsageError} from '../errors/index.js'
import type {AllowListPolicy} from './allow-list.js'
import {resolveHome, type ResolveOptions} from './resolve-home.js'
import {ciCredentialsFromEnv} from '../auth/ci-env.js'
import {routeCacheFor} from './route-cache.js'
import type {ResolvedRoute} from './types.js'

export async function allowListOf(ctx: Context): Promise<AllowListPolicy> {
  const {profile} = await ctx.activeProfile()
  return {patterns: profile.clusterAllowList ?? [], allowIpLiterals: profile.allowIpLiterals}
}

export async function routeFor(ctx: Context, options: ResolveOptions = {}): Promise<ResolvedRoute> {
  const {name, profile} = await ctx.activeProfile()
  if (!profile.globalUrl) {
    // In CI mode the fix must not be `config set`: that writes to disk, which CI mode promises never to do.
    if (ciCredentialsFromEnv(ctx.env)) {
      throw new UsageError('NO_GLOBAL_URL', 'CI mode needs the global service URL: PPCTL_GLOBAL_URL is not set.', {
        nextStep: "Set PPCTL_GLOBAL_URL to the global service's https URL (and PPCTL_CLUSTER_ALLOW_LIST to its cluster hosts, e.g. *.clusters.example.com).",
      })
    }
    throw new UsageError('NO_GLOBAL_URL', `The profile "${name}" has no global service URL.`, {
      nextStep: 'Set it: ppctl config set global-url https://global.example.com   (or PPCTL_GLOBAL_URL; the sandbox profile has one: ppctl sandbox start)',
    })
  }
  const {getAccessToken} = await import('../auth/token-lifecycle.js')
  return resolveHome(
    {
      // The HTTP stack (undici) is loaded only when the cache cannot answer: a warm command never imports it.
      fetch: async (url, init) => (await ctx.http()).fetch(url, init),
      clock: ctx.clock,
      cache: routeCacheFor(ctx, name),
      globalUrl: profile.globalUrl,
      accessToken: async () => (await getAccessToken(ctx)).token,
      allowList: await allowListOf(ctx),
      debug: ctx.debug,
    },
    options,
  )
}
