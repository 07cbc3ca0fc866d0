// The keyring, driven from a child process: @napi-rs/keyring connects to D-Bus synchronously and a hung
// call cannot be interrupted in-process (a worker thread blocked in native code even blocks exit), so the
// calls run in a small Node child that is killed when the timeout fires.
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {createRequire} from 'node:module'
import {createInterface} from 'node:readline'

import {describeKeyringFailure, KeychainTimeoutError, KeychainUnavailableError} from './errors.js'

/** The keyring operations the keychain store needs; one account is one keychain entry of the service. */
export interface KeyringBackend {
  get(account: string): Promise<string | null>
  set(account: string, value: string): Promise<void>
  /** True when an entry was deleted, false when there was none. */
  delete(account: string): Promise<boolean>
  /** Ends the child (if any); later calls start a new one. */
  close(): void
}

export interface ChildKeyringOptions {
  service: string
  env: NodeJS.ProcessEnv
  /** Per call; 10 s by default. */
  timeoutMs?: number
  platform?: NodeJS.Platform
  /** Tests: a replacement for the child's program (CommonJS source run with `node -e`). */
  childSource?: string
}

const DEFAULT_KEYCHAIN_TIMEOUT_MS = 10_000

// CommonJS run with `node -e`: argv[1] is the keyring module's path. One JSON request per line on stdin,
// one JSON answer per line on stdout. On Linux every entry is pinned to the Secret Service, so the library
// throws instead of silently falling back to the kernel keyring.
const KEYRING_CHILD_SOURCE = `
const {AsyncEntry} = require(process.argv[1]);
const options = process.platform === 'linux' ? {linux: {store: 'secret-service'}} : undefined;
const answer = (value) => process.stdout.write(JSON.stringify(value) + '\\n');
require('node:readline').createInterface({input: process.stdin}).on('line', async (line) => {
  let request;
  try { request = JSON.parse(line); } catch { return; }
  try {
    const entry = new AsyncEntry(request.service, request.account, options);
    let value = null;
    if (request.op === 'get') value = await entry.getPassword();
    else if (request.op === 'set') await entry.setPassword(request.value);
    else if (request.op === 'delete') value = await entry.deleteCredential();
    answer({id: request.id, ok: true, value});
  } catch (err) {
    answer({id: request.id, ok: false, message: String((err && err.message) || err)});
  }
});
`

interface Pending {
  resolve(value: unknown): void
  reject(err: unknown): void
  timer: NodeJS.Timeout
}

export function createChildKeyring(options: ChildKeyringOptions): KeyringBackend {
  const timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS
  const platform = options.platform ?? process.platform
  let child: ChildProcessWithoutNullStreams | undefined
  let nextId = 1
  const pending = new Map<number, Pending>()

  const failAll = (err: unknown) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      pending.delete(id)
      p.reject(err)
    }
  }

  const kill = () => {
    if (!child) return
    const c = child
    child = undefined
    c.stdin.destroy()
    c.stdout.destroy()
    c.kill('SIGKILL')
  }

  const start = (): ChildProcessWithoutNullStreams => {
    const modulePath = createRequire(import.meta.url).resolve('@napi-rs/keyring')
    const c = spawn(process.execPath, ['-e', options.childSource ?? KEYRING_CHILD_SOURCE, modulePath], {
      env: {...options.env, NODE_OPTIONS: ''},
      stdio: ['pipe', 'pipe', 'ignore'],
      windowsHide: true,
    }) as unknown as ChildProcessWithoutNullStreams
    // The child must never keep ppctl alive: only a pending call (its timer) does.
    c.unref()
    ;(c.stdin as unknown as {unref?: () => void}).unref?.()
    ;(c.stdout as unknown as {unref?: () => void}).unref?.()
    createInterface({input: c.stdout}).on('line', (line) => {
      let answer: {id: number; ok: boolean; value?: unknown; message?: string}
      try {
        answer = JSON.parse(line)
      } catch {
        return
      }
      const p = pending.get(answer.id)
      if (!p) return
      pending.delete(answer.id)
      clearTimeout(p.timer)
      if (answer.ok) p.resolve(answer.value ?? null)
      else p.reject(new KeychainUnavailableError(describeKeyringFailure(answer.message ?? 'unknown error', options.env, platform), platform))
    })
    c.on('error', (err) => {
      if (child === c) child = undefined
      failAll(new KeychainUnavailableError(`the keychain helper process could not start (${err.message})`, platform, err))
    })
    c.on('exit', () => {
      if (child === c) child = undefined
      failAll(new KeychainUnavailableError('the keychain helper process ended unexpectedly', platform))
    })
    return c
  }

  const call = (op: 'get' | 'set' | 'delete', account: string, value?: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const c = (child ??= start())
      const id = nextId++
      const timer = setTimeout(() => {
        pending.delete(id)
        // A hung keyring call cannot be cancelled: end the child and fail everything queued on it.
        kill()
        failAll(new KeychainTimeoutError(op, timeoutMs, platform))
        reject(new KeychainTimeoutError(op, timeoutMs, platform))
      }, timeoutMs)
      pending.set(id, {resolve, reject, timer})
      c.stdin.write(JSON.stringify({id, op, service: options.service, account, ...(value === undefined ? {} : {value})}) + '\n')
    })

  return {
    get: async (account) => (await call('get', account)) as string | null,
    set: async (account, value) => {
      await call('set', account, value)
    },
    delete: async (account) => Boolean(await call('delete', account)),
    close: kill,
  }
}
