// Shared steps of the audit end-to-end tests: a platform started with audit knobs, a signed-in admin machine,
// event seeding straight into a cluster store, and a line collector for a running `ppctl audit stream`.
import type {ChildProcessWithoutNullStreams} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {constants} from 'node:os'
import {join} from 'node:path'

import {isAlive} from '../../src/lib/sandbox/lifecycle.js'
import {spawnCli, type CliEnv} from './cli.js'
import {startTestPlatform, type TestPlatform} from './platform.js'
import {approveWithCli, deviceLogin, machine} from './sign-in.js'

export const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'

/** Like startTestPlatform, with the platform's audit knobs (PPCTL_SANDBOX_HEARTBEAT_MS, …) in its environment. */
export const startAuditPlatform = (extra: NodeJS.ProcessEnv = {}): Promise<TestPlatform> => startTestPlatform(extra)

/** A CLI machine signed in as the Contoso admin (file credential store). */
export async function adminMachine(platform: TestPlatform, extra: NodeJS.ProcessEnv = {}): Promise<CliEnv> {
  const m = await machine(platform, extra)
  const login = await deviceLogin(m.env, [], approveWithCli(platform, 'admin@contoso.example'))
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`)
  return m
}

export function platformPid(platform: TestPlatform): number {
  return Number(readFileSync(join(platform.dataDir, 'platform.pid'), 'utf8').trim())
}

/** Appends `count` synthetic events for Contoso straight into a cluster's store (a separate process may hold it: SQLite WAL). */
export async function seedEvents(
  dataDir: string,
  cluster: string,
  count: number,
  from = 0,
  action: (i: number) => string = (i) => (i % 5 === 0 ? 'signin' : 'token.issued'),
): Promise<{firstSeq: number; lastSeq: number}> {
  const {ClusterDb} = await import('../../src/sandbox/clusters/cluster-db.js')
  const db = new ClusterDb(cluster, join(dataDir, 'clusters', `${cluster}.db`), {}, true)
  try {
    let range = {firstSeq: 0, lastSeq: 0}
    for (let done = 0; done < count;) {
      const n = Math.min(20_000, count - done)
      const r = db.audit.appendMany(
        CONTOSO,
        Array.from({length: n}, (_, k) => ({
          action: action(from + done + k),
          result: 'succeeded' as const,
          actor: {type: 'user' as const, id: 'c0000000-0000-4000-8000-000000000001', upn: 'admin@contoso.example'},
          clientIp: '127.0.0.1',
          correlationId: `seed-${from + done + k}`,
        })),
      )
      if (done === 0) range = r
      range.lastSeq = r.lastSeq
      done += n
    }
    return range
  } finally {
    db.close()
  }
}

export interface Collector {
  lines: string[]
  stderr(): string
  /** Resolves when `predicate` holds for the lines so far (checked on every new line). */
  until(predicate: (lines: string[]) => boolean, what: string): Promise<void>
  exited: Promise<number>
}

/** Collects stdout lines of a spawned `ppctl audit stream`. */
export function collect(child: ChildProcessWithoutNullStreams): Collector {
  const lines: string[] = []
  let err = ''
  let carry = ''
  const waiters: Array<{predicate: (l: string[]) => boolean; resolve(): void}> = []
  const check = () => {
    for (const w of [...waiters])
      if (w.predicate(lines)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
  }
  child.stdout.on('data', (d: Buffer) => {
    const parts = (carry + d.toString('utf8')).split('\n')
    carry = parts.pop() ?? ''
    lines.push(...parts)
    check()
  })
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString('utf8')
    check()
  })
  const exited = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : 1))))
  return {
    lines,
    stderr: () => err,
    until: (predicate, what) =>
      new Promise<void>((resolve, reject) => {
        if (predicate(lines)) return resolve()
        waiters.push({predicate, resolve})
        void exited.then((code) => reject(new Error(`ppctl exited (${code}) before ${what}: ${err.slice(-2000)}`)))
      }),
    exited,
  }
}

export function spawnStream(env: NodeJS.ProcessEnv, args: string[]) {
  const child = spawnCli(['audit', 'stream', ...args], env)
  child.stdin.end()
  return child
}

export const seqs = (lines: string[]) => lines.filter(Boolean).map((l) => (JSON.parse(l) as {seq: number}).seq)

/** Waits until a killed process is gone (a zombie counts as gone, as it does for `sandbox start`). */
export async function waitForExit(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!isAlive(pid)) return
    if (Date.now() > deadline) throw new Error(`process ${pid} still exists after SIGKILL`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export interface ScriptedEvent {
  action: string
  result: 'succeeded' | 'failed'
  actor: {type: 'user' | 'servicePrincipal' | 'system' | 'anonymous'; id?: string; upn?: string; appId?: string}
  target?: {type: string; id: string}
  clientIp?: string
  time?: string
}

/** Appends scripted events for Contoso straight into a cluster's store. */
export async function appendEvents(dataDir: string, cluster: string, events: ScriptedEvent[]): Promise<void> {
  const {ClusterDb} = await import('../../src/sandbox/clusters/cluster-db.js')
  const db = new ClusterDb(cluster, join(dataDir, 'clusters', `${cluster}.db`), {}, true)
  try {
    db.audit.appendMany(CONTOSO, events)
  } finally {
    db.close()
  }
}
