// What tokens say: accounts and their claims, the API as the one resource server, and the extra access-token claims.
import {errors, type Account, type KoaContextWithOIDC} from 'oidc-provider'

import type {Directory, DirectoryUser} from '../directory.js'

/** The scope of the platform API; access tokens for the API audience carry it when it was granted. */
export const API_SCOPE = 'api'
const ACCESS_TOKEN_TTL_SECONDS = 60 * 60
const ACCESS_TOKEN_ALG = 'PS256'

/** Claims each scope releases (in ID tokens and at userinfo). */
export const SCOPE_CLAIMS = {
  openid: ['sub', 'tid', 'oid', 'upn', 'roles'],
  profile: ['name', 'preferred_username'],
}

function userClaims(user: DirectoryUser): Record<string, unknown> {
  return {
    sub: user.oid,
    tid: user.tenantId,
    oid: user.oid,
    upn: user.upn,
    roles: [...user.roles],
    name: user.displayName,
    preferred_username: user.upn,
  }
}

/** `findAccount`: the account id is the user's object id (oid), which is also the subject. */
export function createFindAccount(directory: Directory) {
  return async function findAccount(_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> {
    const user = directory.findUser(sub)
    if (!user) return undefined
    return {
      accountId: user.oid,
      claims: () => ({...userClaims(user), sub: user.oid}),
    }
  }
}

/** `features.resourceIndicators`: the API is the only resource; tokens for it are PS256 JWTs. */
export function createResourceIndicators(apiAudience: string) {
  return {
    enabled: true,
    defaultResource: async (_ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string[]) => oneOf ?? apiAudience,
    // Refresh and device-code token requests that name no resource get one for the resource granted.
    useGrantedResource: async () => true,
    getResourceServerInfo: async (_ctx: KoaContextWithOIDC, resourceIndicator: string) => {
      if (resourceIndicator !== apiAudience) throw new errors.InvalidTarget(`unknown resource; this platform serves ${apiAudience}`)
      return {
        scope: API_SCOPE,
        audience: apiAudience,
        accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
        accessTokenFormat: 'jwt',
        jwt: {sign: {alg: ACCESS_TOKEN_ALG}},
      }
    },
  }
}

interface TokenLike {
  accountId?: string
  clientId?: string
}

/** `extraTokenClaims`: tenant, object id and roles in every access token; upn for people; appid/azp for service principals. */
export function createExtraTokenClaims(directory: Directory) {
  return async function extraTokenClaims(_ctx: unknown, token: TokenLike): Promise<Record<string, unknown> | undefined> {
    if (token.accountId) {
      const user = directory.findUser(token.accountId)
      if (!user) return undefined
      return {tid: user.tenantId, oid: user.oid, upn: user.upn, roles: [...user.roles], name: user.displayName}
    }
    const sp = token.clientId ? directory.findServicePrincipal(token.clientId) : undefined
    if (!sp) return undefined
    return {tid: sp.tenantId, oid: sp.clientId, roles: [...sp.roles], appid: sp.clientId, azp: sp.clientId}
  }
}
