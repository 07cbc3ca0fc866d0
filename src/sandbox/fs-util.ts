// Synchronous private file writes for the local platform's state (temp, fsync, rename, 0600).
import {closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {basename, dirname, join} from 'node:path'

export function writeFileSyncAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = dirname(file)
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const fd = openSync(tmp, 'wx', mode)
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  const dfd = openSync(dir, 'r')
  try {
    fsyncSync(dfd)
  } finally {
    closeSync(dfd)
  }
}
