// `sandbox sp create`: a key and self-signed certificate (PEM, PFX), registered with the local platform.
import {createPrivateKey} from 'node:crypto'
import {join, resolve} from 'node:path'

import type {Context} from '../context.js'
import {writeFileAtomic} from '../config/atomic.js'
import {ConflictError, NotFoundError, UsageError, platformOrOwn} from '../errors/index.js'
import {controlRequest, requireRunning} from './lifecycle.js'

export interface CreateServicePrincipalOptions {
  dataDir: string
  tenant: string
  name: string
  outDir: string
  /** Protects the PFX; no PFX is written when undefined. */
  pfxPassword?: string
  days?: number
}

export interface ServicePrincipalResult {
  clientId: string
  tenantId: string
  name: string
  roles: string[]
  thumbprint: string
  thumbprintS256: string
  notAfter: string
  pemFile: string
  pfxFile?: string
}

const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/

export async function createServicePrincipal(_ctx: Context, options: CreateServicePrincipalOptions): Promise<ServicePrincipalResult> {
  if (!NAME.test(options.name)) {
    throw new UsageError('INVALID_NAME', `"${options.name}" is not a valid service principal name.`, {
      nextStep: 'Use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    })
  }
  const state = await requireRunning(options.dataDir)
  // eslint-disable-next-line no-restricted-syntax -- the service principal's certificate is made with the platform's own certificate helpers (no server code runs).
  const [{default: forge}, tls] = await Promise.all([import('node-forge'), import('../../sandbox/tls.js')])
  const outDir = resolve(options.outDir)
  const pemFile = join(outDir, `${options.name}.pem`)
  const pfxFile = options.pfxPassword === undefined ? undefined : join(outDir, `${options.name}.pfx`)
  const {existsSync} = await import('node:fs')
  for (const file of [pemFile, pfxFile]) {
    if (file && existsSync(file)) {
      throw new ConflictError('FILE_EXISTS', `${file} already exists; ppctl does not overwrite keys.`, {
        nextStep: 'Choose another --name or --out folder, or move the file away.',
      })
    }
  }

  const key = tls.rsaKeyPair()
  const cert = tls.issueCertificate({
    subjectCN: options.name,
    publicPem: key.publicPem,
    signerKeyPem: key.privatePem,
    days: options.days ?? 365,
    clientAuth: true,
  })
  const der = tls.certificateDer(cert)
  const {s256, sha1} = tls.thumbprints(der)
  const certPem = forge.pki.certificateToPem(cert)
  const jwk = tls.certificateJwk(key.publicPem, der)
  const notAfter = cert.validity.notAfter.toISOString()

  const {status, body} = await controlRequest<{clientId?: string; tenantId?: string; roles?: string[]; code?: string; message?: string}>(
    state.controlSocket,
    'POST',
    '/v1/service-principals',
    {tenant: options.tenant, name: options.name, jwk, thumbprintS256: s256, thumbprintSha1: sha1, notAfter},
  )
  if (status !== 201 || !body.clientId) {
    if (body.code === 'TENANT_NOT_FOUND')
      throw new NotFoundError(body.code, body.message ?? 'Unknown tenant.', {nextStep: 'Use --tenant contoso or --tenant fabrikam.'})
    throw platformOrOwn(body.code, 'REGISTRATION_FAILED', body.message ?? `The platform refused the registration (HTTP ${status}).`)
  }

  await writeFileAtomic(pemFile, certPem + key.privatePem, 0o600)
  if (pfxFile && options.pfxPassword !== undefined) {
    const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(pkcs1(key.privatePem)), [cert], options.pfxPassword, {
      algorithm: '3des',
      friendlyName: options.name,
    })
    await writeFileAtomic(pfxFile, Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'), 0o600)
  }
  return {
    clientId: body.clientId,
    tenantId: body.tenantId ?? '',
    name: options.name,
    roles: body.roles ?? [],
    thumbprint: sha1,
    thumbprintS256: s256,
    notAfter,
    pemFile,
    ...(pfxFile ? {pfxFile} : {}),
  }
}

/** forge reads PKCS#1 RSA keys; Node exports PKCS#8. */
function pkcs1(pem: string): string {
  return createPrivateKey(pem).export({type: 'pkcs1', format: 'pem'}).toString()
}
