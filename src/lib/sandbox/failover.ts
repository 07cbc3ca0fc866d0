// Failover drills of the local platform, through its control socket: planned (drain, swap) or forced (swap, lose what was not shipped); and the resync that repairs a broken replication.
import type {FailoverResult, ReplicationStatus} from '../../sandbox/contract.js'
import type {Context} from '../context.js'
import {ConflictError, NotFoundError, platformOrOwn} from '../errors/index.js'
import {controlRequest, requireRunning} from './lifecycle.js'

// A type-only import, so the CLI never loads the platform's code.
/** What the failover did: the platform's answer as is. */
export type SandboxFailoverResult = FailoverResult
export type SandboxResyncResult = ReplicationStatus

type Refusal = {code?: string; message?: string; repair?: string}

export async function failoverSandbox(_ctx: Context, dataDir: string, tenant: string, force: boolean): Promise<SandboxFailoverResult> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<SandboxFailoverResult & Refusal>(state.controlSocket, 'POST', '/v1/failover', {tenant, force})
  if (status === 404) {
    throw new NotFoundError('TENANT_NOT_FOUND', body.message ?? `No tenant "${tenant}".`, {
      nextStep: 'Use a seeded tenant: --tenant contoso or --tenant fabrikam.',
    })
  }
  if (status === 409 && body.code === 'REPLICATION_BROKEN') {
    // A planned failover cannot drain a broken replication; the resync repairs it without losing a write.
    throw new ConflictError('REPLICATION_BROKEN', body.message ?? `Replication of ${tenant} is broken.`, {
      nextStep: `Repair it, then fail over: ${body.repair ?? `ppctl sandbox resync --tenant ${tenant}`}`,
    })
  }
  if (status !== 200) throw platformOrOwn(body.code, 'FAILOVER_FAILED', body.message ?? `The platform answered ${status}.`)
  return body
}

export async function resyncSandbox(_ctx: Context, dataDir: string, tenant: string): Promise<SandboxResyncResult> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<SandboxResyncResult & Refusal>(state.controlSocket, 'POST', '/v1/replication/resync', {tenant})
  if (status === 404) {
    throw new NotFoundError('TENANT_NOT_FOUND', body.message ?? `No tenant "${tenant}".`, {
      nextStep: 'Use a seeded tenant: --tenant contoso or --tenant fabrikam.',
    })
  }
  if (status !== 200) throw platformOrOwn(body.code, 'RESYNC_FAILED', body.message ?? `The platform answered ${status}.`)
  return body
}
