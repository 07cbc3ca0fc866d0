// A public route as data (method, path pattern, required role): what each service serves and enforces, listable by the contract test against docs/openapi.yaml.
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/**
 * The least the caller must be to reach a route: `anonymous` (no token), `signed-in` (any valid token), or a tenant
 * role, where Admin includes Maker and Maker includes AppUser. docs/openapi.yaml names it as `x-required-role`.
 */
export type RequiredRole = 'anonymous' | 'signed-in' | 'AppUser' | 'Maker' | 'Admin'

export interface RouteSpec {
  method: RouteMethod
  /** `/v1/users/:id`: `:name` matches one non-empty segment. */
  path: string
  /** Enforced by the service before the route's handler runs; a handler may only check finer (its own user, its creator). */
  role: RequiredRole
}

/** The token roles that satisfy each tenant role. */
export const ROLE_HOLDERS: Readonly<Record<Exclude<RequiredRole, 'anonymous' | 'signed-in'>, readonly string[]>> = {
  Admin: ['Admin'],
  Maker: ['Admin', 'Maker'],
  AppUser: ['Admin', 'Maker', 'AppUser'],
}

/** Whether a caller holding `roles` (a verified token's; none when anonymous) may reach a route requiring `required`. */
export function satisfies(required: RequiredRole, roles: readonly string[] | undefined): boolean {
  if (required === 'anonymous') return true
  if (roles === undefined) return false
  if (required === 'signed-in') return true
  return roles.some((r) => ROLE_HOLDERS[required].includes(r))
}

/** Whether a path (already split after the leading slash) matches a pattern of the same form. */
export const matchesPattern = (pattern: readonly string[], seg: readonly string[]) =>
  pattern.length === seg.length && pattern.every((p, i) => (p.startsWith(':') ? seg[i] !== '' : p === seg[i]))

const segmentsOf = (path: string) => path.split('/').slice(1)

/**
 * The route of a path and method, and the methods the path takes (empty when no route has that path).
 * With `head`, HEAD is answered wherever GET is routed (the service sends the headers of its GET).
 */
export function findRoute<R extends RouteSpec>(
  routes: readonly R[],
  method: string,
  pathname: string,
  opts: {head?: boolean} = {},
): {route?: R; allowed: string[]} {
  const seg = segmentsOf(pathname)
  const same = routes.filter((r) => matchesPattern(segmentsOf(r.path), seg))
  const allowed = [...new Set<string>(same.map((r) => r.method))]
  const head = opts.head === true && allowed.includes('GET')
  return {
    route: same.find((r) => r.method === method || (head && method === 'HEAD' && r.method === 'GET')),
    allowed: head ? [...allowed, 'HEAD'] : allowed,
  }
}
