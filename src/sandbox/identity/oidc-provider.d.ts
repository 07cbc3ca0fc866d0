// The small part of oidc-provider 9's API the local identity uses (the package ships no type declarations).
declare module 'oidc-provider' {
  import type {IncomingMessage, ServerResponse} from 'node:http'
  import type {EventEmitter} from 'node:events'

  export type UnknownObject = Record<string, unknown>

  /** The Koa context oidc-provider hands to configuration hooks and events, reduced to what is read here. */
  export interface KoaContextWithOIDC {
    ip: string
    req: IncomingMessage
    body: unknown
    type: string
    status: number
    path: string
    method: string
    get(header: string): string
    oidc: {
      route?: string
      issuer: string
      params?: UnknownObject
      client?: ClientLike
      session?: {state?: {secret?: string}}
      entities: {
        Account?: {accountId: string}
        AccessToken?: {jti: string; accountId?: string; clientId: string; gty?: string; scope?: string}
        ClientCredentials?: {jti: string; clientId: string; scope?: string}
        RefreshToken?: {jti: string}
        [name: string]: unknown
      }
      urlFor(name: string, options?: UnknownObject): string
    }
  }

  export interface ClientLike {
    clientId: string
    clientName?: string
    clientAuthMethod: string
  }

  export interface AccountClaims {
    sub: string
    [claim: string]: unknown
  }

  export interface Account {
    accountId: string
    claims(use: string, scope: string, claims: UnknownObject, rejected: string[]): AccountClaims | Promise<AccountClaims>
  }

  export interface AdapterPayload extends UnknownObject {
    grantId?: string
    userCode?: string
    uid?: string
    consumed?: number
    jti?: string
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>
    find(id: string): Promise<AdapterPayload | undefined>
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>
    findByUid(uid: string): Promise<AdapterPayload | undefined>
    consume(id: string): Promise<void>
    destroy(id: string): Promise<void>
    revokeByGrantId(grantId: string): Promise<void>
  }

  export interface InteractionDetails {
    uid: string
    exp: number
    prompt: {name: string; reasons: string[]; details: UnknownObject}
    params: UnknownObject
    session?: {accountId?: string; uid?: string}
    grantId?: string
    lastSubmission?: UnknownObject
    /** Set on the interaction of a device-code sign-in. */
    deviceCode?: string
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void
    addResourceScope(resource: string, scope: string): void
    addOIDCClaims(claims: string[]): void
    save(): Promise<string>
  }

  export class OIDCProviderError extends Error {
    error: string
    error_description?: string
    error_detail?: string
    statusCode: number
  }

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError
    InvalidClientAuth: new (detail?: string) => OIDCProviderError
    InvalidTarget: new (description?: string) => OIDCProviderError
    AccessDenied: new (description?: string) => OIDCProviderError
  }

  export class Provider extends EventEmitter {
    constructor(issuer: string, configuration: UnknownObject)
    proxy: boolean
    readonly issuer: string
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: UnknownObject, options?: {mergeWithLastSubmission?: boolean}): Promise<void>
    Grant: {
      new (properties: {accountId: string; clientId: string}): GrantInstance
      find(id: string): Promise<GrantInstance | undefined>
    }
    Client: {find(id: string): Promise<ClientLike | undefined>}
  }

  export default Provider
}
