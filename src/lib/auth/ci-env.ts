// CI mode: a certificate from the environment, tokens acquired in memory on demand, nothing written anywhere.
import type {Context} from '../context.js'
import {UsageError} from '../errors/index.js'
import {text} from '../output/render.js'
import {certificateGrant, loadClientCertificate} from './certificate-sign-in.js'
import {describeSource, federatedGrant, federatedSource, type FederatedSource} from './federated-token.js'
import {resourceFor} from './resource.js'
import {identityOf} from './token-response.js'

export interface CiCredentials {
  clientId: string
  tenant: string
  /** PPCTL_CERTIFICATE_PATH */
  certificatePath?: string
  /** PPCTL_CERTIFICATE: the PEM itself (certificate and key). */
  certificatePem?: string
  /** Workload identity federation: the CI system's token (PPCTL_FEDERATED_TOKEN_FILE, or asked of the CI system). */
  federated?: FederatedSource
}

/**
 * The CI credentials when PPCTL_CLIENT_ID, PPCTL_TENANT_ID and a certificate (path or PEM) are all set — or, without a
 * certificate, a federated token: PPCTL_FEDERATED_TOKEN_FILE, PPCTL_FEDERATED_PROVIDER, or (in CI) the variables of
 * GitHub Actions, Azure DevOps or GitLab; otherwise none.
 */
export function ciCredentialsFromEnv(env: NodeJS.ProcessEnv): CiCredentials | undefined {
  const clientId = env.PPCTL_CLIENT_ID
  const tenant = env.PPCTL_TENANT_ID
  const certificatePath = env.PPCTL_CERTIFICATE_PATH || undefined
  const certificatePem = env.PPCTL_CERTIFICATE || undefined
  if (!clientId || !tenant) return undefined
  if (certificatePath || certificatePem) return {clientId, tenant, certificatePath, certificatePem}
  const federated = federatedSource(env)
  return federated ? {clientId, tenant, federated} : undefined
}

export interface CiToken {
  token: string
  expiresAt: number
  clientId: string
  tenant: string
  tenantId?: string
  account?: string
  /** Certificate: its SHA-1 thumbprint. */
  thumbprint?: string
  /** Federation: where the token came from, for people. */
  federatedSource?: string
  authority: string
}

/**
 * An access token for the CI credentials, kept only in this process's memory. Not cached here: the context's
 * tokens() asks once per command run (see createTokens).
 */
export function acquireCiToken(ctx: Context, ci: CiCredentials): Promise<CiToken> {
  return acquire(ctx, ci)
}

async function acquire(ctx: Context, ci: CiCredentials): Promise<CiToken> {
  const {profile} = await ctx.activeProfile()
  const authority = profile.authority
  if (!authority) {
    throw new UsageError('AUTHORITY_REQUIRED', 'CI sign-in needs the identity provider: PPCTL_AUTHORITY is not set and the profile has no authority.', {
      nextStep: "Set PPCTL_AUTHORITY to the provider's issuer URL (https).",
    })
  }
  // What the token answer says, the same for both grants; `now` is taken before the request, so expiry is never late.
  const tokenOf = (res: Awaited<ReturnType<typeof certificateGrant>>, now: number) => {
    const who = identityOf(res)
    return {
      token: res.access_token,
      expiresAt: now + (typeof res.expires_in === 'number' ? res.expires_in : 3600) * 1000,
      clientId: ci.clientId,
      tenant: ci.tenant,
      tenantId: who.tenantId,
      account: who.account ?? ci.clientId,
      authority,
    }
  }
  if (ci.federated) {
    const now = ctx.clock.now()
    const res = await federatedGrant(ctx, {authority, clientId: ci.clientId, source: ci.federated, resource: resourceFor(profile)})
    return {...tokenOf(res, now), federatedSource: describeSource(ci.federated)}
  }
  const cert = await loadClientCertificate(ctx, ci.certificatePath ? {file: ci.certificatePath} : {pem: ci.certificatePem ?? '', name: 'PPCTL_CERTIFICATE'})
  for (const warning of cert.warnings) ctx.reporter.warn(text`Warning: ${warning}`)
  const now = ctx.clock.now()
  const res = await certificateGrant(ctx, {authority, clientId: ci.clientId, cert, resource: resourceFor(profile)})
  return {...tokenOf(res, now), thumbprint: cert.thumbprint}
}
