// Every public route of the local platform, per host, as data: the contract test checks it against docs/openapi.yaml both ways.
import {AUDIT_ROUTES} from './audit/routes.js'
import {CLUSTER_ROUTES} from './clusters/handler.js'
import {GATEWAY_ROUTES} from './gateway/gateway.js'
import {GLOBAL_ROUTES} from './global/service.js'
import type {RouteSpec} from './route-spec.js'

/**
 * Keyed by the host that serves them. The identity provider (`login.`) is oidc-provider's own router and not
 * listed: its discovery document describes it, and openapi.yaml shows only the endpoints ppctl calls.
 */
export const PUBLIC_ROUTES: Readonly<Record<'gateway' | 'global' | 'cluster', readonly RouteSpec[]>> = {
  gateway: GATEWAY_ROUTES,
  global: GLOBAL_ROUTES,
  cluster: [...CLUSTER_ROUTES, ...AUDIT_ROUTES],
}
