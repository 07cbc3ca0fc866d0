// The operator's control API on a private socket in the data dir: reachable only by who can read that folder.
import {randomUUID} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {Directory, ServicePrincipal} from './directory.js'
import {handleFaultControl} from './faults/control-routes.js'
import type {FaultTable} from './faults/fault-table.js'
import {BodyRejected, readJsonObject} from './body.js'
import {sendJson} from './http-util.js'
import {findTenant} from './seed.js'
import type {AuditSink} from './audit-sink.js'
import {handleFederationControl} from './ci/control-routes.js'
import type {CiIssuer} from './ci/issuer.js'

export interface ControlOptions {
  directory: Directory
  health: () => unknown
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>
  /** Injected cluster faults (`ppctl sandbox fault`). */
  faults?: FaultTable
  /** The CI token issuer (test tokens) and the audit of federated credential changes. */
  ciIssuer?: CiIssuer
  audit?: AuditSink
}

export interface RegisterServicePrincipalRequest {
  tenant: string
  name: string
  jwk: Record<string, unknown>
  thumbprintS256: string
  thumbprintSha1: string
  notAfter: string
}

/** A service principal's registration carries a public JWK with its certificate chain: more than the default. */
const REGISTRATION_LIMIT = 64 * 1024

export function createControlHandler(options: ControlOptions) {
  const fail = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, {code, message})
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method === 'GET' && req.url === '/v1/health') return sendJson(res, 200, options.health())
      if (options.faults && (await handleFaultControl(options.faults, req, res))) return
      if (options.routes && (await options.routes(req, res))) return
      if (await handleFederationControl(options, req, res)) return
      if (req.method === 'POST' && req.url === '/v1/service-principals') {
        const body = (await readJsonObject(req, {limit: REGISTRATION_LIMIT})) as unknown as RegisterServicePrincipalRequest
        const tenant = findTenant(String(body.tenant ?? ''))
        if (!tenant) return fail(res, 404, 'TENANT_NOT_FOUND', `No tenant "${body.tenant}"; the seeded tenants are contoso and fabrikam.`)
        if (!body.name || !/^[\w .-]{1,64}$/.test(body.name))
          return fail(res, 400, 'INVALID_NAME', 'The name must be 1–64 letters, digits, spaces, ".", "_" or "-".')
        if (!body.jwk || typeof body.thumbprintS256 !== 'string') return fail(res, 400, 'INVALID_KEY', 'A public JWK with x5c and its x5t#S256 are required.')
        const sp: ServicePrincipal = {
          clientId: randomUUID(),
          tenantId: tenant.id,
          name: body.name,
          roles: ['Admin'],
          jwk: body.jwk,
          thumbprintS256: body.thumbprintS256,
          thumbprintSha1: body.thumbprintSha1,
          notAfter: body.notAfter,
          createdAt: new Date().toISOString(),
        }
        options.directory.addServicePrincipal(sp)
        return sendJson(res, 201, {clientId: sp.clientId, tenantId: sp.tenantId, roles: sp.roles})
      }
      return fail(res, 404, 'NOT_FOUND', `${req.method} ${req.url}`)
    } catch (err) {
      if (res.headersSent) {
        res.destroy()
        return
      }
      if (err instanceof BodyRejected) return sendJson(res, err.status, {code: err.code, message: err.detail}, err.headers)
      return fail(res, 400, 'BAD_REQUEST', (err as Error).message)
    }
  }
}
