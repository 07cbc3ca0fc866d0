// The identity's signing keys (RSA JWKS) and cookie keys: made at first start, kept 0600 under dataDir/identity, reused after.
import {createHash, generateKeyPairSync, randomBytes, type JsonWebKey} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {writeFileSyncAtomic} from '../fs-util.js'

export type PrivateJwk = JsonWebKey & {kid: string; use: 'sig'}

export interface IdentityKeys {
  /** The private signing keys, for oidc-provider's `jwks` option. */
  jwks: {keys: PrivateJwk[]}
  /** The same keys with only their public members. */
  publicJwks: {keys: JsonWebKey[]}
  /** Secrets that sign oidc-provider's cookies. */
  cookieKeys: string[]
}

const PUBLIC_RSA_MEMBERS = ['kty', 'n', 'e', 'kid', 'use', 'alg'] as const

/** RFC 7638 thumbprint of an RSA key: a stable kid. */
function rsaThumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({e: jwk.e, kty: jwk.kty, n: jwk.n})
  return createHash('sha256').update(canonical).digest('base64url')
}

function newSigningKey(): PrivateJwk {
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const jwk = privateKey.export({format: 'jwk'}) as JsonWebKey
  return {...jwk, kid: rsaThumbprint(jwk), use: 'sig'}
}

function publicPart(jwk: JsonWebKey): JsonWebKey {
  const out: Record<string, unknown> = {}
  for (const member of PUBLIC_RSA_MEMBERS) {
    const value = (jwk as Record<string, unknown>)[member]
    if (value !== undefined) out[member] = value
  }
  return out as JsonWebKey
}

function loadOrCreate<T>(file: string, create: () => T, valid: (value: unknown) => value is T): T {
  if (existsSync(file)) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (valid(parsed)) return parsed
    throw new Error(`${file} is not valid; remove it to have new keys made at the next start`)
  }
  const value = create()
  writeFileSyncAtomic(file, JSON.stringify(value, null, 2) + '\n', 0o600)
  return value
}

const isJwks = (value: unknown): value is {keys: PrivateJwk[]} =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as {keys?: unknown}).keys) &&
  (value as {keys: unknown[]}).keys.length > 0 &&
  (value as {keys: Array<Record<string, unknown>>}).keys.every((k) => k.kty === 'RSA' && typeof k.d === 'string' && typeof k.kid === 'string')

const isCookieKeys = (value: unknown): value is {keys: string[]} =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as {keys?: unknown}).keys) &&
  (value as {keys: unknown[]}).keys.length > 0 &&
  (value as {keys: unknown[]}).keys.every((k) => typeof k === 'string' && k.length >= 32)

/** Loads `identity/jwks.json` and `identity/cookie-keys.json`, creating them at first start. */
export function ensureIdentityKeys(dataDir: string): IdentityKeys {
  const dir = join(dataDir, 'identity')
  const jwks = loadOrCreate(join(dir, 'jwks.json'), () => ({keys: [newSigningKey()]}), isJwks)
  const cookies = loadOrCreate(join(dir, 'cookie-keys.json'), () => ({keys: [randomBytes(32).toString('base64url')]}), isCookieKeys)
  return {jwks, publicJwks: {keys: jwks.keys.map(publicPart)}, cookieKeys: cookies.keys}
}
