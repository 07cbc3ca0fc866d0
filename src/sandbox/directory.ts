// The identity directory of the local platform: users with hashed passwords, and service principals.
import {randomBytes, randomInt, scryptSync, timingSafeEqual} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {writeFileSyncAtomic} from './fs-util.js'
import {seedUsers, type SeedUser} from './seed.js'

export interface DirectoryUser extends SeedUser {
  /** scrypt$<salt b64>$<hash b64> */
  passwordHash: string
}

export interface ServicePrincipal {
  clientId: string
  tenantId: string
  name: string
  roles: string[]
  /** The registered public key as a JWK, with its certificate in x5c. */
  jwk: Record<string, unknown>
  /** base64url SHA-256 of the certificate's DER: what x5t#S256 must equal. */
  thumbprintS256: string
  /** Hex SHA-1 thumbprint, for people. */
  thumbprintSha1: string
  notAfter: string
  createdAt: string
  /** Workload identity federation: tokens of these issuers, subjects and audiences sign in as this service principal. */
  federatedCredentials?: FederatedCredential[]
}

/** One trusted external identity: a token with exactly this `iss` and `sub`, and one of these `aud`, signs in. */
export interface FederatedCredential {
  name: string
  issuer: string
  subject: string
  audiences: string[]
  createdAt: string
}

interface DirectoryFile {
  version: 1
  users: DirectoryUser[]
  servicePrincipals: ServicePrincipal[]
}

export interface GeneratedPassword {
  upn: string
  password: string
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'

function generatePassword(length = 16): string {
  let out = ''
  for (let i = 0; i < length; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]
  return out
}

function hashPassword(password: string): string {
  const salt = randomBytes(16)
  const hash = scryptSync(password, salt, 32)
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`
}

function verifyHash(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length)
  return timingSafeEqual(expected, actual)
}

export class Directory {
  private data: DirectoryFile
  private readonly file: string
  /** Plaintext of the generated passwords: only `ppctl sandbox users` reads this 0600 file. */
  readonly passwordsFile: string

  private constructor(dataDir: string, data: DirectoryFile) {
    this.file = join(dataDir, 'directory.json')
    this.passwordsFile = join(dataDir, 'passwords.json')
    this.data = data
  }

  /** Loads the directory, seeding users with fresh passwords at first start. */
  static open(dataDir: string): Directory {
    const file = join(dataDir, 'directory.json')
    if (existsSync(file)) return new Directory(dataDir, JSON.parse(readFileSync(file, 'utf8')) as DirectoryFile)
    const generated: GeneratedPassword[] = []
    const users = seedUsers().map((user) => {
      const password = generatePassword()
      generated.push({upn: user.upn, password})
      return {...user, passwordHash: hashPassword(password)}
    })
    const dir = new Directory(dataDir, {version: 1, users, servicePrincipals: []})
    writeFileSyncAtomic(dir.passwordsFile, JSON.stringify(generated, null, 2) + '\n')
    dir.save()
    return dir
  }

  private save(): void {
    writeFileSyncAtomic(this.file, JSON.stringify(this.data, null, 2) + '\n')
  }

  users(): readonly DirectoryUser[] {
    return this.data.users
  }

  findUser(oid: string): DirectoryUser | undefined {
    return this.data.users.find((u) => u.oid === oid)
  }

  findUserByUpn(upn: string): DirectoryUser | undefined {
    const key = upn.trim().toLowerCase()
    return this.data.users.find((u) => u.upn.toLowerCase() === key)
  }

  /** The user when the password matches; undefined otherwise (same cost either way). */
  authenticate(upn: string, password: string): DirectoryUser | undefined {
    const user = this.findUserByUpn(upn)
    const ok = verifyHash(password, user?.passwordHash ?? DUMMY_HASH)
    return ok && user ? user : undefined
  }

  servicePrincipals(): readonly ServicePrincipal[] {
    return this.data.servicePrincipals
  }

  findServicePrincipal(clientId: string): ServicePrincipal | undefined {
    return this.data.servicePrincipals.find((sp) => sp.clientId === clientId)
  }

  addServicePrincipal(sp: ServicePrincipal): void {
    this.data.servicePrincipals.push(sp)
    this.save()
  }

  /** Adds a federated credential, or replaces the one of the same name; returns what was there before. */
  putFederatedCredential(clientId: string, credential: FederatedCredential): FederatedCredential | undefined {
    const sp = this.findServicePrincipal(clientId)
    if (!sp) throw new Error(`no service principal ${clientId}`)
    const list = (sp.federatedCredentials ??= [])
    const index = list.findIndex((c) => c.name === credential.name)
    const before = index >= 0 ? list[index] : undefined
    if (index >= 0) list[index] = credential
    else list.push(credential)
    this.save()
    return before
  }

  /** Removes the named federated credential; returns it, or undefined when there was none. */
  removeFederatedCredential(clientId: string, name: string): FederatedCredential | undefined {
    const sp = this.findServicePrincipal(clientId)
    const index = sp?.federatedCredentials?.findIndex((c) => c.name === name) ?? -1
    if (!sp?.federatedCredentials || index < 0) return undefined
    const [removed] = sp.federatedCredentials.splice(index, 1)
    this.save()
    return removed
  }
}

const DUMMY_HASH = hashPassword(randomBytes(12).toString('hex'))
