// The signed-in tenant's data keys (encryption at rest): status, rotate, lock, unlock.
import type {KeyStatus} from '../../sandbox/contract.js'
import type {Context} from '../context.js'

/** What `GET /v1/keys` answers: the vault's key status (no key material), the tenant named, and the ETag. */
export interface TenantKey extends KeyStatus {
  /** The tenant's short name: what `keys lock` asks to be typed back. */
  tenant: string
  displayName: string
  encryption: 'on'
  etag: string
}

export type KeyAction = 'rotate' | 'lock' | 'unlock'

export async function getTenantKey(ctx: Context): Promise<TenantKey> {
  const {body, headers} = await ctx.api().request<TenantKey>({path: '/v1/keys', what: "Reading the tenant's key"})
  return {...body, etag: headers.get('etag') ?? body.etag}
}

/** Changes the key against the ETag it was read with (412 → exit 7 when it changed since). */
export async function changeTenantKey(ctx: Context, action: KeyAction, etag: string): Promise<TenantKey> {
  const {body, headers} = await ctx.api().request<TenantKey>({
    method: 'POST',
    path: `/v1/keys/${action}`,
    headers: {'if-match': etag},
    what: `${action[0].toUpperCase()}${action.slice(1)} of the tenant's key`,
  })
  return {...body, etag: headers.get('etag') ?? body.etag}
}
