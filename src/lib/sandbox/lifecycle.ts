// Starting, stopping and inspecting the local platform's background process.
import {spawn} from 'node:child_process'
import {closeSync, openSync, readFileSync} from 'node:fs'
import {readFile, rm, stat} from 'node:fs/promises'
import {connect} from 'node:net'
import {isAbsolute, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Context} from '../context.js'
import {ensurePrivateDir} from '../config/atomic.js'
import {ConflictError, PpctlError, UnreachableError, UsageError} from '../errors/index.js'
import type {PlatformState} from '../../sandbox/contract.js'

const STATE_FILE = 'state.json'
const PID_FILE = 'platform.pid'
export const LOG_FILE = 'platform.log'
const PORT_FILE = 'port.json'
const SANDBOX_PROFILE = 'sandbox'
/** The port of a first start without --port; later starts without --port reuse the recorded one. */
export const DEFAULT_PORT = 8443
const START_TIMEOUT_MS = 60_000

export type {PlatformState}

/** The data folder: --data-dir, then PPCTL_SANDBOX_DIR, then the one the sandbox profile recorded, then the default. */
export async function resolveDataDir(ctx: Context, flag?: string): Promise<string> {
  const given = flag ?? ctx.env.PPCTL_SANDBOX_DIR
  if (given) return isAbsolute(given) ? given : resolve(given)
  const config = await ctx.config().read()
  return config.profiles[SANDBOX_PROFILE]?.sandboxDataDir ?? join(ctx.paths.data, 'sandbox')
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/** A killed process stays a zombie until its parent reaps it; kill(pid, 0) still succeeds on it (Linux /proc). */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return false
  }
}

/** The state file of a running platform, or undefined when none runs (stale files are ignored). */
export async function runningState(dataDir: string): Promise<PlatformState | undefined> {
  let state: PlatformState
  try {
    state = JSON.parse(await readFile(join(dataDir, STATE_FILE), 'utf8')) as PlatformState
  } catch {
    return undefined
  }
  return isAlive(state.pid) ? state : undefined
}

export async function requireRunning(dataDir: string): Promise<PlatformState> {
  const state = await runningState(dataDir)
  if (!state) {
    throw new UnreachableError('SANDBOX_NOT_RUNNING', `The local platform is not running (data folder ${dataDir}).`, {
      nextStep: 'Start it: ppctl sandbox start',
    })
  }
  return state
}

/**
 * A JSON request to the platform's control socket: one connection per request, the whole request in ONE write,
 * then the answer read until the platform closes the connection. Not node:http: its keep-alive pool hands out a
 * connection the platform closed while it sat idle (past the server's 5 s keep-alive timeout) to a client too busy
 * to have noticed, and its request ends with a second, empty write that can land after the platform has answered
 * and closed (what a test's HTTP interceptor does on every request). On a Unix socket either fails at once with
 * `write EPIPE`. Here nothing is written after the request, so there is nothing to fail.
 */
export function controlRequest<T>(socketPath: string, method: string, path: string, body?: unknown): Promise<{status: number; body: T}> {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body)
    const head = [
      `${method} ${path} HTTP/1.1`,
      'host: localhost',
      'connection: close',
      ...(body === undefined ? [] : ['content-type: application/json']),
      `content-length: ${Buffer.byteLength(payload)}`,
    ]
    const chunks: Buffer[] = []
    let settled = false
    const done = (err: Error | undefined, value?: {status: number; body: T}) => {
      if (settled) return
      settled = true
      socket.destroy()
      if (err) reject(err)
      else resolvePromise(value as {status: number; body: T})
    }
    const socket = connect(socketPath)
    socket.setTimeout(10_000, () => done(new Error('control socket timed out')))
    socket.on('error', (err) => done(err))
    const settle = (ended: boolean) => {
      try {
        const answer = parseControlResponse(Buffer.concat(chunks), ended)
        if (answer) done(undefined, answer as {status: number; body: T})
        else if (ended) done(new Error('the control socket closed without a complete answer'))
      } catch (err) {
        done(err as Error)
      }
    }
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      settle(false)
    })
    socket.on('end', () => settle(true))
    socket.write(`${head.join('\r\n')}\r\n\r\n${payload}`)
  })
}

/** The status and JSON body of a complete HTTP/1.1 answer (Content-Length, or read to the end), or undefined while incomplete. */
function parseControlResponse(raw: Buffer, ended = false): {status: number; body: unknown} | undefined {
  const split = raw.indexOf('\r\n\r\n')
  if (split < 0) return undefined
  const lines = raw.subarray(0, split).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0)
  const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  let content = raw.subarray(split + 4)
  const length = headers.get('content-length')
  if (length !== undefined) {
    if (content.length < Number(length)) return undefined
    content = content.subarray(0, Number(length))
  } else if (!ended) {
    return undefined
  } else if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
    content = dechunk(content)
  }
  const text = content.toString('utf8')
  try {
    return {status, body: text ? (JSON.parse(text) as unknown) : {}}
  } catch {
    throw new Error(`the control socket answered ${status} with a body that is not JSON`)
  }
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = data.indexOf('\r\n', at)
    if (eol < 0) break
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16)
    if (!(size > 0)) break
    parts.push(data.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
  return Buffer.concat(parts)
}

async function tail(file: string, lines = 15): Promise<string> {
  try {
    // Stack frames are for the log file, not for the person at the terminal.
    const text = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .filter((line) => !/^\s+at /.test(line))
    return text
      .slice(-lines)
      .map((line) => `  | ${line}`)
      .join('\n')
  } catch {
    return '(no log)'
  }
}

function daemonEntry(): {script: string; execArgv: string[]} {
  const here = fileURLToPath(import.meta.url)
  const ts = here.endsWith('.ts')
  const script = fileURLToPath(new URL(`../../sandbox/daemon-main.${ts ? 'ts' : 'js'}`, import.meta.url))
  return {script, execArgv: ts ? ['--import', 'tsx'] : []}
}

export interface StartResult {
  status: 'started' | 'already-running'
  pid: number
  port: number
  dataDir: string
  caFile: string
  urls: PlatformState['urls']
  logFile: string
  profile: string
  defaultProfile: boolean
}

/** The port the platform of this data folder listened on last time (recorded by the platform), if any. */
export async function recordedPort(dataDir: string): Promise<number | undefined> {
  try {
    const {port} = JSON.parse(await readFile(join(dataDir, PORT_FILE), 'utf8')) as {port?: unknown}
    return Number.isInteger(port) && (port as number) > 0 && (port as number) <= 65535 ? (port as number) : undefined
  } catch {
    return undefined
  }
}

export interface PortChoice {
  port: number
  /** Taken from the last run's record, rather than from --port or the default. */
  recorded: boolean
}

/**
 * --port when given (0: any free port); else the port of the last run, because the identity provider's issuer names
 * it and every sign-in made against the platform is bound to it; else the default.
 */
export async function choosePort(dataDir: string, flag: number | undefined): Promise<PortChoice> {
  if (flag !== undefined) return {port: flag, recorded: false}
  const recorded = await recordedPort(dataDir)
  return recorded === undefined ? {port: DEFAULT_PORT, recorded: false} : {port: recorded, recorded: true}
}

/** The recorded port is taken: moving silently would break every sign-in, so stop and say what to do. */
export function recordedPortInUse(port: number, dataDir: string): ConflictError {
  return new ConflictError(
    'SANDBOX_PORT_IN_USE',
    `The local platform's port ${port} (recorded in ${dataDir} by its last run) is in use by another program; sign-ins to this platform name that port.`,
    {
      nextStep: `Free port ${port} and run ppctl sandbox start again, or start on another port with --port 0 (then sign in again: ppctl auth login).`,
    },
  )
}

/** Starts the platform in the background and waits until it is ready; fails with the log's last lines. */
export async function startBackground(ctx: Context, dataDir: string, portFlag: number | undefined): Promise<StartResult> {
  const running = await runningState(dataDir)
  if (running) return {...(await resultFor(ctx, running)), status: 'already-running'}
  const {port, recorded} = await choosePort(dataDir, portFlag)
  assertUsablePort(port)
  await ensurePrivateDir(dataDir)
  const logFile = join(dataDir, LOG_FILE)
  const {script, execArgv} = daemonEntry()
  const logFd = openSync(logFile, 'a', 0o600)
  const child = spawn(process.execPath, [...execArgv, script, '--data-dir', dataDir, '--port', String(port)], {
    detached: true,
    stdio: ['ignore', logFd, logFd, 'ipc'],
    env: {...ctx.env},
  })
  closeSync(logFd)
  const outcome = await new Promise<{ok: true; state: PlatformState} | {ok: false; reason: string}>((done) => {
    const timer = setTimeout(() => done({ok: false, reason: `it was not ready after ${START_TIMEOUT_MS / 1000} s`}), START_TIMEOUT_MS)
    child.on('message', (message: {type: string; state?: PlatformState; reason?: string}) => {
      clearTimeout(timer)
      done(message.type === 'ready' && message.state ? {ok: true, state: message.state} : {ok: false, reason: message.reason ?? 'it failed'})
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      done({ok: false, reason: `it exited (${signal ?? `code ${code}`})`})
    })
  })
  if (!outcome.ok) {
    if (child.exitCode === null) child.kill('SIGKILL')
    if (recorded && /in use/.test(outcome.reason)) throw recordedPortInUse(port, dataDir)
    throw new PpctlError('SANDBOX_START_FAILED', `The local platform did not start: ${outcome.reason}.\n${await tail(logFile)}`, {
      nextStep: /in use/.test(outcome.reason) ? 'Pick a free port: ppctl sandbox start --port 0' : `See the whole log: ${logFile}`,
    })
  }
  child.disconnect()
  child.unref()
  return {...(await resultFor(ctx, outcome.state)), status: 'started'}
}

async function resultFor(ctx: Context, state: PlatformState): Promise<Omit<StartResult, 'status'>> {
  const {profile, isDefault} = await writeSandboxProfile(ctx, state)
  return {
    pid: state.pid,
    port: state.port,
    dataDir: state.dataDir,
    caFile: state.caFile,
    urls: state.urls,
    logFile: join(state.dataDir, LOG_FILE),
    profile,
    defaultProfile: isDefault,
  }
}

/** Writes (or updates) the `sandbox` profile, and makes it the default when no other default exists. */
export async function writeSandboxProfile(ctx: Context, state: PlatformState): Promise<{profile: string; isDefault: boolean}> {
  const {CLI_CLIENT_ID} = await import('../../sandbox/contract.js')
  const next = await ctx.config().update((config) => {
    config.profiles[SANDBOX_PROFILE] = {
      ...config.profiles[SANDBOX_PROFILE],
      authority: state.urls.authority,
      globalUrl: state.urls.global,
      caFile: state.caFile,
      clusterAllowList: ['*.clusters.sandbox.localhost'],
      clientId: CLI_CLIENT_ID,
      sandboxDataDir: state.dataDir,
    }
    if (!config.defaultProfile) config.defaultProfile = SANDBOX_PROFILE
  })
  return {profile: SANDBOX_PROFILE, isDefault: next.defaultProfile === SANDBOX_PROFILE}
}

export interface StopResult {
  status: 'stopped' | 'not-running'
  pid?: number
  forced: boolean
  dataDir: string
}

/** SIGTERM (drain), then SIGKILL after the timeout. */
export async function stopPlatform(ctx: Context, dataDir: string, timeoutMs = 10_000): Promise<StopResult> {
  const state = await runningState(dataDir)
  if (!state) return {status: 'not-running', forced: false, dataDir}
  process.kill(state.pid, 'SIGTERM')
  const deadline = ctx.clock.now() + timeoutMs
  while (isAlive(state.pid) && ctx.clock.now() < deadline) await ctx.clock.sleep(50)
  let forced = false
  if (isAlive(state.pid)) {
    process.kill(state.pid, 'SIGKILL')
    forced = true
    while (isAlive(state.pid)) await ctx.clock.sleep(20)
    await rm(join(dataDir, STATE_FILE), {force: true})
    await rm(join(dataDir, PID_FILE), {force: true})
  }
  return {status: 'stopped', pid: state.pid, forced, dataDir}
}

/** Only folders that look like a platform's data folder (or are empty) may be wiped. */
export async function assertWipeable(dataDir: string): Promise<boolean> {
  try {
    if (!(await stat(dataDir)).isDirectory()) throw new UsageError('NOT_A_DATA_DIR', `${dataDir} is not a folder.`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
  const {readdir} = await import('node:fs/promises')
  const entries = await readdir(dataDir)
  const known = ['directory.json', 'tls', 'routes.json', 'audit.jsonl', LOG_FILE]
  if (entries.length > 0 && !entries.some((e) => known.includes(e))) {
    throw new UsageError('NOT_A_DATA_DIR', `${dataDir} does not look like a local platform's data folder; refusing to wipe it.`, {
      nextStep: 'Check --data-dir (or PPCTL_SANDBOX_DIR).',
    })
  }
  return true
}

export async function wipeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, {recursive: true, force: true})
}

/** Ports that fetch refuses to connect to (WHATWG "bad ports"): a platform there could not be reached. */
const FETCH_BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137,
  139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
])

export function assertUsablePort(port: number): void {
  if (FETCH_BAD_PORTS.has(port)) {
    throw new UsageError('PORT_BLOCKED', `Port ${port} is one that HTTP clients refuse to connect to (a WHATWG "bad port").`, {
      nextStep: 'Use another port, e.g. ppctl sandbox start --port 0',
    })
  }
}
