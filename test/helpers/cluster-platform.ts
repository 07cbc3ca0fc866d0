// A real platform with both seeded admins signed in, for the replication and failover tests: raw cluster calls,
// the control socket, sandbox status, a restart on the same port and read/write access to a cluster's SQLite file.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {controlRequest} from '../../src/lib/sandbox/lifecycle.js'
import {runCli} from './cli.js'
import {testClient, type TestClient} from './https.js'
import {startTestPlatform, type TestPlatform} from './platform.js'
import {deviceSignIn} from './tokens.js'

export type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
export const FABRIKAM = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'
const ADMINS = ['admin@contoso.example', 'admin@fabrikam.example'] as const

export interface ClusterPlatform {
  platform: TestPlatform
  /** The current client (replaced by restart(): pooled connections go with the old process). */
  readonly client: TestClient
  /** An access token per admin UPN (signed in again by restart()). */
  tokens: Record<string, string>
  /** host:port of a cluster's endpoint. */
  host(cluster: string): string
  /** A request to a cluster as `upn`; the body is parsed JSON ({} when empty). */
  call(upn: string, cluster: string, method: string, path: string, body?: unknown): Promise<{status: number; headers: Headers; body: Json}>
  /** A request on the platform's private control socket. */
  control<T>(method: string, path: string, body?: unknown): ReturnType<typeof controlRequest<T>>
  /** Waits (for the condition, not for a time) until the tenant's replication satisfies `until`. */
  replicationOf(tenantId: string, until: (r: Json) => boolean): Promise<Json>
  /** `ppctl sandbox status --json`. */
  status(): Promise<{code: number; stderr: string; body: Json}>
  /** `ppctl sandbox stop`, `between()` while it is down, `start` on the same port; a new client, every admin signed in again. */
  restart(between?: () => unknown): Promise<void>
  /** Opens a cluster's SQLite file (read-only unless told) for `fn`, and closes it. */
  sqlite<T>(cluster: string, fn: (db: import('better-sqlite3').Database) => T, readonly?: boolean): Promise<T>
  stop(): Promise<void>
}

export const caughtUp = (r: Json): boolean => r.lagEntries === 0

export async function startClusterPlatform(env: NodeJS.ProcessEnv = {}): Promise<ClusterPlatform> {
  const platform = await startTestPlatform(env)
  let client = testClient(platform.caPem)
  const tokens: Record<string, string> = {}
  const signInAll = async () => {
    for (const upn of ADMINS) tokens[upn] = (await deviceSignIn(client, platform, upn)).access_token
  }
  try {
    await signInAll()
  } catch (error) {
    await client.close()
    await platform.stop()
    throw error
  }
  const host = (cluster: string) => `${cluster}.clusters.sandbox.localhost:${platform.port}`
  const control = <T>(method: string, path: string, body?: unknown) => {
    const state = JSON.parse(readFileSync(join(platform.dataDir, 'state.json'), 'utf8')) as {controlSocket: string}
    return controlRequest<T>(state.controlSocket, method, path, body)
  }
  return {
    platform,
    get client() {
      return client
    },
    tokens,
    host,
    async call(upn, cluster, method, path, body) {
      const res = await client.fetch(`https://${host(cluster)}${path}`, {
        method,
        headers: {authorization: `Bearer ${tokens[upn]}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return {status: res.status, headers: res.headers as unknown as Headers, body: (text ? JSON.parse(text) : {}) as Json}
    },
    control,
    async replicationOf(tenantId, until) {
      for (;;) {
        const {body} = await control<Json[]>('GET', '/v1/replication')
        const r = body.find((x) => x.tenantId === tenantId) as Json
        if (until(r)) return r
        await new Promise((resolve) => setImmediate(resolve))
      }
    },
    async status() {
      const out = await runCli(['sandbox', 'status', '--data-dir', platform.dataDir, '--json'], platform.cli.env)
      return {code: out.code, stderr: out.stderr, body: JSON.parse(out.stdout || '{}') as Json}
    },
    async restart(between) {
      const stop = await runCli(['sandbox', 'stop', '--data-dir', platform.dataDir], platform.cli.env)
      expect(stop.code, stop.stderr).to.equal(0)
      await between?.()
      const start = await runCli(['sandbox', 'start', '--port', String(platform.port), '--data-dir', platform.dataDir, '--json'], platform.cli.env)
      expect(start.code, start.stderr).to.equal(0)
      await client.close()
      client = testClient(platform.caPem)
      await signInAll()
    },
    async sqlite(cluster, fn, readonly = true) {
      const {default: Database} = await import('better-sqlite3')
      const db = new Database(join(platform.dataDir, 'clusters', `${cluster}.db`), {readonly})
      try {
        return fn(db)
      } finally {
        db.close()
      }
    },
    async stop() {
      await client.close()
      await platform.stop()
    },
  }
}
