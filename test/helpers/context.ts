// The one test context: a temp folder for config/cache/data, in-memory stdio, and any fake the test hands in.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {CredentialAccess} from '../../src/lib/auth/credential-access.js'
import type {Clock} from '../../src/lib/clock.js'
import {resolvePaths, type Paths} from '../../src/lib/config/paths.js'
import {createContext, type Context} from '../../src/lib/context.js'
import type {CredentialStore, StoredCredentials} from '../../src/lib/credentials/types.js'
import type {Http} from '../../src/lib/http/types.js'
import type {Reporter} from '../../src/lib/output/reporter.js'
import {fakeIO, type FakeIO} from './fake-io.js'

export interface TestContextOptions {
  env?: NodeJS.ProcessEnv
  clock?: Clock
  debug?: boolean
  /** --profile */
  profile?: string
  /** The paths from the environment (PPCTL_CONFIG_DIR …) instead of a fresh temp folder. */
  pathsFromEnv?: boolean
  credentials?: CredentialAccess
  http?: Http
  reporter?: Reporter
  columns?: number
  /** The streams claim to be a terminal. */
  tty?: boolean
  /** With tty: colours allowed (io.color), as at a terminal without NO_COLOR. */
  color?: boolean
}

export interface TestContext {
  ctx: Context
  /** The temp folder holding config/, cache/ and data/ (removed by cleanup); the config folder with pathsFromEnv. */
  dir: string
  io: FakeIO
  /** Everything written to stdout / stderr so far. */
  stdout(): string
  stderr(): string
  cleanup(): void
}

export function testContext(options: TestContextOptions = {}): TestContext {
  const env = {...options.env}
  const own = !options.pathsFromEnv
  const dir = own ? mkdtempSync(join(tmpdir(), 'ppctl-test-')) : resolvePaths(env).config
  const paths: Paths = own ? {config: join(dir, 'config'), cache: join(dir, 'cache'), data: join(dir, 'data')} : resolvePaths(env)
  const io = fakeIO({columns: options.columns, tty: options.tty, color: options.color})
  const ctx = createContext({
    version: '0.0.0-test',
    env,
    io: io.io,
    clock: options.clock,
    debug: options.debug,
    profileFlag: options.profile,
    paths,
    credentials: options.credentials,
    http: options.http,
    reporter: options.reporter,
  })
  return {
    ctx,
    dir,
    io,
    stdout: () => io.stdoutText(),
    stderr: () => io.stderrText(),
    cleanup: () => own && rmSync(dir, {recursive: true, force: true}),
  }
}

export type MemoryAccess = CredentialAccess & {entries: Map<string, StoredCredentials>; locks: number}

/** A stand-in for src/lib/credentials: one map per test, a lock that counts its holders. */
export function memoryAccess(): MemoryAccess {
  const entries = new Map<string, StoredCredentials>()
  const store: CredentialStore = {
    kind: 'memory',
    location: 'memory (test)',
    get: async (p) => (entries.has(p) ? structuredClone(entries.get(p)) : undefined),
    set: async (p, c) => void entries.set(p, structuredClone(c)),
    delete: async (p) => void entries.delete(p),
  }
  const access: MemoryAccess = {
    entries,
    locks: 0,
    open: async () => store,
    async withLock<T>(_profile: string, fn: () => Promise<T>): Promise<T> {
      access.locks++
      return fn()
    },
    deleteSecrets: async (p: string) => void entries.delete(p),
  }
  return access
}
