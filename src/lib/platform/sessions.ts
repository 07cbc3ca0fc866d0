// Revoking a user's or service principal's sessions: the platform ends their grants and the gateway refuses their older tokens.
import type {Context} from '../context.js'
import {userNotFound} from './not-found.js'

export interface SessionRevocation {
  /** The user's id, or the service principal's client id. */
  id: string
  kind: 'user' | 'servicePrincipal'
  upn?: string
  displayName: string
  /** Access tokens issued before this moment are refused by the gateway (ISO 8601). */
  notBefore: string
  /** Sign-in sessions (with their refresh tokens) ended at the identity provider. */
  grantsRevoked: number
  /** Whether the gateway applied it before the platform answered. */
  enforced: boolean
}

export async function revokeSessions(ctx: Context, who: string): Promise<SessionRevocation> {
  const {body} = await ctx.api().request<SessionRevocation>({
    method: 'POST',
    path: `/v1/users/${encodeURIComponent(who)}/revoke-sessions`,
    what: `Revoking the sessions of ${who}`,
    notFound: {USER_NOT_FOUND: userNotFound(who)},
  })
  return body
}
