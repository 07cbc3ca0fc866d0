// The local platform as a process: started by `ppctl sandbox start`, stopped by SIGTERM (drain) or SIGKILL.
import {rmSync} from 'node:fs'
import {join} from 'node:path'

import {writeFileSyncAtomic} from './fs-util.js'
import {parseRateLimit, RATE_LIMIT_ENV} from './gateway/rate-limit.js'
import {ENCRYPTION_ENV, parseEncryption} from './keys/setting.js'
import {startPlatform, type RunningPlatform} from './server.js'

export interface PlatformState {
  pid: number
  port: number
  startedAt: string
  dataDir: string
  caFile: string
  controlSocket: string
  urls: RunningPlatform['urls']
}

const STATE_FILE = 'state.json'
export const PID_FILE = 'platform.pid'
/** The port of the last run; kept after a stop, so the next start reuses it and the issuer (which names it) stays the same. */
const PORT_FILE = 'port.json'

/** Runs the platform until SIGTERM/SIGINT; reports readiness through `onReady` (IPC to the parent in background mode). */
export async function runPlatform(dataDir: string, port: number, onReady: (state: PlatformState) => void): Promise<void> {
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`)
  writeFileSyncAtomic(join(dataDir, PID_FILE), `${process.pid}\n`)
  const platform = await startPlatform({dataDir, port, log, ...drillOptions(process.env)})
  const state: PlatformState = {
    pid: process.pid,
    port: platform.port,
    startedAt: new Date().toISOString(),
    dataDir,
    caFile: platform.caFile,
    controlSocket: platform.controlSocket,
    urls: platform.urls,
  }
  writeFileSyncAtomic(join(dataDir, STATE_FILE), JSON.stringify(state, null, 2) + '\n')
  writeFileSyncAtomic(join(dataDir, PORT_FILE), JSON.stringify({port: platform.port}) + '\n')
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log(`${signal} received: draining connections`)
    await platform.close()
    rmSync(join(dataDir, STATE_FILE), {force: true})
    rmSync(join(dataDir, PID_FILE), {force: true})
    log('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
  onReady(state)
}

const positive = (value: string | undefined) => (value && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined)

/** Knobs for drills and tests of a CLI-started platform: audit heartbeat and retention, replication delay, rate limit, listener timeouts. */
export function drillOptions(env: NodeJS.ProcessEnv) {
  const maxEvents = positive(env.PPCTL_SANDBOX_AUDIT_MAX_EVENTS)
  return {
    auditHeartbeatMs: positive(env.PPCTL_SANDBOX_HEARTBEAT_MS),
    auditRetention: maxEvents ? {maxEvents} : undefined,
    replicationDelayMs: positive(env.PPCTL_SANDBOX_REPLICATION_DELAY_MS),
    timeouts: {
      headersMs: positive(env.PPCTL_SANDBOX_HEADERS_TIMEOUT_MS),
      requestMs: positive(env.PPCTL_SANDBOX_REQUEST_TIMEOUT_MS),
      keepAliveMs: positive(env.PPCTL_SANDBOX_KEEPALIVE_TIMEOUT_MS),
    },
    // Unlike the knobs above, a bad value stops the start: a silently default limit would hide the typo.
    rateLimit: parseRateLimit(env[RATE_LIMIT_ENV]),
    encryption: parseEncryption(env[ENCRYPTION_ENV]),
  }
}
