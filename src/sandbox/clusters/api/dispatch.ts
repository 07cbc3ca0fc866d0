// Sends a tenant API request on its active cluster to the resource that serves it: a route table of method, path pattern, required role and handler; 404 for an unknown path, 405 with Allow for a known path and another method.
import {decodeSegment} from '../../http-util.js'
import {matchesPattern, type RouteSpec} from '../../route-spec.js'
import {accessChecksApi} from './access-checks.js'
import {connectorsApi} from './connectors.js'
import {requireRole, type ApiRoute, type Ctx} from './context.js'
import {dlpApi} from './dlp.js'
import {environmentsApi, groupsApi} from './environments.js'
import {firewallApi} from './firewall.js'
import {flowsApi} from './flows.js'
import {isolationApi} from './isolation.js'
import {keysApi} from './keys.js'
import {assignmentsApi, licenseLookupApi, skusApi} from './licenses.js'
import {HttpProblem, problem} from './problem.js'
import {sessionsApi} from './sessions.js'
import {signInPolicyApi} from './signin-policy.js'
import {usersApi} from './users.js'

interface Route extends RouteSpec {
  /** Path segments after the leading slash; `:name` matches one non-empty segment. */
  pattern: readonly string[]
  handler: ApiRoute
}

const route = (method: Route['method'], path: string, role: Route['role'], handler: ApiRoute): Route => ({
  method,
  path,
  role,
  pattern: path.split('/').slice(1),
  handler,
})

/** Each route's role is checked here before its handler runs; handlers check only finer (the user itself, a connector's creator). */
export const ROUTES: readonly Route[] = [
  route('GET', '/v1/users', 'Admin', usersApi),
  route('GET', '/v1/users/:id', 'AppUser', usersApi),
  route('GET', '/v1/users/:id/licenses', 'AppUser', assignmentsApi),
  route('POST', '/v1/users/:id/licenses', 'Admin', assignmentsApi),
  route('DELETE', '/v1/users/:id/licenses/:skuId', 'Admin', assignmentsApi),
  route('POST', '/v1/users/:id/revoke-sessions', 'Admin', sessionsApi),
  route('GET', '/v1/licenses/skus', 'Admin', skusApi),
  route('GET', '/v1/licenses/skus/:skuId', 'Admin', skusApi),
  route('POST', '/v1/licenses/lookup', 'Admin', licenseLookupApi),
  route('GET', '/v1/connectors', 'Maker', connectorsApi),
  route('POST', '/v1/connectors', 'Maker', connectorsApi),
  route('GET', '/v1/connectors/:id', 'Maker', connectorsApi),
  route('DELETE', '/v1/connectors/:id', 'Maker', connectorsApi),
  route('POST', '/v1/connectors/:id/block', 'Admin', connectorsApi),
  route('POST', '/v1/connectors/:id/unblock', 'Admin', connectorsApi),
  route('POST', '/v1/access-checks', 'AppUser', accessChecksApi),
  route('GET', '/v1/groups', 'Admin', groupsApi),
  route('GET', '/v1/groups/:id', 'Admin', groupsApi),
  route('GET', '/v1/environments', 'Maker', environmentsApi),
  route('POST', '/v1/environments', 'Admin', environmentsApi),
  route('GET', '/v1/environments/:id', 'Maker', environmentsApi),
  route('PATCH', '/v1/environments/:id', 'Admin', environmentsApi),
  route('DELETE', '/v1/environments/:id', 'Admin', environmentsApi),
  route('GET', '/v1/flows', 'Maker', flowsApi),
  route('POST', '/v1/flows', 'Maker', flowsApi),
  route('GET', '/v1/flows/:id', 'Maker', flowsApi),
  route('PATCH', '/v1/flows/:id', 'Maker', flowsApi),
  route('DELETE', '/v1/flows/:id', 'Maker', flowsApi),
  route('GET', '/v1/dlp/policies', 'Admin', dlpApi),
  route('POST', '/v1/dlp/policies', 'Admin', dlpApi),
  route('GET', '/v1/dlp/policies/:id', 'Admin', dlpApi),
  route('PUT', '/v1/dlp/policies/:id', 'Admin', dlpApi),
  route('DELETE', '/v1/dlp/policies/:id', 'Admin', dlpApi),
  route('POST', '/v1/dlp/apply', 'Admin', dlpApi),
  route('POST', '/v1/dlp/evaluate', 'Maker', dlpApi),
  route('GET', '/v1/keys', 'Admin', keysApi),
  route('POST', '/v1/keys/rotate', 'Admin', keysApi),
  route('POST', '/v1/keys/lock', 'Admin', keysApi),
  route('POST', '/v1/keys/unlock', 'Admin', keysApi),
  route('GET', '/v1/firewall', 'Admin', firewallApi),
  route('PUT', '/v1/firewall', 'Admin', firewallApi),
  route('POST', '/v1/firewall/test', 'Admin', firewallApi),
  route('GET', '/v1/firewall/self', 'AppUser', firewallApi),
  route('POST', '/v1/firewall/dry-run', 'Admin', firewallApi),
  route('GET', '/v1/environments/:id/firewall', 'Admin', firewallApi),
  route('PUT', '/v1/environments/:id/firewall', 'Admin', firewallApi),
  route('GET', '/v1/signin-policy', 'Admin', signInPolicyApi),
  route('PUT', '/v1/signin-policy', 'Admin', signInPolicyApi),
  route('GET', '/v1/isolation', 'Admin', isolationApi),
  route('PUT', '/v1/isolation', 'Admin', isolationApi),
  route('GET', '/v1/isolation/report', 'Admin', isolationApi),
]

const matches = matchesPattern

/** The methods a path takes, or undefined when no route has that path. */
function allowedMethods(seg: readonly string[]): string[] | undefined {
  const methods = ROUTES.filter((r) => matches(r.pattern, seg)).map((r) => r.method)
  return methods.length > 0 ? [...new Set(methods)] : undefined
}

export async function dispatch(ctx: Ctx): Promise<void> {
  const {method, path} = ctx
  const seg = path
    .split('/')
    .slice(1)
    .map((s) => {
      const decoded = decodeSegment(s)
      if (decoded === undefined) throw problem(400, 'INVALID_PATH', 'The path has a malformed percent-encoding', `${method} ${path}`)
      return decoded
    })
  const allowed = allowedMethods(seg)
  if (!allowed) throw problem(404, 'NOT_FOUND', 'No such endpoint', `${method} ${path}`)
  const target = ROUTES.find((r) => r.method === method && matches(r.pattern, seg))
  if (!target) throw methodNotAllowed(method, path, allowed)
  requireRole(ctx.principal, target.role)
  if (await target.handler(ctx, seg)) return
  throw problem(404, 'NOT_FOUND', 'No such endpoint', `${method} ${path}`)
}

export function methodNotAllowed(method: string, path: string, allowed: readonly string[]) {
  return new HttpProblem(
    {status: 405, code: 'METHOD_NOT_ALLOWED', title: 'This endpoint does not take that method', detail: `${method} ${path}; it takes ${allowed.join(', ')}.`},
    {allow: allowed.join(', ')},
  )
}
