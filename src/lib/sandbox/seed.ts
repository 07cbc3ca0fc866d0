// `ppctl sandbox seed`, through the local platform's control socket: more directory members and seats for load tests.
import type {SeedMoreResult} from '../../sandbox/contract.js'
import type {Context} from '../context.js'
import {NotFoundError, platformOrOwn, UsageError} from '../errors/index.js'
import {controlRequest, requireRunning} from './lifecycle.js'

export type SandboxSeedResult = SeedMoreResult

/** SKU=N pairs of --seats; a usage error naming the bad one. */
export function parseSeats(values: readonly string[]): Record<string, number> {
  const seats: Record<string, number> = {}
  for (const value of values) {
    const match = /^([A-Za-z0-9_.-]{1,64})=(\d{1,7})$/.exec(value.trim())
    if (!match)
      throw new UsageError('USAGE', `--seats takes SKU=N (e.g. POWERAPPS_PER_USER=10000), not "${value.slice(0, 80)}".`, {
        nextStep: 'See: ppctl sandbox seed --help',
      })
    seats[match[1]] = Number(match[2])
  }
  return seats
}

export async function seedSandbox(
  _ctx: Context,
  dataDir: string,
  request: {tenant: string; users?: number; seats: Record<string, number>},
): Promise<SandboxSeedResult> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<SandboxSeedResult & {code?: string; message?: string}>(state.controlSocket, 'POST', '/v1/seed', request)
  if (status === 404 && body.code === 'TENANT_NOT_FOUND') {
    throw new NotFoundError('TENANT_NOT_FOUND', body.message ?? `No tenant "${request.tenant}".`, {
      nextStep: 'Use a seeded tenant: --tenant contoso or --tenant fabrikam.',
    })
  }
  if (status !== 200) throw platformOrOwn(body.code, 'SEED_FAILED', body.message ?? `The platform answered ${status}.`)
  return body
}
