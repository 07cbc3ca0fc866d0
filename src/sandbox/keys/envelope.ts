// AES-256-GCM from node:crypto, framed: the key version, a random 96-bit IV and the tag travel with the ciphertext.
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'

const FORMAT = 1
const HEADER = 1 + 4 + 12 + 16

/** Encrypts `plain` with `key` (32 bytes); `aad` (the tenant and what the bytes are) is authenticated, not stored. */
export function seal(key: Buffer, version: number, plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const body = Buffer.concat([cipher.update(plain), cipher.final()])
  const head = Buffer.alloc(5)
  head.writeUInt8(FORMAT, 0)
  head.writeUInt32BE(version, 1)
  return Buffer.concat([head, iv, cipher.getAuthTag(), body])
}

/** The key version a sealed buffer needs. */
export function sealedVersion(sealed: Buffer): number {
  if (sealed.length < HEADER || sealed.readUInt8(0) !== FORMAT) throw new Error('not a sealed value')
  return sealed.readUInt32BE(1)
}

/** Decrypts and authenticates; throws when the key, the aad or a single byte is wrong. */
export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  sealedVersion(sealed)
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(5, 17))
  decipher.setAAD(Buffer.from(aad))
  decipher.setAuthTag(sealed.subarray(17, HEADER))
  return Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()])
}
