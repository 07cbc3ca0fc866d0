// `sandbox fault`: sets or clears an injected fault of one cluster through the platform's control socket.
import type {Context} from '../context.js'
import {NotFoundError, PpctlError, UsageError, platformOrOwn} from '../errors/index.js'
import type {ActiveFault, FaultSpec} from '../../sandbox/contract.js'
import {controlRequest, requireRunning} from './lifecycle.js'

export type {ActiveFault}

export type FaultAction = 'down' | 'up' | 'slow' | 'flaky' | 'throttle'
export const FAULT_ACTIONS: readonly FaultAction[] = ['down', 'up', 'slow', 'flaky', 'throttle']

export interface FaultResult {
  cluster: string
  action: FaultAction
  /** The fault now active on the cluster; null after `up`. */
  fault: ActiveFault | null
  /** Every active fault of the platform. */
  faults: ActiveFault[]
}

/** The fault an action and its value stand for; undefined for `up`. */
function faultSpecOf(action: FaultAction, value: string | undefined, mode: 'reset' | '503' = 'reset'): FaultSpec | undefined {
  const need = (what: string) => {
    if (value === undefined || value.trim() === '') {
      throw new UsageError('MISSING_VALUE', `\`${action}\` needs ${what}.`, {
        nextStep: `e.g. ppctl sandbox fault --cluster eastus-1 ${action} ${action === 'slow' ? '2000' : action === 'flaky' ? '0.3' : '5'}`,
      })
    }
    const n = Number(value)
    if (!Number.isFinite(n)) throw new UsageError('INVALID_VALUE', `"${value}" is not a number; \`${action}\` needs ${what}.`)
    return n
  }
  const noValue = () => {
    if (value !== undefined) throw new UsageError('UNEXPECTED_VALUE', `\`${action}\` takes no value (got "${value}").`)
  }
  switch (action) {
    case 'up':
      noValue()
      return undefined
    case 'down':
      noValue()
      return {kind: 'down', mode}
    case 'slow': {
      const ms = need('a delay in milliseconds')
      if (!Number.isInteger(ms) || ms < 0 || ms > 600_000)
        throw new UsageError('INVALID_VALUE', 'The delay is a whole number of milliseconds from 0 to 600000.')
      return {kind: 'slow', ms}
    }
    case 'flaky': {
      const rate = need('the fraction of requests that fail (0 to 1)')
      if (rate < 0 || rate > 1) throw new UsageError('INVALID_VALUE', 'The failure rate is a fraction from 0 to 1, e.g. 0.3 for 30 %.')
      return {kind: 'flaky', rate}
    }
    case 'throttle': {
      const rps = need('the requests per second the cluster accepts')
      if (rps <= 0 || rps > 100_000) throw new UsageError('INVALID_VALUE', 'The rate is a number of requests per second above 0, at most 100000.')
      return {kind: 'throttle', rps}
    }
  }
}

export async function injectFault(
  _ctx: Context,
  options: {dataDir: string; cluster: string; action: FaultAction; value?: string; mode?: 'reset' | '503'},
): Promise<FaultResult> {
  const spec = faultSpecOf(options.action, options.value, options.mode)
  const state = await requireRunning(options.dataDir)
  const path = `/v1/faults/${encodeURIComponent(options.cluster)}`
  const {status, body} = await controlRequest<{fault?: ActiveFault; faults?: ActiveFault[]; code?: string; message?: string}>(
    state.controlSocket,
    spec ? 'PUT' : 'DELETE',
    path,
    spec,
  )
  if (status === 404 && body.code === 'CLUSTER_NOT_FOUND') {
    throw new NotFoundError(body.code, body.message ?? `No cluster "${options.cluster}".`, {
      nextStep: 'Use one of eastus-1, westus-1, westeurope-1, northeurope-1.',
    })
  }
  if (status === 404) {
    throw new PpctlError('FAULTS_UNSUPPORTED', 'The running platform does not support fault injection.', {
      nextStep: 'Restart it with this version: ppctl sandbox stop && ppctl sandbox start',
    })
  }
  if (status !== 200 || !body.faults) throw platformOrOwn(body.code, 'FAULT_FAILED', body.message ?? `The platform refused the fault (HTTP ${status}).`)
  return {cluster: options.cluster, action: options.action, fault: spec ? (body.fault ?? null) : null, faults: body.faults}
}

/** The platform's active faults; empty when it does not support them. */
export async function listFaults(controlSocket: string): Promise<ActiveFault[]> {
  const {status, body} = await controlRequest<{faults?: ActiveFault[]}>(controlSocket, 'GET', '/v1/faults')
  return status === 200 ? (body.faults ?? []) : []
}

/** One line per fault, for people. */
export function describeFault(f: ActiveFault): string {
  switch (f.kind) {
    case 'down':
      return f.mode === 'reset' ? 'down (connections reset)' : 'down (503 Service Unavailable)'
    case 'slow':
      return `slow (+${f.ms} ms per request)`
    case 'flaky':
      return `flaky (${Math.round(f.rate * 1000) / 10} % of requests answer 503)`
    case 'throttle':
      return `throttled (${f.rps} requests/s, then 429)`
  }
}
