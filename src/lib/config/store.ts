// The configuration file: profiles and the default profile, read and written atomically.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {PpctlError, UsageError} from '../errors/index.js'
import {writeFileAtomic} from './atomic.js'
import {parseAllowList, parseHttpsUrl} from './parse.js'
import {PROFILE_NAME} from './profile-name.js'
import type {Paths} from './paths.js'

export interface Profile {
  /** The OpenID provider's issuer URL. */
  authority?: string
  /** The global service's base URL. */
  globalUrl?: string
  /** A PEM file of extra CAs to trust beside the system ones. */
  caFile?: string
  /** The OAuth client id ppctl signs in with. */
  clientId?: string
  /** The tenant (id or name) this profile administers. */
  tenant?: string
  /** Host patterns ("*.clusters.example.com") a cluster URI must match. */
  clusterAllowList?: string[]
  /** Whether cluster URIs may be IP literals. */
  allowIpLiterals?: boolean
  /** Where secrets live: keychain (default), file (opt-in, insecure) or memory. */
  credentialStore?: 'keychain' | 'file' | 'memory'
  /** Sign-ins bind the tokens to a DPoP key (RFC 9449) kept with them in the credential store. */
  dpop?: boolean
  /** For the profile written by `ppctl sandbox start`: the local platform's data folder. */
  sandboxDataDir?: string
  /** The API's resource indicator (RFC 8707) requested at sign-in; the local platform's when unset on the sandbox profile. */
  apiResource?: string
  // Written by `ppctl auth login`, cleared by `ppctl auth logout`: non-secret facts about the sign-in. Tokens live only in the credential store.
  /** Who is signed in: the UPN of a person, or the client id of a certificate. */
  account?: string
  /** The tenant id the tokens were issued for (their `tid` claim). */
  tenantId?: string
  /** How the profile signed in. */
  authMethod?: 'device-code' | 'browser' | 'certificate' | 'federated'
  /** When the cached access token expires (ISO 8601). */
  tokenExpiresAt?: string
  /** When the profile signed in (ISO 8601). */
  signedInAt?: string
  /** Certificate sign-in: the PEM or PFX file, read again when a new access token is needed. */
  certificatePath?: string
  /** Certificate sign-in: the certificate's SHA-1 thumbprint (hex), for people. */
  certificateThumbprint?: string
  /** Federated sign-in: where the CI system's token comes from (read or asked for again at every renewal; never stored). */
  federatedProvider?: 'github' | 'gitlab' | 'azure-devops' | 'file'
  /** Federated sign-in from a file: its path (the token itself is never stored). */
  federatedTokenFile?: string
  /** Federated sign-in: the audience asked of the CI system. */
  federatedAudience?: string
}

export interface ConfigFile {
  version: 1
  defaultProfile?: string
  /** The output format when neither -o/--json nor PPCTL_OUTPUT names one (`ppctl config set output tsv`). */
  output?: string
  profiles: Record<string, Profile>
}

export const DEFAULT_PROFILE = 'default'

export function assertProfileName(name: string): void {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError('INVALID_PROFILE_NAME', `"${name}" is not a valid profile name.`, {
      nextStep: 'Use letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit.',
    })
  }
}

export class ConfigStore {
  readonly file: string

  constructor(readonly paths: Paths) {
    this.file = join(paths.config, 'config.json')
  }

  async read(): Promise<ConfigFile> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {version: 1, profiles: {}}
      throw err
    }
    try {
      const parsed = JSON.parse(text) as Partial<ConfigFile>
      if (typeof parsed !== 'object' || parsed === null || typeof parsed.profiles !== 'object') throw new Error('shape')
      return {
        version: 1,
        defaultProfile: parsed.defaultProfile,
        ...(parsed.output === undefined ? {} : {output: parsed.output}),
        profiles: parsed.profiles ?? {},
      }
    } catch {
      throw new PpctlError('CONFIG_CORRUPT', `The configuration file ${this.file} is not valid JSON.`, {
        nextStep: `Fix or move it aside (mv "${this.file}" "${this.file}.bak"); ppctl will not overwrite it.`,
      })
    }
  }

  /** Read, change and write back atomically; returns what was written. */
  async update(change: (config: ConfigFile) => void | ConfigFile): Promise<ConfigFile> {
    const config = await this.read()
    const next = change(config) ?? config
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n')
    return next
  }

  /** The active profile's name: --profile, then PPCTL_PROFILE, then the default, then "default". */
  static activeProfileName(config: ConfigFile, flag: string | undefined, env: NodeJS.ProcessEnv): string {
    const name = flag || env.PPCTL_PROFILE || config.defaultProfile || DEFAULT_PROFILE
    assertProfileName(name)
    return name
  }
}

/**
 * The profile as commands see it: the file's values with PPCTL_* environment overrides on top (a flag of the command,
 * where there is one, wins over both). The global URL and the allow-list decide where tokens go, so a bad value is a
 * usage error naming the variable rather than a value used unchecked.
 */
export function effectiveProfile(profile: Profile | undefined, env: NodeJS.ProcessEnv): Profile {
  const out: Profile = {...profile}
  if (env.PPCTL_AUTHORITY) out.authority = env.PPCTL_AUTHORITY
  if (env.PPCTL_GLOBAL_URL)
    out.globalUrl = parseHttpsUrl(env.PPCTL_GLOBAL_URL.trim(), invalidEnv('PPCTL_GLOBAL_URL', 'an https URL, e.g. https://global.example.com'))
  if (env.PPCTL_CLUSTER_ALLOW_LIST) {
    out.clusterAllowList = parseAllowList(
      env.PPCTL_CLUSTER_ALLOW_LIST,
      invalidEnv('PPCTL_CLUSTER_ALLOW_LIST', 'comma-separated host patterns, e.g. *.clusters.example.com'),
    )
  }
  if (env.PPCTL_CLIENT_ID) out.clientId = env.PPCTL_CLIENT_ID
  if (env.PPCTL_TENANT_ID) out.tenant = env.PPCTL_TENANT_ID
  if (env.PPCTL_CA_FILE) out.caFile = env.PPCTL_CA_FILE
  if (env.PPCTL_CREDENTIAL_STORE === 'keychain' || env.PPCTL_CREDENTIAL_STORE === 'file' || env.PPCTL_CREDENTIAL_STORE === 'memory') {
    out.credentialStore = env.PPCTL_CREDENTIAL_STORE
  }
  return out
}

function invalidEnv(variable: string, expected: string): (why: string) => UsageError {
  return (why) => new UsageError('INVALID_ENVIRONMENT', `${variable} is not valid: ${why}`, {nextStep: `Set ${variable} to ${expected}, or unset it.`})
}
