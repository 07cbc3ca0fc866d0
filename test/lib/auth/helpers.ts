// Test doubles for auth: a context in a temp folder and an in-memory credential store.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {CredentialAccess} from '../../../src/lib/auth/credential-access.js'
import type {Clock} from '../../../src/lib/clock.js'
import {createContext, type Context} from '../../../src/lib/context.js'
import type {CredentialStore, StoredCredentials} from '../../../src/lib/credentials/types.js'
import {fakeIO} from '../../helpers/fake-io.js'

export interface TestContext {
  ctx: Context
  dir: string
  stderr(): string
  stdout(): string
  cleanup(): void
}

export function testContext(options: {env?: NodeJS.ProcessEnv; clock?: Clock; debug?: boolean; profile?: string} = {}): TestContext {
  const dir = mkdtempSync(join(tmpdir(), 'ppctl-auth-'))
  const io = fakeIO()
  const err: string[] = []
  const out: string[] = []
  const ctx = createContext({
    version: '0.0.0-test',
    env: {...options.env},
    io: io.io,
    clock: options.clock,
    debug: options.debug,
    profileFlag: options.profile,
    paths: {config: join(dir, 'config'), cache: join(dir, 'cache'), data: join(dir, 'data')},
  })
  return {
    ctx,
    dir,
    stderr: () => (err.push(io.stderrText()), err.join('')),
    stdout: () => (out.push(io.stdoutText()), out.join('')),
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}

/** A stand-in for src/lib/credentials: one map per test, a lock that counts its holders. */
export function memoryAccess(): CredentialAccess & {entries: Map<string, StoredCredentials>; locks: number} {
  const entries = new Map<string, StoredCredentials>()
  const store: CredentialStore = {
    kind: 'memory',
    location: 'memory (test)',
    get: async (p) => (entries.has(p) ? structuredClone(entries.get(p)) : undefined),
    set: async (p, c) => void entries.set(p, structuredClone(c)),
    delete: async (p) => void entries.delete(p),
  }
  const access = {
    entries,
    locks: 0,
    open: async () => store,
    async withLock<T>(_ctx: Context, _profile: string, fn: () => Promise<T>): Promise<T> {
      access.locks++
      return fn()
    },
    deleteSecrets: async (_ctx: Context, p: string) => void entries.delete(p),
  }
  return access
}
