// Client credentials with a certificate: load it, discover the provider, and get an access token with a signed assertion.
import type {TokenEndpointResponse} from 'openid-client'

import type {Context} from '../context.js'
import type {Http} from '../http/types.js'
import {readSecret} from '../io/read-secret.js'
import {loadCertificateFile, loadCertificatePem, type ClientCertificate} from './certificate.js'
import {certificateClientAuth, chooseAssertionAlg} from './client-assertion.js'
import {discover} from './discovery.js'
import {tokenEndpointDpop, type DpopKey} from './dpop.js'
import {toAuthError} from './oauth-error.js'

/** PPCTL_CERTIFICATE_PASSWORD, else a hidden prompt at a terminal, else stdin: never a flag. */
function certificatePassword(ctx: Context): () => Promise<string> {
  return async () => {
    const fromEnv = ctx.env.PPCTL_CERTIFICATE_PASSWORD
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv
    return readSecret(ctx, 'Certificate password', 'set PPCTL_CERTIFICATE_PASSWORD or pipe the password on stdin')
  }
}

export type CertificateSource = {file: string} | {pem: string; name: string}

export async function loadClientCertificate(ctx: Context, source: CertificateSource): Promise<ClientCertificate> {
  const options = {password: certificatePassword(ctx), now: ctx.clock.now()}
  return 'file' in source ? loadCertificateFile(source.file, options) : loadCertificatePem(source.pem, source.name, options)
}

export interface CertificateGrantOptions {
  authority: string
  clientId: string
  cert: ClientCertificate
  resource?: string
  /** The HTTP stack to reach the provider with (a profile being created brings its own CA); the context's by default. */
  http?: Http
  /** Bind the token to this DPoP key. */
  dpop?: DpopKey
}

export async function certificateGrant(ctx: Context, options: CertificateGrantOptions): Promise<TokenEndpointResponse> {
  const client = await import('openid-client')
  const {cert} = options
  const auth = certificateClientAuth(cert, undefined, ctx.clock)
  const config = await discover(ctx, {authority: options.authority, clientId: options.clientId, clientAuth: auth, http: options.http})
  // Decided now, so an unusable key is reported before any request; the hook signs with it.
  chooseAssertionAlg(config.serverMetadata(), cert)
  try {
    const dpop = options.dpop ? await tokenEndpointDpop(config, options.dpop) : undefined
    return await client.clientCredentialsGrant(config, options.resource ? {resource: options.resource} : {}, dpop)
  } catch (err) {
    throw toAuthError(err, `Sign-in with the certificate ${cert.thumbprint}`)
  }
}
