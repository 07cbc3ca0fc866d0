// Tenant isolation: which partner tenants this tenant's flows may connect to (outbound) and whose flows may connect to this tenant's accounts (inbound).
import {findTenant} from '../seed.js'

export const ISOLATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS isolation_policies (tenant_id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
  version INTEGER NOT NULL);
`

export interface AllowedTenant {
  tenantId: string
  inbound: boolean
  outbound: boolean
}

export interface IsolationSettings {
  enabled: boolean
  allowedTenants: AllowedTenant[]
}

export const DEFAULT_ISOLATION: IsolationSettings = {enabled: false, allowedTenants: []}

export class IsolationInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message)
  }
}

const TENANT_KEY = /^[A-Za-z0-9][A-Za-z0-9.-]{0,119}$/

/** A tenant as a connection or a policy names it: a seeded tenant by id, name or domain → its id; any other id or domain as given, lower-cased. */
export function tenantKey(value: string): string | undefined {
  if (!TENANT_KEY.test(value)) return undefined
  return findTenant(value)?.id ?? value.toLowerCase()
}

export function parseIsolation(body: Record<string, unknown>): IsolationSettings {
  for (const k of Object.keys(body))
    if (k !== 'enabled' && k !== 'allowedTenants') throw new IsolationInputError(`unknown field ${k}; the fields are enabled, allowedTenants`, k)
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') throw new IsolationInputError('enabled must be true or false', 'enabled')
  const raw = body.allowedTenants ?? []
  if (!Array.isArray(raw) || raw.length > 500) throw new IsolationInputError('allowedTenants must be an array of at most 500 tenants', 'allowedTenants')
  const seen = new Set<string>()
  const allowedTenants = raw.map((t: unknown, i): AllowedTenant => {
    const f = `allowedTenants[${i}]`
    if (!t || typeof t !== 'object' || Array.isArray(t)) throw new IsolationInputError(`${f} must be {tenantId, inbound, outbound}`, f)
    const o = t as Record<string, unknown>
    for (const k of Object.keys(o)) if (!['tenantId', 'inbound', 'outbound'].includes(k)) throw new IsolationInputError(`${f}.${k} is not a field`, `${f}.${k}`)
    const id = typeof o.tenantId === 'string' ? tenantKey(o.tenantId) : undefined
    if (!id) throw new IsolationInputError(`${f}.tenantId must be a tenant id or domain`, `${f}.tenantId`)
    if (seen.has(id)) throw new IsolationInputError(`${f}: tenant ${id} is listed twice`, `${f}.tenantId`)
    seen.add(id)
    for (const k of ['inbound', 'outbound'] as const)
      if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new IsolationInputError(`${f}.${k} must be true or false`, `${f}.${k}`)
    return {tenantId: id, inbound: o.inbound === true, outbound: o.outbound === true}
  })
  return {enabled: body.enabled === true, allowedTenants}
}

export type Direction = 'inbound' | 'outbound'

/** Whether a policy lets a connection with `partner` in `direction` through (always, when isolation is off). */
export function allows(policy: IsolationSettings, partner: string, direction: Direction): boolean {
  if (!policy.enabled) return true
  return policy.allowedTenants.some((t) => t.tenantId === partner && t[direction])
}
