// Sends a tenant API request on its active cluster to the resource that serves it; 404 when none does.
import {decodeSegment} from '../../http-util.js'
import {accessChecksApi} from './access-checks.js'
import {connectorsApi} from './connectors.js'
import type {ApiRoute, Ctx} from './context.js'
import {assignmentsApi, skusApi} from './licenses.js'
import {problem} from './problem.js'
import {usersApi} from './users.js'

const API: readonly ApiRoute[] = [usersApi, assignmentsApi, skusApi, connectorsApi, accessChecksApi]

export async function dispatch(ctx: Ctx): Promise<void> {
  const {method, path} = ctx
  const seg = path.split('/').slice(1).map((s) => {
    const decoded = decodeSegment(s)
    if (decoded === undefined) throw problem(400, 'INVALID_PATH', 'The path has a malformed percent-encoding', `${method} ${path}`)
    return decoded
  })
  if (seg[0] === 'v1') {
    for (const route of API) if (await route(ctx, seg)) return
  }
  throw problem(404, 'NOT_FOUND', 'No such endpoint', `${method} ${path}`)
}
