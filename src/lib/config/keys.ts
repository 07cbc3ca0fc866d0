// The configuration keys people type (kebab-case), the Profile fields they map to, and how each value is checked.
import {constants} from 'node:fs'
import {access, readFile, stat} from 'node:fs/promises'
import {isAbsolute, resolve} from 'node:path'

import {UsageError} from '../errors/index.js'
import {isOutputFormat, OUTPUT_FORMATS} from '../output/format.js'
import {parseAllowList, parseHttpsUrl} from './parse.js'
import {assertProfileName, type Profile} from './store.js'

/** A value as stored and as printed by --json. */
export type ConfigValue = string | boolean | string[]

export type ProfileField = 'authority' | 'globalUrl' | 'caFile' | 'clientId' | 'tenant' | 'clusterAllowList' | 'allowIpLiterals' | 'credentialStore' | 'dpop'

interface KeyBase {
  readonly key: string
  readonly description: string
  /** The environment variable that overrides the stored value, if any. */
  readonly env?: string
}

export interface ProfileKey extends KeyBase {
  readonly scope: 'profile'
  readonly field: ProfileField
}

export interface GlobalKey extends KeyBase {
  readonly scope: 'global'
  readonly field: 'defaultProfile' | 'output'
}

export type ConfigKey = ProfileKey | GlobalKey

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {key: 'authority', scope: 'profile', field: 'authority', env: 'PPCTL_AUTHORITY', description: "The OpenID provider's issuer URL (https)."},
  {key: 'global-url', scope: 'profile', field: 'globalUrl', env: 'PPCTL_GLOBAL_URL', description: "The global service's base URL (https)."},
  {key: 'ca-file', scope: 'profile', field: 'caFile', env: 'PPCTL_CA_FILE', description: 'A PEM file of extra CA certificates to trust.'},
  {key: 'client-id', scope: 'profile', field: 'clientId', env: 'PPCTL_CLIENT_ID', description: 'The OAuth client id ppctl signs in with.'},
  {key: 'tenant', scope: 'profile', field: 'tenant', env: 'PPCTL_TENANT_ID', description: 'The tenant (id or name) this profile administers.'},
  {
    key: 'cluster-allow-list',
    scope: 'profile',
    field: 'clusterAllowList',
    env: 'PPCTL_CLUSTER_ALLOW_LIST',
    description: 'Comma-separated host patterns a cluster URL must match (*.clusters.example.com).',
  },
  {key: 'allow-ip-literals', scope: 'profile', field: 'allowIpLiterals', description: 'Whether cluster URLs may be IP addresses (true or false).'},
  {
    key: 'credential-store',
    scope: 'profile',
    field: 'credentialStore',
    env: 'PPCTL_CREDENTIAL_STORE',
    description: 'Where secrets are kept: keychain, file or memory.',
  },
  {
    key: 'dpop',
    scope: 'profile',
    field: 'dpop',
    description: 'Whether sign-ins bind the tokens to a DPoP key kept with them (true or false); takes effect at the next auth login.',
  },
  {key: 'default-profile', scope: 'global', field: 'defaultProfile', description: 'The profile used when neither --profile nor PPCTL_PROFILE is given.'},
  {
    key: 'output',
    scope: 'global',
    field: 'output',
    env: 'PPCTL_OUTPUT',
    description: 'The output format when -o and --json are not given: table, tsv, csv, json or yaml.',
  },
]

const CONFIG_KEY_NAMES: readonly string[] = CONFIG_KEYS.map((k) => k.key)

/** The key named `name`, or a usage error that lists the known keys. */
export function findConfigKey(name: string): ConfigKey {
  const found = CONFIG_KEYS.find((k) => k.key === name)
  if (found) return found
  const guess = CONFIG_KEYS.find((k) => k.key === kebab(name) || editDistance(k.key, name.toLowerCase()) <= 2)
  throw new UsageError('UNKNOWN_CONFIG_KEY', `Unknown configuration key "${name}".${guess ? ` Did you mean "${guess.key}"?` : ''}`, {
    nextStep: `Use one of: ${CONFIG_KEY_NAMES.join(', ')}`,
  })
}

/** Stored value → the text people see (lists comma-separated). */
export function formatConfigValue(value: ConfigValue): string {
  return Array.isArray(value) ? value.join(',') : String(value)
}

export interface ParseOptions {
  /** Where a relative ca-file path is resolved from. */
  cwd: string
}

/** Checks and normalizes a value typed on the command line; a bad value is a one-line usage error. */
export async function parseConfigValue(key: ConfigKey, raw: string, options: ParseOptions): Promise<ConfigValue> {
  const value = raw.trim()
  const invalid = (why: string, next: string) => new UsageError('INVALID_CONFIG_VALUE', `Invalid value for ${key.key}: ${why}`, {nextStep: next})
  if (value === '') throw invalid('it is empty.', `To remove it, run: ppctl config unset ${key.key}`)
  switch (key.field) {
    case 'authority':
    case 'globalUrl':
      return parseHttpsUrl(value, (why) =>
        invalid(why, `Give an https URL, e.g. ppctl config set ${key.key} https://${key.field === 'authority' ? 'login' : 'global'}.example.com`),
      )
    case 'caFile':
      return parseCaFile(value, options.cwd, (why) => invalid(why, 'Give the path of a readable PEM file of CA certificates.'))
    case 'clientId':
      if (!/^[\x21-\x7e]{1,256}$/.test(value))
        throw invalid('use 1 to 256 printable characters without spaces.', 'Use the client id your administrator gave you.')
      return value
    case 'tenant':
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(value)) {
        throw invalid('a tenant is an id or a name of letters, digits, ".", "_" and "-".', 'E.g. ppctl config set tenant contoso')
      }
      return value
    case 'clusterAllowList':
      return parseAllowList(value, (why) => invalid(why, 'E.g. ppctl config set cluster-allow-list "*.clusters.example.com,eu.clusters.example.net"'))
    case 'dpop':
    case 'allowIpLiterals': {
      const lower = value.toLowerCase()
      if (lower === 'true' || lower === 'false') return lower === 'true'
      throw invalid(`"${value}" is not true or false.`, `Use: ppctl config set ${key.key} true   (or false)`)
    }
    case 'credentialStore':
      if (value === 'keychain' || value === 'file' || value === 'memory') return value
      throw invalid(`"${value}" is not keychain, file or memory.`, `Use: ppctl config set ${key.key} keychain`)
    case 'defaultProfile':
      assertProfileName(value)
      return value
    case 'output':
      if (isOutputFormat(value)) return value
      throw invalid(`"${value}" is not ${OUTPUT_FORMATS.slice(0, -1).join(', ')} or ${OUTPUT_FORMATS.at(-1)}.`, `Use: ppctl config set ${key.key} tsv`)
  }
}

async function parseCaFile(value: string, cwd: string, invalid: (why: string) => UsageError): Promise<string> {
  const file = isAbsolute(value) ? resolve(value) : resolve(cwd, value)
  try {
    if (!(await stat(file)).isFile()) throw invalid(`${file} is not a file.`)
    await access(file, constants.R_OK)
    const text = await readFile(file, 'utf8')
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw invalid(`${file} contains no PEM certificate.`)
  } catch (err) {
    if (err instanceof UsageError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw invalid(code === 'ENOENT' ? `${file} does not exist.` : `${file} cannot be read (${code ?? 'error'}).`)
  }
  return file
}

/** The value of `key` in the stored configuration, if set. */
export function storedValue(key: ConfigKey, profile: Profile | undefined, global: {defaultProfile?: string; output?: string}): ConfigValue | undefined {
  return key.scope === 'global' ? global[key.field] : profile?.[key.field]
}

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase()
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)))
    prev = row
  }
  return prev[b.length]
}
