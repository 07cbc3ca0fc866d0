// Failover drills of the local platform, through its control socket: planned (drain, swap) or forced (swap, lose what was not shipped).
import type {Context} from '../context.js'
import {ExitCode, NotFoundError, PpctlError} from '../errors/index.js'
import {controlRequest, requireRunning} from './lifecycle.js'

export interface SandboxFailoverResult {
  tenantId: string
  tenant: string
  mode: 'planned' | 'forced'
  /** The cluster that was active before. */
  from: string
  /** The cluster that is active now. */
  to: string
  previousEpoch: number
  epoch: number
  /** Replication entries applied to the new active cluster before the swap (planned). */
  drainedWrites: number
  /** Committed writes of the old active cluster that never reached the new one (forced; 0 when planned). */
  lostWrites: number
  /** The seq of the `failover.completed` audit event in the tenant's log. */
  auditSeq: number
}

export async function failoverSandbox(_ctx: Context, dataDir: string, tenant: string, force: boolean): Promise<SandboxFailoverResult> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<SandboxFailoverResult & {code?: string; message?: string}>(state.controlSocket, 'POST', '/v1/failover', {tenant, force})
  if (status === 404) {
    throw new NotFoundError('TENANT_NOT_FOUND', body.message ?? `No tenant "${tenant}".`, {nextStep: 'Use a seeded tenant: --tenant contoso or --tenant fabrikam.'})
  }
  if (status !== 200) throw new PpctlError(body.code ?? 'FAILOVER_FAILED', body.message ?? `The platform answered ${status}.`, ExitCode.ERROR)
  return body
}
