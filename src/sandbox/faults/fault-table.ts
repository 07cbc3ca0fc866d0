// Faults injected per cluster for drills and resilience tests: down, slow, flaky, throttle. Kept in memory only.
import type {IncomingMessage, ServerResponse} from 'node:http'

import {createRateLimiter} from '../gateway/rate-limit.js'
import {sendProblem, type RequestContext} from '../http-util.js'

export type FaultSpec = {kind: 'down'; mode: 'reset' | '503'} | {kind: 'slow'; ms: number} | {kind: 'flaky'; rate: number} | {kind: 'throttle'; rps: number}

export type ActiveFault = FaultSpec & {clusterId: string; since: string}

const MAX_SLOW_MS = 600_000
const MAX_THROTTLE_RPS = 100_000

export interface FaultTableOptions {
  /** Clock for throttling (ms). */
  now?: () => number
  /** A number in [0, 1) for flaky draws. */
  random?: () => number
  /** Waits `ms` for slow faults; resolves early when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })

/** Why a spec is invalid, or undefined when it is valid. */
export function checkFaultSpec(spec: Partial<Record<string, unknown>>): string | undefined {
  switch (spec.kind) {
    case 'down':
      return spec.mode === 'reset' || spec.mode === '503' ? undefined : 'mode is "reset" or "503"'
    case 'slow':
      return Number.isInteger(spec.ms) && (spec.ms as number) >= 0 && (spec.ms as number) <= MAX_SLOW_MS
        ? undefined
        : `ms is an integer from 0 to ${MAX_SLOW_MS}`
    case 'flaky':
      return typeof spec.rate === 'number' && spec.rate >= 0 && spec.rate <= 1 ? undefined : 'rate is a number from 0 to 1'
    case 'throttle':
      return typeof spec.rps === 'number' && spec.rps > 0 && spec.rps <= MAX_THROTTLE_RPS ? undefined : `rps is a number above 0, at most ${MAX_THROTTLE_RPS}`
    default:
      return 'kind is down, slow, flaky or throttle'
  }
}

export class FaultTable {
  private readonly faults = new Map<string, {fault: ActiveFault; limiter?: ReturnType<typeof createRateLimiter>}>()
  private readonly now: () => number
  private readonly random: () => number
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>

  constructor(options: FaultTableOptions = {}) {
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.sleep = options.sleep ?? defaultSleep
  }

  set(clusterId: string, spec: FaultSpec): ActiveFault {
    const fault = {...spec, clusterId, since: new Date(this.now()).toISOString()} as ActiveFault
    const limiter = spec.kind === 'throttle' ? createRateLimiter({rps: spec.rps, burst: Math.max(1, spec.rps)}, this.now) : undefined
    this.faults.set(clusterId, {fault, limiter})
    return fault
  }

  clear(clusterId: string): ActiveFault | undefined {
    const had = this.faults.get(clusterId)?.fault
    this.faults.delete(clusterId)
    return had
  }

  get(clusterId: string): ActiveFault | undefined {
    return this.faults.get(clusterId)?.fault
  }

  all(): ActiveFault[] {
    return [...this.faults.values()].map((f) => f.fault).sort((a, b) => a.clusterId.localeCompare(b.clusterId))
  }

  /**
   * The gateway's hook for a request to a cluster host: true when the fault answered (or dropped) the request,
   * false when the request goes on to the cluster (after a delay for `slow`).
   */
  readonly intercept = async (clusterId: string, req: IncomingMessage, res: ServerResponse, rc: RequestContext): Promise<boolean> => {
    const entry = this.faults.get(clusterId)
    if (!entry) return false
    const {fault} = entry
    const unavailable = (detail: string) => {
      sendProblem(res, rc, {status: 503, code: 'CLUSTER_UNAVAILABLE', title: 'The cluster is unavailable', detail, clusterId}, {'retry-after': '1'})
      return true
    }
    switch (fault.kind) {
      case 'down':
        if (fault.mode === '503') return unavailable(`${clusterId} is down (injected fault).`)
        // An unreachable region: the connection is reset without an answer.
        // resetAndDestroy() is for plain TCP sockets; on TLS, destroying drops the connection without an answer.
        req.socket.destroy()
        return true
      case 'slow': {
        const aborted = new AbortController()
        const onClose = () => aborted.abort()
        res.once('close', onClose)
        await this.sleep(fault.ms, aborted.signal)
        res.off('close', onClose)
        return aborted.signal.aborted || res.destroyed
      }
      case 'flaky':
        return this.random() < fault.rate ? unavailable(`${clusterId} failed this request (injected flaky fault, rate ${fault.rate}).`) : false
      case 'throttle': {
        const decision = entry.limiter!(clusterId)
        if (decision.allowed) return false
        sendProblem(
          res,
          rc,
          {
            status: 429,
            code: 'CLUSTER_THROTTLED',
            title: 'The cluster is throttling requests',
            detail: `${clusterId} accepts ${fault.rps} requests per second (injected fault).`,
            clusterId,
          },
          {'retry-after': String(decision.retryAfterSeconds)},
        )
        return true
      }
    }
  }
}
