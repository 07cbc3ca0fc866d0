// The flags of `ppctl route show` as plain data, shared by the oclif command and the fast path (which must not load oclif).
import type {FlagDef} from '../flag-defs.js'

export const ROUTE_SHOW_FLAGS = {
  tenant: {type: 'option', description: 'Tenant id or name (default: the signed-in tenant).'},
  refresh: {type: 'boolean', description: 'Ignore the routing cache.'},
} satisfies Record<string, FlagDef>
