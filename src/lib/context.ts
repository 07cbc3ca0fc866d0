// The context a command runs in: everything it needs, built lazily, replaceable wholesale by a test.
import {readFile} from 'node:fs/promises'

import {createCredentialAccess, type CredentialAccess} from './auth/credential-access.js'
import type {Tokens} from './auth/token-lifecycle.js'
import {systemClock, type Clock} from './clock.js'
import {ConfigStore, effectiveProfile, type Profile} from './config/store.js'
import {resolvePaths, type Paths} from './config/paths.js'
import {UsageError} from './errors/index.js'
import type {Http} from './http/types.js'
import {processIO, type IO} from './io/io.js'
import {createPrompter, type Prompter} from './io/prompter.js'
import {createDebugLog, type DebugLog} from './io/debug-log.js'
import {stderrReporter, type Reporter} from './output/reporter.js'
import type {Api} from './platform/client.js'
import type {Router} from './routing/route-for.js'

export interface ActiveProfile {
  name: string
  /** The stored profile with PPCTL_* environment overrides applied. */
  profile: Profile
  /** Whether the profile exists in the config file. */
  exists: boolean
}

export interface Context {
  readonly env: NodeJS.ProcessEnv
  readonly io: IO
  readonly clock: Clock
  readonly paths: Paths
  readonly prompter: Prompter
  readonly debug: DebugLog
  /** Where lib's warnings go: the command's sanitizing note(), or the context's stderr. */
  readonly reporter: Reporter
  readonly version: string
  config(): ConfigStore
  activeProfile(): Promise<ActiveProfile>
  /** The HTTP stack for the active profile (its CA file, proxies, tracing). */
  http(): Promise<Http>
  /** The credential stores and the profile lock. */
  credentials(): CredentialAccess
  /** Access tokens: the one way to get one. */
  tokens(): Tokens
  /** Routing: the tenant's home cluster (cache, global service, allow-list). */
  router(): Router
  /** The platform API on the tenant's home cluster. */
  api(): Api
}

export interface ContextOptions {
  env?: NodeJS.ProcessEnv
  io?: IO
  clock?: Clock
  paths?: Paths
  prompter?: Prompter
  reporter?: Reporter
  version: string
  profileFlag?: string
  debug?: boolean
  /** Tests: an HTTP stack of their own (e.g. createHttp over an undici MockAgent) instead of the profile's. */
  http?: Http
  /** Tests: credential stores of their own (e.g. in memory) instead of the keychain, file and lock. */
  credentials?: CredentialAccess
}

export function createContext(options: ContextOptions): Context {
  const env = options.env ?? process.env
  const io = options.io ?? processIO(env)
  const clock = options.clock ?? systemClock
  const paths = options.paths ?? resolvePaths(env)
  const debug = createDebugLog(io, Boolean(options.debug))
  let configStore: ConfigStore | undefined
  let active: Promise<ActiveProfile> | undefined
  let http: Promise<Http> | undefined
  let credentials: CredentialAccess | undefined
  let tokens: Tokens | undefined
  let router: Router | undefined
  let api: Api | undefined
  const ctx: Context = {
    env,
    io,
    clock,
    paths,
    debug,
    reporter: options.reporter ?? stderrReporter(io),
    version: options.version,
    prompter: options.prompter ?? createPrompter(io, env),
    config: () => (configStore ??= new ConfigStore(paths)),
    activeProfile: () =>
      (active ??= (async () => {
        const config = await ctx.config().read()
        const name = ConfigStore.activeProfileName(config, options.profileFlag, env)
        const stored = config.profiles[name]
        return {name, profile: effectiveProfile(stored, env), exists: stored !== undefined}
      })()),
    http: () =>
      (http ??= options.http
        ? Promise.resolve(options.http)
        : (async () => {
            const {profile} = await ctx.activeProfile()
            const ca = profile.caFile ? await readCaFile(profile.caFile) : undefined
            const {createHttp} = await import('./http/client.js')
            return createHttp({env, ca, userAgent: `ppctl/${options.version}`, debug, clock})
          })()),
    credentials: () => (credentials ??= options.credentials ?? createCredentialAccess(ctx)),
    // Each module is loaded on the first call that needs it: a warm `route show` never loads the token code.
    tokens: () =>
      (tokens ??= lazily<Tokens>(
        () => import('./auth/token-lifecycle.js').then((m) => m.createTokens(ctx)),
        (load) => ({
          get: async (o) => (await load()).get(o),
          ci: async (ci) => (await load()).ci(ci),
        }),
      )),
    router: () =>
      (router ??= lazily<Router>(
        () => import('./routing/route-for.js').then((m) => m.createRouter(ctx)),
        (load) => ({
          route: async (o) => (await load()).route(o),
          allowList: async () => (await load()).allowList(),
          cache: async (profile) => (await load()).cache(profile),
        }),
      )),
    api: () =>
      (api ??= lazily<Api>(
        () => import('./platform/client.js').then((m) => m.createApi(ctx)),
        (load) => ({
          request: async (r) => (await load()).request(r),
          async *list(r, pageSize) {
            yield* (await load()).list(r, pageSize)
          },
        }),
      )),
  }
  return ctx
}

/** A facade whose methods load the implementation on first use; the loaded one is shared by every later call. */
function lazily<T>(load: () => Promise<T>, facade: (load: () => Promise<T>) => T): T {
  let loaded: Promise<T> | undefined
  return facade(() => (loaded ??= load()))
}

async function readCaFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError('CA_FILE_UNREADABLE', `Cannot read the CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`, {
      nextStep: 'Fix the path with: ppctl config set ca-file <path>   (or unset PPCTL_CA_FILE)',
    })
  }
}
