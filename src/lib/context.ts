// The context a command runs in: everything it needs, built lazily, replaceable wholesale by a test.
import {readFile} from 'node:fs/promises'

import {systemClock, type Clock} from './clock.js'
import {ConfigStore, effectiveProfile, type Profile} from './config/store.js'
import {resolvePaths, type Paths} from './config/paths.js'
import {UsageError} from './errors/index.js'
import type {Http} from './http/types.js'
import {processIO, type IO} from './io/io.js'
import {createPrompter, type Prompter} from './io/prompter.js'
import {createDebugLog, type DebugLog} from './io/debug-log.js'
import {stderrReporter, type Reporter} from './output/reporter.js'

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
      (http ??= (async () => {
        const {profile} = await ctx.activeProfile()
        const ca = profile.caFile ? await readCaFile(profile.caFile) : undefined
        const {createHttp} = await import('./http/client.js')
        return createHttp({env, ca, userAgent: `ppctl/${options.version}`, debug, clock})
      })()),
  }
  return ctx
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
