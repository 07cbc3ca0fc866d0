// Audit events of the identity: sign-ins, token issues and refreshes, refused client authentication. Never a secret.
import type {IncomingMessage} from 'node:http'

import type {KoaContextWithOIDC, OIDCProviderError, Provider} from 'oidc-provider'

import type {AuditActor, AuditInput, AuditSink} from '../audit-sink.js'
import type {Directory, DirectoryUser} from '../directory.js'
import {findTenant} from '../seed.js'

const GRANT_TYPE_NAMES: Readonly<Record<string, string>> = {
  'urn:ietf:params:oauth:grant-type:device_code': 'device_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
}

export interface IdentityAudit {
  /** `user` is the directory's user for the UPN (known even when the password was wrong); `ok` whether sign-in succeeded. */
  signIn(
    req: IncomingMessage,
    attempt: {upn: string; user: DirectoryUser | undefined; ok: boolean; clientId?: string; refusal?: {rule: string; description: string}},
  ): void
}

/** The tenant a UPN's domain belongs to: a seeded tenant's domain, or the domain of any user in the directory. */
function tenantOfUpn(directory: Directory, upn: string): string | undefined {
  const domain = upn.trim().toLowerCase().split('@')[1]
  if (!domain) return undefined
  return findTenant(domain)?.id ?? directory.users().find((u) => u.upn.toLowerCase().endsWith(`@${domain}`))?.tenantId
}

export function createIdentityAudit(options: {
  provider: Provider
  audit: AuditSink
  directory: Directory
  log: (line: string) => void
  /** The federated credential a token request signed in with (the request as oidc-provider saw it). */
  federated?: (req: unknown) => {credential: string; issuer: string; subject: string} | undefined
}): IdentityAudit {
  const {audit, directory, log} = options

  const record = (event: AuditInput) => {
    try {
      audit.record(event)
    } catch (err) {
      log(`identity: could not record audit event ${event.action}: ${(err as Error).message}`)
    }
  }

  const fromCtx = (ctx: KoaContextWithOIDC) => ({clientIp: ctx.ip, userAgent: ctx.get('user-agent') || undefined})

  const actorOf = (ctx: KoaContextWithOIDC): {tenantId: string; actor: AuditActor} | undefined => {
    const accountId = ctx.oidc.entities.Account?.accountId ?? ctx.oidc.entities.AccessToken?.accountId
    if (accountId) {
      const user = directory.findUser(accountId)
      return user ? {tenantId: user.tenantId, actor: {type: 'user', id: user.oid, upn: user.upn}} : undefined
    }
    const clientId = ctx.oidc.client?.clientId
    const sp = clientId ? directory.findServicePrincipal(clientId) : undefined
    return sp ? {tenantId: sp.tenantId, actor: {type: 'servicePrincipal', id: sp.clientId, appId: sp.clientId}} : undefined
  }

  options.provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = GRANT_TYPE_NAMES[String(ctx.oidc.params?.grant_type)] ?? String(ctx.oidc.params?.grant_type)
    const who = actorOf(ctx)
    if (!who) return
    const token = ctx.oidc.entities.AccessToken ?? ctx.oidc.entities.ClientCredentials
    const federated = options.federated?.(ctx.req)
    record({
      tenantId: who.tenantId,
      action: grantType === 'refresh_token' ? 'token.refreshed' : 'token.issued',
      result: 'succeeded',
      actor: who.actor,
      target: {type: 'client', id: ctx.oidc.client?.clientId ?? 'unknown'},
      ...fromCtx(ctx),
      details: {
        grantType,
        clientId: ctx.oidc.client?.clientId,
        scope: token?.scope,
        refreshTokenIssued: Boolean(ctx.oidc.entities.RefreshToken),
        ...(federated ? {method: 'federated', federatedCredential: federated.credential, issuer: federated.issuer, subject: federated.subject} : {}),
      },
    })
  })

  options.provider.on('grant.error', (ctx: KoaContextWithOIDC, err: OIDCProviderError) => {
    const grantType = GRANT_TYPE_NAMES[String(ctx.oidc.params?.grant_type)] ?? String(ctx.oidc.params?.grant_type ?? 'unknown')
    const reason = err.error_detail ?? err.error_description ?? err.error
    if (err.error === 'invalid_client') {
      const clientId = ctx.oidc.client?.clientId
      const sp = clientId ? directory.findServicePrincipal(clientId) : undefined
      if (!sp) return // an unknown client has no tenant to audit in
      record({
        tenantId: sp.tenantId,
        action: 'client.auth_failed',
        result: 'failed',
        actor: {type: 'servicePrincipal', id: sp.clientId, appId: sp.clientId},
        target: {type: 'client', id: sp.clientId},
        ...fromCtx(ctx),
        details: {grantType, reason},
      })
      return
    }
    if (err.error === 'invalid_grant' && grantType === 'refresh_token') {
      const who = actorOf(ctx)
      if (!who) return
      record({
        tenantId: who.tenantId,
        action: 'token.refreshed',
        result: 'failed',
        actor: who.actor,
        target: {type: 'client', id: ctx.oidc.client?.clientId ?? 'unknown'},
        ...fromCtx(ctx),
        details: {grantType, reason},
      })
    }
  })

  options.provider.on('server_error', (_ctx: KoaContextWithOIDC, err: Error) => {
    log(`identity: server error: ${err.message}`)
  })

  return {
    signIn(req, {upn, user, ok, clientId, refusal}) {
      const tenantId = user?.tenantId ?? tenantOfUpn(directory, upn)
      if (!tenantId) return
      const ua = req.headers['user-agent']
      record({
        tenantId,
        action: 'signin',
        result: ok ? 'succeeded' : 'failed',
        actor: user ? {type: 'user', id: user.oid, upn: user.upn} : {type: 'anonymous', upn: upn.trim().slice(0, 256)},
        target: clientId ? {type: 'client', id: clientId} : undefined,
        clientIp: req.socket.remoteAddress,
        userAgent: typeof ua === 'string' ? ua : undefined,
        details: ok
          ? {method: 'password'}
          : refusal
            ? {method: 'password', reason: 'sign-in policy', rule: refusal.rule, description: refusal.description}
            : {method: 'password', reason: user ? 'wrong password' : 'unknown user'},
      })
    },
  }
}
