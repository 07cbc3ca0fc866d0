// The tenant key as a record: `keys status` and the answer of rotate, lock and unlock.
import {recordView, type View} from '../lib/output/view.js'
import type {TenantKey} from '../lib/platform/keys.js'

export function keyView(k: TenantKey): View {
  return recordView([
    ['Tenant', `${k.displayName} (${k.tenant})`],
    ['State', k.state === 'locked' ? 'locked (the tenant is offline: ppctl keys unlock)' : 'active'],
    ['Key version', String(k.keyVersion)],
    ['Data key version', String(k.dataKeyVersion)],
    ['Created', k.createdAt],
    ['Rotated', k.rotatedAt ?? 'never'],
    ...(k.lockedAt ? ([['Locked', k.lockedAt]] as Array<[string, string]>) : []),
    ['ETag', k.etag],
  ])
}
