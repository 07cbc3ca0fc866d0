// Starts a real local platform with the real CLI (`sandbox start --port 0`) in a temp folder, and stops it.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {makeCliEnv, runCli, type CliEnv} from './cli.js'

export interface TestPlatform {
  cli: CliEnv
  dataDir: string
  port: number
  caPem: string
  urls: {gateway: string; authority: string; global: string; clusterPattern: string}
  pid: number
  users: Array<{upn: string; password: string; tenant: string; tenantId: string; roles: string[]}>
  stop(): Promise<void>
}

/**
 * `extra` goes into the CLI's environment, and so into the platform's (e.g. PPCTL_SANDBOX_HEARTBEAT_MS). Plain
 * SQLite unless `extra` sets PPCTL_SANDBOX_ENCRYPTION=on: many tests read the cluster files directly.
 */
export async function startTestPlatform(extra: NodeJS.ProcessEnv = {}): Promise<TestPlatform> {
  const cli = makeCliEnv({PPCTL_SANDBOX_ENCRYPTION: 'off', ...extra})
  const dataDir = join(cli.home, 'platform')
  const started = await runCli(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json'], cli.env)
  if (started.code !== 0) throw new Error(`sandbox start failed (${started.code}): ${started.stderr}${started.stdout}`)
  const result = JSON.parse(started.stdout) as {port: number; pid: number; caFile: string; urls: TestPlatform['urls']}
  const users = JSON.parse((await runCli(['sandbox', 'users', '--data-dir', dataDir, '--json'], cli.env)).stdout).items
  return {
    cli,
    dataDir,
    port: result.port,
    pid: result.pid,
    urls: result.urls,
    caPem: readFileSync(result.caFile, 'utf8'),
    users,
    async stop() {
      await runCli(['sandbox', 'stop', '--data-dir', dataDir], cli.env)
      cli.cleanup()
    },
  }
}
