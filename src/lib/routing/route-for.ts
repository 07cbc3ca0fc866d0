// The context's router: the route of the active profile's tenant (or another, for Support) — token, global service, cache, allow-list.
import type {Context} from '../context.js'
import {AuthRequiredError, NotFoundError, UsageError, type PpctlError} from '../errors/index.js'
import type {AllowListPolicy} from './allow-list.js'
import {resolveHome, type ResolveOptions} from './resolve-home.js'
import {ciCredentialsFromEnv} from '../auth/ci-env.js'
import {MemoryRouteCache, RouteCache, type RouteCacheStore} from './route-cache.js'
import type {ResolvedRoute} from './types.js'

export interface Router {
  /** The tenant's home, from the cache while fresh, else from the global service; checked against the allow-list. */
  route(options?: ResolveOptions): Promise<ResolvedRoute>
  /** The active profile's cluster allow-list. */
  allowList(): Promise<AllowListPolicy>
  /** A profile's routing cache: its file under the cache folder, or, in CI mode, memory kept for this context only. */
  cache(profile: string): Promise<RouteCacheStore>
}

export function createRouter(ctx: Context): Router {
  const memoryCaches = new Map<string, MemoryRouteCache>()
  const fileCaches = new Map<string, RouteCache>()
  const router: Router = {
    async allowList() {
      const {profile} = await ctx.activeProfile()
      return {patterns: profile.clusterAllowList ?? [], allowIpLiterals: profile.allowIpLiterals}
    },
    async cache(profile) {
      if (!ciCredentialsFromEnv(ctx.env)) {
        let cache = fileCaches.get(profile)
        if (!cache) fileCaches.set(profile, (cache = RouteCache.forProfile(ctx.paths.cache, profile)))
        return cache
      }
      let cache = memoryCaches.get(profile)
      if (!cache) memoryCaches.set(profile, (cache = new MemoryRouteCache()))
      return cache
    },
    async route(options = {}) {
      const {name, profile, exists} = await ctx.activeProfile()
      if (!profile.globalUrl) {
        // In CI mode the fix must not be `config set`: that writes to disk, which CI mode promises never to do.
        if (ciCredentialsFromEnv(ctx.env)) {
          throw new UsageError('NO_GLOBAL_URL', 'CI mode needs the global service URL: PPCTL_GLOBAL_URL is not set.', {
            nextStep:
              "Set PPCTL_GLOBAL_URL to the global service's https URL (and PPCTL_CLUSTER_ALLOW_LIST to its cluster hosts, e.g. *.clusters.example.com).",
          })
        }
        if (!exists) throw await missingProfile(ctx, name)
        throw new UsageError('NO_GLOBAL_URL', `The profile "${name}" has no global service URL.`, {
          nextStep: 'Set it: ppctl config set global-url https://global.example.com   (or PPCTL_GLOBAL_URL; the sandbox profile has one: ppctl sandbox start)',
        })
      }
      return resolveHome(
        {
          // The HTTP stack (undici) is loaded only when the cache cannot answer: a warm command never imports it.
          fetch: async (url, init) => (await ctx.http()).fetch(url, init),
          clock: ctx.clock,
          cache: await router.cache(name),
          globalUrl: profile.globalUrl,
          accessToken: () => ctx.tokens().get(),
          allowList: await router.allowList(),
          debug: ctx.debug,
        },
        options,
      )
    },
  }
  return router
}

/** No such profile: on a fresh machine, where to start; otherwise that the name is wrong, and how to make it. */
async function missingProfile(ctx: Context, name: string): Promise<PpctlError> {
  const profiles = Object.keys((await ctx.config().read()).profiles)
  if (profiles.length === 0) {
    return new AuthRequiredError('NOT_SIGNED_IN', 'ppctl has no profile on this machine yet: sign in first.', {
      nextStep:
        'Try it on the local platform: ppctl sandbox start && ppctl auth login   (or your own: ppctl auth login --authority URL --client-id ID --global-url URL)',
    })
  }
  return new NotFoundError('PROFILE_NOT_FOUND', `There is no profile "${name}" (there ${profiles.length === 1 ? 'is' : 'are'}: ${profiles.join(', ')}).`, {
    nextStep: `Use one of them with --profile, or create it: ppctl auth login --profile ${name} --from ${profiles[0]}`,
  })
}
