// What `ppctl config list|get|set|unset` do: read and change profile keys, each value checked before it is written.
import type {Context} from '../context.js'
import {NotFoundError} from '../errors/index.js'
import {CONFIG_KEYS, findConfigKey, parseConfigValue, storedValue, type ConfigKey, type ConfigValue} from './keys.js'
import {effectiveProfile, type ConfigFile, type Profile} from './store.js'

/**
 * Where a value comes from: the profile, the global part of the file, an environment variable, the profile's sign-in
 * (the tenant a signed-in profile's tokens were issued for, when no tenant was set), or nowhere.
 */
export type ConfigSource = 'profile' | 'global' | 'env' | 'sign-in' | 'unset'

export interface ConfigEntry {
  key: string
  scope: 'profile' | 'global'
  value: ConfigValue | null
  source: ConfigSource
  /** The environment variable that overrides this key, when there is one. */
  env?: string
}

export interface ConfigListResult {
  profile: string
  profileExists: boolean
  configFile: string
  /** Every known key, in the list envelope of every list command. @asType integer @minimum 0 */
  count: number
  items: ConfigEntry[]
}

export interface ConfigGetResult {
  /** The profile read, or null for a global key. */
  profile: string | null
  key: string
  value: ConfigValue
  source: Exclude<ConfigSource, 'unset'>
}

export interface ConfigSetResult {
  profile: string | null
  key: string
  value: ConfigValue
  previous: ConfigValue | null
  profileCreated: boolean
  configFile: string
  /** Set when an environment variable overrides the value just written. */
  overriddenBy?: string
}

export interface ConfigUnsetResult {
  profile: string | null
  key: string
  removed: boolean
  previous: ConfigValue | null
  configFile: string
  overriddenBy?: string
}

export interface SetConfigOptions {
  /** Where a relative ca-file path is resolved from (default: the current folder). */
  cwd?: string
}

/** Every known key of the active profile, with its effective value and where it comes from. */
export async function listConfig(ctx: Context): Promise<ConfigListResult> {
  const {name, exists} = await ctx.activeProfile()
  const config = await ctx.config().read()
  return {
    profile: name,
    profileExists: exists,
    configFile: ctx.config().file,
    count: CONFIG_KEYS.length,
    items: CONFIG_KEYS.map((key) => entry(ctx, key, config, name)),
  }
}

/** The effective value of one key; NotFoundError (exit 6) when it is not set anywhere. */
export async function getConfig(ctx: Context, keyName: string): Promise<ConfigGetResult> {
  const key = findConfigKey(keyName)
  const {name} = await ctx.activeProfile()
  const found = entry(ctx, key, await ctx.config().read(), name)
  if (found.value === null || found.source === 'unset') {
    throw new NotFoundError('CONFIG_KEY_UNSET', `${key.key} is not set${key.scope === 'profile' ? ` in profile "${name}"` : ''}.`, {
      nextStep: `Set it with: ppctl config set ${key.key} <value>${key.scope === 'profile' ? ` --profile ${name}` : ''}`,
    })
  }
  return {profile: key.scope === 'profile' ? name : null, key: key.key, value: found.value, source: found.source}
}

/** Checks the value, then writes it atomically; the profile is created when it does not exist. */
export async function setConfig(ctx: Context, keyName: string, raw: string, options: SetConfigOptions = {}): Promise<ConfigSetResult> {
  const key = findConfigKey(keyName)
  const value = await parseConfigValue(key, raw, {cwd: options.cwd ?? process.cwd()})
  const {name} = await ctx.activeProfile()
  let previous: ConfigValue | undefined
  let profileCreated = false
  await ctx.config().update((config) => {
    if (key.scope === 'global') {
      if (key.field === 'defaultProfile' && !config.profiles[value as string]) throw profileNotFound(value as string, config)
      previous = config[key.field]
      config[key.field] = value as string
      return
    }
    profileCreated = !config.profiles[name]
    const profile: Profile = (config.profiles[name] ??= {})
    previous = profile[key.field]
    ;(profile as Record<string, ConfigValue>)[key.field] = value
  })
  return {
    profile: key.scope === 'profile' ? name : null,
    key: key.key,
    value,
    previous: previous ?? null,
    profileCreated,
    configFile: ctx.config().file,
    ...overridden(ctx, key),
  }
}

/** Removes the key; removing a key that is not set succeeds with `removed: false`. */
export async function unsetConfig(ctx: Context, keyName: string): Promise<ConfigUnsetResult> {
  const key = findConfigKey(keyName)
  const {name} = await ctx.activeProfile()
  let previous: ConfigValue | undefined
  const current = await ctx.config().read()
  if (key.scope === 'profile' && !current.profiles[name]) throw profileNotFound(name, current)
  if (storedValue(key, current.profiles[name], current) !== undefined) {
    await ctx.config().update((config) => {
      if (key.scope === 'global') {
        previous = config[key.field]
        delete config[key.field]
        return
      }
      const profile = config.profiles[name]
      if (!profile) throw profileNotFound(name, config)
      previous = profile[key.field]
      delete profile[key.field]
    })
  }
  return {
    profile: key.scope === 'profile' ? name : null,
    key: key.key,
    removed: previous !== undefined,
    previous: previous ?? null,
    configFile: ctx.config().file,
    ...overridden(ctx, key),
  }
}

function entry(ctx: Context, key: ConfigKey, config: ConfigFile, profileName: string): ConfigEntry {
  const base = {key: key.key, scope: key.scope, ...(key.env ? {env: key.env} : {})}
  if (key.scope === 'profile') {
    // The same override rules the commands use (effectiveProfile), applied to nothing: what the environment alone sets.
    const fromEnv = effectiveProfile(undefined, ctx.env)[key.field]
    if (fromEnv !== undefined) return {...base, value: fromEnv, source: 'env'}
  } else if (key.env && ctx.env[key.env]) {
    return {...base, value: ctx.env[key.env]!, source: 'env'}
  }
  const stored = storedValue(key, config.profiles[profileName], config)
  if (stored === undefined) {
    // A device-code, browser or certificate sign-in records the tenant of its tokens: that is the tenant the profile administers.
    const signedIn = key.field === 'tenant' ? config.profiles[profileName]?.tenantId : undefined
    if (signedIn) return {...base, value: signedIn, source: 'sign-in'}
    return {...base, value: null, source: 'unset'}
  }
  return {...base, value: stored, source: key.scope === 'global' ? 'global' : 'profile'}
}

function overridden(ctx: Context, key: ConfigKey): {overriddenBy?: string} {
  if (!key.env) return {}
  if (key.scope === 'global') return ctx.env[key.env] ? {overriddenBy: key.env} : {}
  return effectiveProfile(undefined, ctx.env)[key.field] === undefined ? {} : {overriddenBy: key.env}
}

function profileNotFound(name: string, config: ConfigFile): NotFoundError {
  const known = Object.keys(config.profiles)
  return new NotFoundError('PROFILE_NOT_FOUND', `Profile "${name}" does not exist${known.length ? ` (profiles: ${known.join(', ')})` : ''}.`, {
    nextStep: `Create it by setting a key: ppctl config set authority <https-url> --profile ${name}`,
  })
}
