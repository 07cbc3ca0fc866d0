// Sign-in steps shared by the end-to-end tests: a CLI "machine" for a running platform, a device sign-in approved by script, audit reads.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {makeCliEnv, runCli, spawnCli, type CliEnv, type CliResult} from './cli.js'
import {checkCommandJson} from './command-schema.js'
import type {TestClient} from './https.js'
import type {TestPlatform} from './platform.js'

export interface DeviceCodeLine {
  event: 'device_code'
  verificationUri: string
  host: string
  userCode: string
  expiresIn: number
  interval: number
}

/** A fresh HOME and config for a running platform: `sandbox start` on it writes the sandbox profile (and its CA). */
export async function machine(platform: TestPlatform, extra: NodeJS.ProcessEnv = {}): Promise<CliEnv> {
  const cli = makeCliEnv({PPCTL_CREDENTIAL_STORE: 'file', ...extra})
  const started = await runCli(['sandbox', 'start', '--data-dir', platform.dataDir, '--json'], cli.env)
  if (started.code !== 0) throw new Error(`sandbox start (attach) failed: ${started.stderr}`)
  return cli
}

/**
 * Runs `ppctl auth login --json ...args` in the background, reads the user code from its stderr JSON line, lets
 * `approve` complete the sign-in, and waits for login to finish.
 */
export async function deviceLogin(
  env: NodeJS.ProcessEnv,
  args: string[],
  approve: (code: DeviceCodeLine) => Promise<void>,
): Promise<CliResult & {device: DeviceCodeLine}> {
  const child = spawnCli(['auth', 'login', '--json', ...args], env)
  child.stdin.end()
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)))
  const device = await new Promise<DeviceCodeLine>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8')
      const line = stderr.split('\n').find((l) => l.includes('"device_code"'))
      if (line) resolve(JSON.parse(line) as DeviceCodeLine)
    })
    void exited.then((code) => reject(new Error(`auth login exited (${code}) before showing a code: ${stderr}${stdout}`)))
  })
  await approve(device)
  const code = await exited
  // Held to schemas/auth-login.json (or error.json) like every --json run of runCli.
  checkCommandJson('auth:login', {json: true, code, stdout, result: undefined})
  return {code, stdout, stderr, device}
}

/** Approves with `ppctl sandbox approve`, the password piped from `sandbox users --json`. */
export function approveWithCli(platform: TestPlatform, upn: string) {
  return async (device: DeviceCodeLine) => {
    const users = JSON.parse((await runCli(['sandbox', 'users', '--data-dir', platform.dataDir, '--json'], platform.cli.env)).stdout) as {
      items: Array<{upn: string; password: string}>
    }
    const password = users.items.find((u) => u.upn === upn)?.password
    const approved = await runCli(['sandbox', 'approve', device.userCode, '--user', upn, '--data-dir', platform.dataDir], platform.cli.env, `${password}\n`)
    if (approved.code !== 0) throw new Error(`sandbox approve failed: ${approved.stderr}`)
  }
}

export interface AuditEventLite {
  action: string
  result: string
  actor: {upn?: string; appId?: string}
  details?: Record<string, unknown>
}

/**
 * The tenant's audit events with this action, through the platform's own audit API (GET /v1/audit/events on the
 * tenant's home cluster, found through the global service), read with a bearer token of an admin of that tenant.
 */
export async function auditEvents(platform: TestPlatform, client: TestClient, adminToken: string, action: string): Promise<AuditEventLite[]> {
  const auth = {authorization: `Bearer ${adminToken}`}
  const homeRes = await client.fetch(`${platform.urls.global}/v1/me/home`, {headers: auth})
  if (!homeRes.ok) throw new Error(`global service: ${homeRes.status} ${await homeRes.text()}`)
  const home = (await homeRes.json()) as {home: {uri: string; clusterId: string}}
  const events: AuditEventLite[] = []
  let cursor: string | undefined
  for (let page = 0; page < 100; page++) {
    const url = new URL('/v1/audit/events', home.home.uri)
    url.searchParams.set('action', action)
    url.searchParams.set('limit', '500')
    if (cursor) url.searchParams.set('cursor', cursor)
    const res = await client.fetch(url.href, {headers: auth})
    // Until the cluster serves its audit API, read the same log from the cluster's store (read-only).
    if (res.status === 501) return auditFromStore(platform, home.home.clusterId, action)
    if (!res.ok) throw new Error(`audit API: ${res.status} ${await res.text()}`)
    const body = (await res.json()) as {items: AuditEventLite[]; nextCursor?: string | null}
    events.push(...body.items)
    if (!body.nextCursor) break
    cursor = body.nextCursor
  }
  return events
}

async function auditFromStore(platform: TestPlatform, clusterId: string, action: string): Promise<AuditEventLite[]> {
  const {default: Database} = await import('better-sqlite3')
  const db = new Database(join(platform.dataDir, 'clusters', `${clusterId}.db`), {readonly: true, fileMustExist: true})
  try {
    const rows = db.prepare('SELECT json FROM audit WHERE action = ? ORDER BY tenant_id, seq').all(action) as Array<{json: string}>
    return rows.map((r) => JSON.parse(r.json) as AuditEventLite)
  } finally {
    db.close()
  }
}

/** Opaque secrets the provider holds (device codes, refresh tokens): their ids are their values. */
export function providerSecrets(platform: TestPlatform): string[] {
  const state = JSON.parse(readFileSync(join(platform.dataDir, 'identity', 'state.json'), 'utf8')) as {entries: Record<string, unknown>}
  return Object.keys(state.entries)
    .filter((k) => /^(DeviceCode|RefreshToken|AccessToken|ClientCredentials):/.test(k))
    .map((k) => k.slice(k.indexOf(':') + 1))
}

/** A CLI machine for each UPN, signed in with the device flow approved by `sandbox approve`. */
export async function signedInMachines(platform: TestPlatform, upns: string[]): Promise<CliEnv[]> {
  const machines: CliEnv[] = []
  for (const upn of upns) {
    const cli = await machine(platform)
    machines.push(cli)
    const login = await deviceLogin(cli.env, [], approveWithCli(platform, upn))
    if (login.code !== 0) throw new Error(`login of ${upn} failed: ${login.stderr}`)
  }
  return machines
}
