// The identity's view of the tenants' sign-in policies: read from the tenant's data on its active cluster, with the user's groups.
import type {IncomingMessage} from 'node:http'

import type {DirectoryUser} from '../directory.js'
import type {FirewallReader} from '../firewall/store.js'
import {refusalOf, type SignInPolicySettings} from './policy.js'

export function createSignInPolicyCheck(reader: (tenantId: string) => FirewallReader | undefined, log: (line: string) => void) {
  return (user: DirectoryUser, req: IncomingMessage, flow: 'device_code' | 'authorization_code') => {
    try {
      const r = reader(user.tenantId)
      const row = r?.get<{doc: string}>('SELECT doc FROM signin_policies WHERE tenant_id = ?', user.tenantId)
      if (!r || !row) return undefined
      const groups = r
        .all<{group_id: string}>('SELECT group_id FROM group_members WHERE tenant_id = ? AND user_id = ?', user.tenantId, user.oid)
        .map((g) => g.group_id)
      return refusalOf(JSON.parse(row.doc) as SignInPolicySettings, {groups, ip: req.socket.remoteAddress, flow})
    } catch (err) {
      // A policy that cannot be read refuses the sign-in (fail closed), and the operator learns why.
      log(`identity: could not read the sign-in policy of ${user.tenantId}: ${(err as Error).message}`)
      return {rule: 'unavailable', description: 'The sign-in policy of your tenant could not be evaluated; try again later.'}
    }
  }
}
