// `auth list` and `auth switch`: the profiles and which one is the default; reads and writes the config only, never the keychain.
import type {Context} from '../context.js'
import {DEFAULT_PROFILE} from '../config/store.js'
import {NotFoundError} from '../errors/index.js'

export interface ProfileSummary {
  name: string
  /** The profile this command run uses (--profile, PPCTL_PROFILE, then the default). */
  active: boolean
  /** The profile `auth switch` chose. */
  default: boolean
  authority: string | null
  account: string | null
  tenantId: string | null
  method: 'device-code' | 'browser' | 'certificate' | 'federated' | null
  signedIn: boolean
}

export async function listProfiles(ctx: Context): Promise<{profiles: ProfileSummary[]}> {
  const config = await ctx.config().read()
  const {name: active} = await ctx.activeProfile()
  const defaultName = config.defaultProfile ?? DEFAULT_PROFILE
  const profiles = Object.entries(config.profiles)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, p]) => ({
      name,
      active: name === active,
      default: name === defaultName,
      authority: p.authority ?? null,
      account: p.account ?? null,
      tenantId: p.tenantId ?? null,
      method: p.authMethod ?? null,
      signedIn: Boolean(p.authMethod),
    }))
  return {profiles}
}

export interface SwitchResult {
  defaultProfile: string
  previous: string | null
  /** Set when PPCTL_PROFILE is set: it still wins over the default in this shell. */
  overriddenBy?: string
}

/** Makes `name` the default profile; --profile and PPCTL_PROFILE still win, so parallel jobs never depend on it. */
export async function switchProfile(ctx: Context, name: string): Promise<SwitchResult> {
  let previous: string | undefined
  await ctx.config().update((config) => {
    if (!config.profiles[name]) {
      throw new NotFoundError('PROFILE_NOT_FOUND', `There is no profile "${name}".`, {
        nextStep: `See the profiles with: ppctl auth list   (or create one: ppctl auth login --profile ${name} --authority URL)`,
      })
    }
    previous = config.defaultProfile
    config.defaultProfile = name
  })
  return {defaultProfile: name, previous: previous ?? null, ...(ctx.env.PPCTL_PROFILE ? {overriddenBy: 'PPCTL_PROFILE'} : {})}
}
