// A public route as data (method, path pattern, required role): what each service serves, listable by the contract test against docs/openapi.yaml.
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RouteSpec {
  method: RouteMethod
  /** `/v1/users/:id`: `:name` matches one non-empty segment. */
  path: string
  /** The roles of which the caller needs one, where the route itself decides it (handlers may check finer). */
  roles?: readonly string[]
}

/** Whether a path (already split after the leading slash) matches a pattern of the same form. */
export const matchesPattern = (pattern: readonly string[], seg: readonly string[]) =>
  pattern.length === seg.length && pattern.every((p, i) => (p.startsWith(':') ? seg[i] !== '' : p === seg[i]))

export const segmentsOf = (path: string) => path.split('/').slice(1)

/**
 * The route of a path and method, and the methods the path takes (empty when no route has that path).
 * With `head`, HEAD is answered wherever GET is routed (the service sends the headers of its GET).
 */
export function findRoute<R extends RouteSpec>(routes: readonly R[], method: string, pathname: string, opts: {head?: boolean} = {}): {route?: R; allowed: string[]} {
  const seg = segmentsOf(pathname)
  const same = routes.filter((r) => matchesPattern(segmentsOf(r.path), seg))
  const allowed = [...new Set<string>(same.map((r) => r.method))]
  const head = opts.head === true && allowed.includes('GET')
  return {
    route: same.find((r) => r.method === method || (head && method === 'HEAD' && r.method === 'GET')),
    allowed: head ? [...allowed, 'HEAD'] : allowed,
  }
}
