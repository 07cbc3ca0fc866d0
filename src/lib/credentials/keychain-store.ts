// The keychain store: one JSON record per profile, split into numbered entries that fit Windows'
// Credential Manager (2,560 bytes per entry, UTF-16), written so a crash never leaves a torn record.
import {parseCredentials, pickCredentials} from './credentials-json.js'
import type {KeyringBackend} from './keyring-child.js'
import type {CredentialStore, StoredCredentials} from './types.js'

export const KEYCHAIN_SERVICE = 'ppctl'
/** Characters per entry on Windows: 1,200 UTF-16 code units = 2,400 bytes, under the 2,560-byte limit. */
const WINDOWS_CHUNK_SIZE = 1200
const DEFAULT_CHUNK_SIZE = 16_000

// Entries of profile P (profile names never contain "#"):
//   P            header {"v":1,"slot":"a"|"b","n":N,"length":L}
//   P#a.1..N     the record's JSON, in N pieces (slot a or b)
// A write fills the slot the header does not point at, then switches the header, then deletes the old
// slot's pieces from the last to the first, so leftovers after a crash are always a prefix 1..k.
interface Header {
  v: 1
  slot: 'a' | 'b'
  n: number
  length: number
}

const SLOTS = ['a', 'b'] as const

export function chunkSizeFor(platform: NodeJS.Platform): number {
  return platform === 'win32' ? WINDOWS_CHUNK_SIZE : DEFAULT_CHUNK_SIZE
}

export function locationFor(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain'
  if (platform === 'win32') return 'Windows Credential Manager'
  return 'Secret Service (default collection)'
}

export class KeychainStore implements CredentialStore {
  readonly kind = 'keychain' as const

  constructor(
    private readonly backend: KeyringBackend,
    readonly location: string,
    private readonly chunkSize: number,
  ) {
    if (!Number.isInteger(chunkSize) || chunkSize < 16) throw new Error('chunk size must be an integer of at least 16')
  }

  async get(profile: string): Promise<StoredCredentials | undefined> {
    const header = parseHeader(await this.backend.get(profile))
    if (!header) return undefined
    const pieces: string[] = []
    for (let i = 1; i <= header.n; i++) {
      const piece = await this.backend.get(pieceAccount(profile, header.slot, i))
      if (piece === null) return undefined
      pieces.push(piece)
    }
    const json = pieces.join('')
    if (json.length !== header.length) return undefined
    return parseCredentials(json)
  }

  async set(profile: string, credentials: StoredCredentials): Promise<void> {
    const json = JSON.stringify(pickCredentials(credentials))
    const old = parseHeader(await this.backend.get(profile))
    const slot = old?.slot === 'a' ? 'b' : 'a'
    // Leftovers of an interrupted write in the slot about to be used.
    await this.deletePieces(profile, slot, undefined)
    const pieces = split(json, this.chunkSize)
    for (let i = 0; i < pieces.length; i++) await this.backend.set(pieceAccount(profile, slot, i + 1), pieces[i])
    const header: Header = {v: 1, slot, n: pieces.length, length: json.length}
    await this.backend.set(profile, JSON.stringify(header))
    if (old) await this.deletePieces(profile, old.slot, old.n)
  }

  /** Deletes every entry of the profile: the header and all pieces of both slots. */
  async delete(profile: string): Promise<void> {
    const header = parseHeader(await this.backend.get(profile))
    await this.backend.delete(profile)
    for (const slot of SLOTS) await this.deletePieces(profile, slot, header?.slot === slot ? header.n : undefined)
  }

  /** With a known count, from the last piece down; otherwise upwards until the first absent one. */
  private async deletePieces(profile: string, slot: 'a' | 'b', count: number | undefined): Promise<void> {
    if (count !== undefined) {
      for (let i = count; i >= 1; i--) await this.backend.delete(pieceAccount(profile, slot, i))
    }
    for (let i = (count ?? 0) + 1; await this.backend.delete(pieceAccount(profile, slot, i)); i++);
  }
}

function pieceAccount(profile: string, slot: string, index: number): string {
  return `${profile}#${slot}.${index}`
}

function parseHeader(text: string | null): Header | undefined {
  if (text === null) return undefined
  try {
    const h = JSON.parse(text) as Partial<Header>
    if (h.v === 1 && (h.slot === 'a' || h.slot === 'b') && Number.isInteger(h.n) && Number.isInteger(h.length)) return h as Header
  } catch {
    // A foreign or damaged entry: treated as absent, overwritten by the next set.
  }
  return undefined
}

/** Splits on code-unit boundaries without cutting a surrogate pair. */
function split(text: string, size: number): string[] {
  const out: string[] = []
  let start = 0
  while (start < text.length) {
    let end = Math.min(start + size, text.length)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--
    out.push(text.slice(start, end))
    start = end
  }
  return out.length > 0 ? out : ['']
}
