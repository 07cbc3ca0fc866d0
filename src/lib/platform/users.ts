// Users of the signed-in tenant: list (paged, searchable) and one user with roles, licenses and premium entitlement.
import type {Context} from '../context.js'
import {userLicenses, type HeldLicense} from './licenses.js'
import {userNotFound} from './not-found.js'

export interface User {
  id: string
  upn: string
  displayName: string
  roles: string[]
  signInEnabled: boolean
}

export interface UserDetails extends User {
  licenses: HeldLicense[]
  /** Whether the user may use premium (and custom) connectors in apps, and through which SKUs. */
  premium: {entitled: boolean; via: string[]}
}

export function listUsers(ctx: Context, options: {search?: string} = {}, pageSize = 200): AsyncGenerator<User> {
  const qs = options.search ? `?search=${encodeURIComponent(options.search)}` : ''
  return ctx.api().list<User>({path: `/v1/users${qs}`, what: 'Listing users'}, pageSize)
}

export async function getUser(ctx: Context, upn: string): Promise<UserDetails> {
  const {body: user} = await ctx
    .api()
    .request<User>({path: `/v1/users/${encodeURIComponent(upn)}`, what: `Reading user ${upn}`, notFound: {USER_NOT_FOUND: userNotFound(upn)}})
  const {items} = await userLicenses(ctx, user.id)
  const via = items.filter((l) => l.grantsPremium).map((l) => l.skuId)
  return {...user, licenses: items, premium: {entitled: via.length > 0, via}}
}
