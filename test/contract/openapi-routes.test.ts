// The platform's route tables and docs/openapi.yaml name the same operations, and the same required role, both ways, per host.
import {expect} from 'chai'

import {PUBLIC_ROUTES} from '../../src/sandbox/public-routes.js'
import {openApi} from '../helpers/openapi.js'

type Json = Record<string, unknown>
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** The service a server URL of the document names, from its host: `login.` is the identity provider. */
function serviceOf(url: string): 'identity' | 'gateway' | 'global' | 'cluster' {
  const host = new URL(url.replace(/\{port\}/g, '8443').replace(/\{cluster\}/g, 'eastus-1')).hostname
  if (host === 'login.sandbox.localhost') return 'identity'
  if (host === 'global.sandbox.localhost') return 'global'
  if (host === 'sandbox.localhost') return 'gateway'
  if (host.endsWith('.clusters.sandbox.localhost')) return 'cluster'
  throw new Error(`openapi.yaml names a server no service answers: ${url}`)
}

/** `GET cluster /v1/users/{}`: parameter names differ between the table (`:id`) and the document (`{userId}`). */
const key = (method: string, service: string, path: string) => `${method.toUpperCase()} ${service} ${path.replace(/\{[^}]+\}|:[^/]+/g, '{}')}`

function documented(): {operations: string[]; identity: string[]; roles: Map<string, unknown>} {
  const doc = openApi().doc as {servers: Array<{url: string}>; paths: Record<string, Json>}
  const operations: string[] = []
  const identity: string[] = []
  /** Each operation's `x-required-role`, by key (identity ones by `METHOD path`). */
  const roles = new Map<string, unknown>()
  for (const [path, item] of Object.entries(doc.paths)) {
    const servers = (item.servers as Array<{url: string}> | undefined) ?? doc.servers
    for (const method of METHODS.filter((m) => m in item)) {
      for (const service of new Set(servers.map((s) => serviceOf(s.url)))) {
        const op = service === 'identity' ? `${method.toUpperCase()} ${path}` : key(method, service, path)
        if (service === 'identity') identity.push(op)
        else operations.push(op)
        roles.set(op, (item[method] as Json)['x-required-role'])
      }
    }
  }
  return {operations: operations.sort(), identity, roles}
}

/** The role each table entry requires, by the same key as the document's operations. */
function routedRoles(): Map<string, string> {
  return new Map(Object.entries(PUBLIC_ROUTES).flatMap(([service, routes]) => routes.map((r) => [key(r.method, service, r.path), r.role] as const)))
}

function routed(): string[] {
  const out = Object.entries(PUBLIC_ROUTES).flatMap(([service, routes]) => routes.map((r) => key(r.method, service, r.path)))
  return out.sort()
}

describe('Route tables against docs/openapi.yaml', () => {
  it('documents every routed operation, with its method', () => {
    const docs = new Set(documented().operations)
    expect(
      routed().filter((r) => !docs.has(r)),
      'routed but not in openapi.yaml',
    ).to.deep.equal([])
  })

  it('routes every documented operation (outside the identity provider), with its method', () => {
    const routes = new Set(routed())
    // HEAD is implied by GET wherever a service answers HEAD; a documented HEAD needs its GET routed.
    const missing = documented().operations.filter((op) => !routes.has(op) && !(op.startsWith('HEAD ') && routes.has(op.replace(/^HEAD/, 'GET'))))
    expect(missing, 'in openapi.yaml but not routed').to.deep.equal([])
  })

  it('lists each route once, and scopes only the identity endpoints ppctl calls out of the tables', () => {
    const all = routed()
    expect(all.length).to.be.greaterThan(15)
    expect(new Set(all).size).to.equal(all.length)
    // oidc-provider routes these itself; anything else on login. would have to be checked against it.
    expect(documented().identity.sort()).to.deep.equal([
      'GET /.well-known/openid-configuration',
      'POST /device/auth',
      'POST /token',
      'POST /token/introspection',
    ])
  })

  it('requires of each routed operation the role openapi.yaml documents as its x-required-role', () => {
    const {roles} = documented()
    const table = routedRoles()
    const differ = [...table].filter(([op, role]) => roles.get(op) !== role).map(([op, role]) => `${op}: table ${role}, openapi.yaml ${String(roles.get(op))}`)
    expect(differ, 'roles of the table that openapi.yaml does not document').to.deep.equal([])
    expect(table.size).to.be.greaterThan(15)
  })

  it('documents an x-required-role on every operation, of the known roles, and one the table agrees with', () => {
    const {roles, identity} = documented()
    const table = routedRoles()
    const known = ['anonymous', 'signed-in', 'AppUser', 'Maker', 'Admin']
    const bad = [...roles].filter(([, role]) => !known.includes(role as string)).map(([op, role]) => `${op}: ${String(role)}`)
    expect(bad, 'operations without a known x-required-role').to.deep.equal([])
    // HEAD is routed as its GET; the identity provider's endpoints are called before any token exists.
    const differ = [...roles]
      .filter(([op]) => !identity.includes(op))
      .filter(([op, role]) => (table.get(op) ?? table.get(op.replace(/^HEAD/, 'GET'))) !== role)
      .map(([op, role]) => `${op}: openapi.yaml ${String(role)}, table ${String(table.get(op))}`)
    expect(differ, 'documented roles the table does not require').to.deep.equal([])
    expect(identity.map((op) => roles.get(op))).to.deep.equal(identity.map(() => 'anonymous'))
  })
})
