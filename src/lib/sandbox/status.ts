// The local platform's status: process, URLs, uptime, and each component's health checked over real TLS.
import {readFile} from 'node:fs/promises'

import type {HealthReport, ReplicationStatus} from '../../sandbox/contract.js'
import type {Context} from '../context.js'
import {listFaults, type ActiveFault} from './fault.js'
import {controlRequest, runningState, type PlatformState} from './lifecycle.js'

// The platform's own report types, imported as types only: the CLI never loads the platform's code.
export type ComponentHealth = HealthReport['components'][number]
export type ReplicationLag = ReplicationStatus

export interface SandboxStatusResult {
  running: boolean
  healthy: boolean
  dataDir: string
  pid?: number
  port?: number
  startedAt?: string
  uptimeSeconds?: number
  urls?: PlatformState['urls']
  caFile?: string
  components: ComponentHealth[]
  /** Each tenant's active and passive cluster, route epoch and replication lag. */
  replication: ReplicationLag[]
  /** Faults injected with `sandbox fault`, by cluster. */
  faults: ActiveFault[]
}

export async function sandboxStatus(ctx: Context, dataDir: string): Promise<SandboxStatusResult> {
  const state = await runningState(dataDir)
  if (!state) return {running: false, healthy: false, dataDir, components: [], replication: [], faults: []}
  const components: ComponentHealth[] = []
  const replication: ReplicationLag[] = []
  const faults: ActiveFault[] = []
  try {
    const {body} = await controlRequest<{components: ComponentHealth[]; replication?: ReplicationLag[]}>(state.controlSocket, 'GET', '/v1/health')
    components.push(...body.components)
    replication.push(...(body.replication ?? []))
    faults.push(...(await listFaults(state.controlSocket)))
  } catch (err) {
    components.push({name: 'control socket', status: 'down', detail: (err as Error).message})
  }
  const {createHttp} = await import('../http/client.js')
  const http = createHttp({env: ctx.env, ca: await readFile(state.caFile, 'utf8'), userAgent: `ppctl/${ctx.version}`, debug: ctx.debug})
  try {
    for (const [name, url] of [
      ['gateway (TLS)', `${state.urls.gateway}/healthz`],
      ['identity discovery', `${state.urls.authority}/.well-known/openid-configuration`],
    ] as const) {
      const started = performance.now()
      try {
        const res = await http.fetch(url, {signal: AbortSignal.timeout(5000)})
        await res.arrayBuffer()
        const ms = Math.round(performance.now() - started)
        components.push({name, status: res.ok ? 'ok' : 'down', detail: `HTTP ${res.status} in ${ms} ms`})
      } catch (err) {
        components.push({name, status: 'down', detail: (err as Error).message})
      }
    }
  } finally {
    await http.close()
  }
  const startedAt = new Date(state.startedAt)
  return {
    running: true,
    healthy: components.every((c) => c.status === 'ok'),
    dataDir,
    pid: state.pid,
    port: state.port,
    startedAt: state.startedAt,
    uptimeSeconds: Math.max(0, Math.round((ctx.clock.now() - startedAt.getTime()) / 1000)),
    urls: state.urls,
    caFile: state.caFile,
    components,
    replication,
    faults,
  }
}
