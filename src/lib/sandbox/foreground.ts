// `sandbox start --foreground`: the platform in this process, until SIGTERM or Ctrl-C.
import {join} from 'node:path'

import type {Context} from '../context.js'
import {ensurePrivateDir} from '../config/atomic.js'
import {assertUsablePort, choosePort, LOG_FILE, recordedPortInUse, runningState, writeSandboxProfile, type StartResult} from './lifecycle.js'

export async function runForeground(ctx: Context, dataDir: string, portFlag: number | undefined, onReady: (result: StartResult) => void): Promise<StartResult> {
  const running = await runningState(dataDir)
  if (running && running.pid !== process.pid) {
    const {profile, isDefault} = await writeSandboxProfile(ctx, running)
    return {
      status: 'already-running',
      pid: running.pid,
      port: running.port,
      dataDir,
      caFile: running.caFile,
      urls: running.urls,
      logFile: join(dataDir, LOG_FILE),
      profile,
      defaultProfile: isDefault,
    }
  }
  const {port, recorded} = await choosePort(dataDir, portFlag)
  assertUsablePort(port)
  await ensurePrivateDir(dataDir)
  // eslint-disable-next-line no-restricted-syntax -- `sandbox start --foreground` runs the platform in this process: the one launcher allowed past the contract.
  const {runPlatform} = await import('../../sandbox/daemon.js')
  const ready = await new Promise<StartResult>((resolve, reject) => {
    runPlatform(dataDir, port, async (state) => {
      const {profile, isDefault} = await writeSandboxProfile(ctx, state)
      resolve({
        status: 'started',
        pid: state.pid,
        port: state.port,
        dataDir,
        caFile: state.caFile,
        urls: state.urls,
        logFile: 'stdout',
        profile,
        defaultProfile: isDefault,
      })
    }).catch((err: NodeJS.ErrnoException) => reject(recorded && err.code === 'EADDRINUSE' ? recordedPortInUse(port, dataDir) : err))
  })
  onReady(ready)
  // Serve until a signal: runPlatform's handlers drain and exit the process.
  await new Promise<never>(() => {})
  return ready
}
