// Generated from docs/openapi.yaml by scripts/gen-api-endpoints.js (npm run build): do not edit; scripts/check-generated.js finds it stale.
export interface ApiEndpoint {
  /** cluster: the tenant's home cluster (ppctl api's default); global: the global service (--global). */
  target: 'cluster' | 'global'
  method: string
  path: string
  /** The least role the caller needs (the operation's x-required-role). */
  role: string
  summary: string
}

export const API_ENDPOINTS: readonly ApiEndpoint[] = [
  {target: 'global', method: 'GET', path: '/v1/me/home', role: 'signed-in', summary: "The signed-in tenant's home cluster"},
  {target: 'global', method: 'GET', path: '/v1/tenants/{tenantId}/home', role: 'signed-in', summary: "A tenant's home cluster"},
  {target: 'cluster', method: 'GET', path: '/v1/health', role: 'signed-in', summary: 'Cluster health'},
  {target: 'cluster', method: 'GET', path: '/v1/users', role: 'Admin', summary: "List the tenant's users (Admin)"},
  {target: 'cluster', method: 'GET', path: '/v1/users/{userId}', role: 'AppUser', summary: 'A user (Admin, or the user itself)'},
  {target: 'cluster', method: 'GET', path: '/v1/users/{userId}/licenses', role: 'AppUser', summary: "A user's licenses (Admin, or the user itself)"},
  {target: 'cluster', method: 'POST', path: '/v1/users/{userId}/licenses', role: 'Admin', summary: 'Assign a license to a user (Admin)'},
  {target: 'cluster', method: 'DELETE', path: '/v1/users/{userId}/licenses/{skuId}', role: 'Admin', summary: "Revoke a user's license (Admin)"},
  {
    target: 'cluster',
    method: 'POST',
    path: '/v1/users/{userId}/revoke-sessions',
    role: 'Admin',
    summary: "Revoke a user's or service principal's sessions (Admin)",
  },
  {target: 'cluster', method: 'GET', path: '/v1/licenses/skus', role: 'Admin', summary: 'License SKUs with their seats (Admin)'},
  {target: 'cluster', method: 'GET', path: '/v1/licenses/skus/{skuId}', role: 'Admin', summary: 'A license SKU (Admin)'},
  {target: 'cluster', method: 'POST', path: '/v1/licenses/lookup', role: 'Admin', summary: 'The licenses of up to 1,000 users in one request (Admin)'},
  {target: 'cluster', method: 'GET', path: '/v1/connectors', role: 'Maker', summary: 'List connectors (Admin, Maker)'},
  {target: 'cluster', method: 'POST', path: '/v1/connectors', role: 'Maker', summary: 'Create a custom connector (Admin, Maker)'},
  {target: 'cluster', method: 'GET', path: '/v1/connectors/{connectorId}', role: 'Maker', summary: 'A connector, with its ETag (Admin, Maker)'},
  {
    target: 'cluster',
    method: 'DELETE',
    path: '/v1/connectors/{connectorId}',
    role: 'Maker',
    summary: 'Delete a custom connector (Admin, or the Maker who created it)',
  },
  {
    target: 'cluster',
    method: 'POST',
    path: '/v1/connectors/{connectorId}/block',
    role: 'Admin',
    summary: 'Block a connector for every app of the tenant (Admin)',
  },
  {target: 'cluster', method: 'POST', path: '/v1/connectors/{connectorId}/unblock', role: 'Admin', summary: 'Unblock a connector (Admin)'},
  {target: 'cluster', method: 'POST', path: '/v1/access-checks', role: 'AppUser', summary: 'May this user use this connector in an app, in this role?'},
  {target: 'cluster', method: 'GET', path: '/v1/groups', role: 'Admin', summary: "The tenant's security groups, with their members (Admin)"},
  {target: 'cluster', method: 'GET', path: '/v1/groups/{groupId}', role: 'Admin', summary: 'A security group with its members (Admin)'},
  {target: 'cluster', method: 'GET', path: '/v1/environments', role: 'Maker', summary: "List the tenant's environments (Admin, Maker)"},
  {target: 'cluster', method: 'POST', path: '/v1/environments', role: 'Admin', summary: 'Create an environment (Admin)'},
  {target: 'cluster', method: 'GET', path: '/v1/environments/{environmentId}', role: 'Maker', summary: 'An environment, with its ETag (Admin, Maker)'},
  {
    target: 'cluster',
    method: 'PATCH',
    path: '/v1/environments/{environmentId}',
    role: 'Admin',
    summary: 'Rename an environment or change its security group (Admin)',
  },
  {
    target: 'cluster',
    method: 'DELETE',
    path: '/v1/environments/{environmentId}',
    role: 'Admin',
    summary: 'Delete an environment with its flows and custom connectors (Admin)',
  },
  {target: 'cluster', method: 'GET', path: '/v1/flows', role: 'Maker', summary: 'List flows (Admin, Maker)'},
  {
    target: 'cluster',
    method: 'POST',
    path: '/v1/flows',
    role: 'Maker',
    summary: 'Create a flow, checked against the DLP policies of its environment (Admin, Maker)',
  },
  {target: 'cluster', method: 'GET', path: '/v1/flows/{flowId}', role: 'Maker', summary: 'A flow, with its state and ETag (Admin, Maker)'},
  {target: 'cluster', method: 'PATCH', path: '/v1/flows/{flowId}', role: 'Maker', summary: "Change a flow's name or connectors (Admin, or its owner)"},
  {target: 'cluster', method: 'DELETE', path: '/v1/flows/{flowId}', role: 'Maker', summary: 'Delete a flow (Admin, or its owner)'},
  {target: 'cluster', method: 'GET', path: '/v1/dlp/policies', role: 'Admin', summary: 'List DLP policies (Admin)'},
  {target: 'cluster', method: 'POST', path: '/v1/dlp/policies', role: 'Admin', summary: 'Create a DLP policy (Admin)'},
  {target: 'cluster', method: 'GET', path: '/v1/dlp/policies/{policyId}', role: 'Admin', summary: 'A DLP policy, with its ETag (Admin)'},
  {target: 'cluster', method: 'PUT', path: '/v1/dlp/policies/{policyId}', role: 'Admin', summary: 'Replace a DLP policy (Admin)'},
  {target: 'cluster', method: 'DELETE', path: '/v1/dlp/policies/{policyId}', role: 'Admin', summary: 'Delete a DLP policy (Admin)'},
  {
    target: 'cluster',
    method: 'POST',
    path: '/v1/dlp/apply',
    role: 'Admin',
    summary: 'Apply policy creations, replacements and deletions in one transaction (Admin)',
  },
  {
    target: 'cluster',
    method: 'POST',
    path: '/v1/dlp/evaluate',
    role: 'Maker',
    summary: 'Would these connectors be allowed together in this environment, and why not? (Admin, Maker)',
  },
  {target: 'cluster', method: 'GET', path: '/v1/keys', role: 'Admin', summary: "The tenant's data key — state, versions, last rotation (Admin)"},
  {target: 'cluster', method: 'POST', path: '/v1/keys/rotate', role: 'Admin', summary: 'A new key version, the data re-encrypted online (Admin)'},
  {target: 'cluster', method: 'POST', path: '/v1/keys/lock', role: 'Admin', summary: 'Make the tenant key unavailable — the whole tenant goes offline (Admin)'},
  {target: 'cluster', method: 'POST', path: '/v1/keys/unlock', role: 'Admin', summary: 'Give the tenant key back — service returns with every record (Admin)'},
  {target: 'cluster', method: 'GET', path: '/v1/audit/events', role: 'Admin', summary: "Page through the tenant's audit log (Admin)"},
  {target: 'cluster', method: 'GET', path: '/v1/audit/stream', role: 'Admin', summary: "Follow the tenant's audit log (Admin)"},
]
