// A cross-process lock per profile around read–refresh–save: an O_EXCL file with the holder's pid, host
// and a random token (never a secret), kept fresh by a heartbeat; a dead holder's lock is taken over.
import {randomBytes} from 'node:crypto'
import {open, readFile, stat, unlink, utimes} from 'node:fs/promises'
import {hostname} from 'node:os'
import {join} from 'node:path'

import type {Context} from '../context.js'
import {ensurePrivateDir} from '../config/atomic.js'
import {CredentialLockTimeoutError} from './errors.js'

export interface ProfileLockOptions {
  /** A lock whose file was not refreshed for this long is stale (its holder hung or died elsewhere). Default 10 s. */
  staleMs?: number
  /** Give up after waiting this long (CREDENTIAL_LOCK_TIMEOUT). Default 60 s. */
  waitTimeoutMs?: number
  /** Tests: called before each wait, with the number of waits so far. */
  onWait?: (attempt: number) => void
  /** Tests: the jitter's source (default Math.random). */
  random?: () => number
}

interface LockRecord {
  pid: number
  host: string
  token: string
}

const BASE_DELAY_MS = 10
const MAX_DELAY_MS = 500
const MIN_DELAY_MS = 2

/** Exponential backoff with full jitter, so sixteen waiters neither spin nor wake in step. */
export function backoffMs(waits: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(waits, 10))
  return Math.max(MIN_DELAY_MS, Math.round(random() * ceiling))
}

export function lockFileFor(configDir: string, profile: string): string {
  return join(configDir, 'locks', `${profile}.lock`)
}

/**
 * Runs fn while holding the profile's lock. Not re-entrant: do not nest it for the same profile.
 * Re-read the credential store inside fn: another process may have refreshed while this one waited.
 */
export async function withProfileLock<T>(ctx: Context, profile: string, fn: () => Promise<T>, options: ProfileLockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? 10_000
  const waitTimeoutMs = options.waitTimeoutMs ?? 60_000
  const file = lockFileFor(ctx.paths.config, profile)
  await ensurePrivateDir(join(ctx.paths.config, 'locks'))
  const me: LockRecord = {pid: process.pid, host: hostname(), token: randomBytes(12).toString('hex')}
  const started = ctx.clock.now()

  // Every round that does not get the lock ends in the same jittered backoff sleep, whatever it saw (a live holder
  // here or elsewhere, an unreadable file, a stale lock another waiter is taking over, a lock that is gone but cannot
  // be created): only a round that made progress (the lock vanished, or this waiter removed a stale one) may retry at
  // once, and never twice in a row, so no branch can turn into a busy loop.
  let waits = 0
  let retriedAtOnce = false
  for (;;) {
    if (await tryCreate(file, me)) break
    const holder = await readHolder(file)
    const progress = holder === 'absent' || ((await isStale(file, holder, staleMs)) && (await takeOver(file, holder, staleMs)))
    if (progress && !retriedAtOnce) {
      retriedAtOnce = true
      continue
    }
    retriedAtOnce = false
    if (ctx.clock.now() - started > waitTimeoutMs) throw new CredentialLockTimeoutError(profile, file, waitTimeoutMs)
    options.onWait?.(waits)
    await ctx.clock.sleep(backoffMs(waits++, options.random ?? Math.random))
  }

  const heartbeat = setInterval(
    () => {
      const now = new Date()
      utimes(file, now, now).catch(() => {})
    },
    Math.max(50, Math.floor(staleMs / 3)),
  )
  heartbeat.unref()
  try {
    return await fn()
  } finally {
    clearInterval(heartbeat)
    const holder = await readHolder(file)
    if (holder !== 'absent' && holder !== undefined && holder.token === me.token) await unlink(file).catch(() => {})
  }
}

async function tryCreate(file: string, record: LockRecord): Promise<boolean> {
  let handle
  try {
    handle = await open(file, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
  try {
    await handle.writeFile(JSON.stringify(record))
  } finally {
    await handle.close()
  }
  return true
}

/** The holder's record; undefined while it is being written (or unreadable), 'absent' when the lock is gone. */
async function readHolder(file: string): Promise<LockRecord | undefined | 'absent'> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as LockRecord
    return typeof parsed.token === 'string' ? parsed : undefined
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
    return undefined
  }
}

async function isStale(file: string, holder: LockRecord | undefined, staleMs: number): Promise<boolean> {
  if (holder && holder.host === hostname() && !isAlive(holder.pid)) return true
  try {
    return Date.now() - (await stat(file)).mtimeMs > staleMs
  } catch {
    return false
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes a stale lock under a guard file, after checking it is still the same stale lock: without the
 * guard, two waiters could both see it stale and the slower one would delete the faster one's new lock.
 * True when the lock is gone (removed here, or already), false when it stays (another waiter holds the guard,
 * the lock changed hands, or it could not be removed): the caller then waits before it looks again.
 */
async function takeOver(file: string, seen: LockRecord | undefined, staleMs: number): Promise<boolean> {
  const guard = file + '.takeover'
  let handle
  try {
    handle = await open(guard, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    // A guard left by a process killed mid-takeover.
    try {
      if (Date.now() - (await stat(guard)).mtimeMs > staleMs) await unlink(guard)
    } catch {
      // Gone already.
    }
    return false
  }
  await handle.close()
  try {
    const now = await readHolder(file)
    if (now === 'absent') return true
    const same = seen === undefined ? now === undefined : now?.token === seen.token
    if (!same || !(await isStale(file, now, staleMs))) return false
    return await unlink(file).then(
      () => true,
      (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
    )
  } finally {
    await unlink(guard).catch(() => {})
  }
}
