// Failover drills of the local platform, through its control socket: planned (drain, swap) or forced (swap, lose what was not shipped).
import type {FailoverResult} from '../../sandbox/clusters/cluster-set.js'
import type {Context} from '../context.js'
import {ExitCode, NotFoundError, PpctlError} from '../errors/index.js'
import {controlRequest, requireRunning} from './lifecycle.js'

/** The platform's answer as is; a type-only import, so the CLI never loads the platform's code. */
export type SandboxFailoverResult = FailoverResult

export async function failoverSandbox(_ctx: Context, dataDir: string, tenant: string, force: boolean): Promise<SandboxFailoverResult> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<SandboxFailoverResult & {code?: string; message?: string}>(state.controlSocket, 'POST', '/v1/failover', {tenant, force})
  if (status === 404) {
    throw new NotFoundError('TENANT_NOT_FOUND', body.message ?? `No tenant "${tenant}".`, {nextStep: 'Use a seeded tenant: --tenant contoso or --tenant fabrikam.'})
  }
  if (status !== 200) throw new PpctlError(body.code ?? 'FAILOVER_FAILED', body.message ?? `The platform answered ${status}.`, ExitCode.ERROR)
  return body
}
