// `auth doctor`: checks each piece a sign-in depends on — the federated token against the federated credentials, the
// certificate, the clock, the authority, the CA file, the proxy — with a verdict and a next step each. Never prints a token.
import {X509Certificate} from 'node:crypto'
import {readFile} from 'node:fs/promises'

import type {Context} from '../context.js'
import type {Profile} from '../config/store.js'
import {CODES, PpctlError, type ErrorCode, type ExitCodeValue, ExitCode} from '../errors/index.js'
import {proxyFor, proxySettingsFromEnv} from '../http/proxy-env.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import {ciCredentialsFromEnv} from './ci-env.js'
import {
  decodeFederatedToken,
  describeSource,
  federatedGrant,
  federatedSource,
  readFederatedToken,
  type FederatedClaims,
  type FederatedSource,
} from './federated-token.js'
import {typedErrorFrom} from './oauth-error.js'
import {resourceFor} from './resource.js'

/** More than this between this machine's clock and the platform's, and assertions, proofs and tokens start to fail. */
const MAX_SKEW_SECONDS = 60

export type Verdict = 'pass' | 'warn' | 'fail' | 'skip'

export interface DoctorCheck {
  /** authority, clock, ca-file, proxy, federated-token, federated-credential, certificate, sign-in */
  name: string
  verdict: Verdict
  message: string
  /** What to do about a failure or warning. */
  nextStep?: string
  /** The error code of a failure (the code table's; its exit code is the command's). */
  code?: string
}

export interface FederatedTokenSummary {
  source: string
  issuer: string | null
  subject: string | null
  audiences: string[]
  expiresAt: string | null
  expired: boolean
}

export interface DoctorReport {
  profile: string
  /** environment: the CI variables; profile: the stored sign-in. */
  mode: 'environment' | 'profile'
  method: 'federated' | 'certificate' | 'device-code' | 'browser' | null
  authority: string | null
  clientId: string | null
  /** The presented federated token's claims (never the token). */
  federatedToken?: FederatedTokenSummary
  checks: DoctorCheck[]
  /** True when no check failed. */
  ok: boolean
  /** The exit code of the first failed check (0 when none). */
  exitCode: ExitCodeValue
}

export interface DoctorOptions {
  /** The local platform's data folder, whose control socket lists the federated credentials (operator access). */
  dataDir?: string
  /** Federated: the token file (as for auth login). */
  federatedTokenFile?: string
  federatedProvider?: import('./federated-token.js').FederatedProviderName
  federatedAudience?: string
}

const fail = (name: string, code: ErrorCode | string, message: string, nextStep: string): DoctorCheck => ({name, verdict: 'fail', code, message, nextStep})
const fromError = (name: string, err: unknown, fallbackNext: string): DoctorCheck => {
  const e = typedErrorFrom(err) ?? (err instanceof PpctlError ? err : undefined)
  return fail(name, e?.code ?? 'UNEXPECTED', e ? e.message : sanitizeOneLine(String((err as Error)?.message ?? err)), e?.nextStep ?? fallbackNext)
}
const iso = (seconds: number | undefined) => (seconds === undefined ? null : new Date(seconds * 1000).toISOString())

export async function authDoctor(ctx: Context, options: DoctorOptions = {}): Promise<DoctorReport> {
  const {name, profile} = await ctx.activeProfile()
  const ci = ciCredentialsFromEnv(ctx.env)
  const explicitFederation = Boolean(options.federatedTokenFile || options.federatedProvider)
  const federation: FederatedSource | undefined = explicitFederation
    ? federatedSource(ctx.env, {provider: options.federatedProvider, file: options.federatedTokenFile, audience: options.federatedAudience})
    : (ci?.federated ??
      (profile.authMethod === 'federated' && profile.federatedProvider
        ? federatedSource(ctx.env, {provider: profile.federatedProvider, file: profile.federatedTokenFile, audience: profile.federatedAudience})
        : undefined))
  const method: DoctorReport['method'] = federation || explicitFederation ? 'federated' : ci ? 'certificate' : (profile.authMethod ?? null)
  const clientId = ci?.clientId ?? (explicitFederation ? (ctx.env.PPCTL_CLIENT_ID ?? profile.clientId) : profile.clientId) ?? null
  const report: DoctorReport = {
    profile: name,
    mode: ci && !explicitFederation ? 'environment' : 'profile',
    method,
    authority: profile.authority ?? null,
    clientId,
    checks: [],
    ok: true,
    exitCode: ExitCode.OK,
  }
  const add = (check: DoctorCheck) => report.checks.push(check)

  add(checkProxy(ctx.env, profile.authority))
  add(await checkCaFile(profile, ctx.clock.now()))
  const reachable = await checkAuthority(ctx, profile.authority)
  add(reachable.check)
  if (reachable.skewSeconds !== undefined) add(checkClock(reachable.skewSeconds))

  if (method === 'federated') {
    await checkFederation(ctx, report, {federation, clientId, profile, reachable: reachable.check.verdict === 'pass', dataDir: options.dataDir})
  } else if (method === 'certificate') {
    await checkCertificate(ctx, report, {ci, profile, clientId, dataDir: options.dataDir})
  } else if (method === null) {
    add(
      fail(
        'sign-in',
        'NOT_SIGNED_IN',
        `Profile "${name}" has no sign-in, and no CI variables are set.`,
        'ppctl auth login (or set PPCTL_CLIENT_ID, PPCTL_TENANT_ID and a certificate or a federated token)',
      ),
    )
  } else {
    add({name: 'sign-in', verdict: 'pass', message: `Signed in with ${method}; ppctl auth status --check asks the platform whether the sign-in is still good.`})
  }

  const failed = report.checks.find((c) => c.verdict === 'fail')
  report.ok = !failed
  report.exitCode = failed ? ((CODES as Record<string, {exit: ExitCodeValue}>)[failed.code ?? '']?.exit ?? ExitCode.ERROR) : ExitCode.OK
  return report
}

function checkProxy(env: NodeJS.ProcessEnv, authority: string | undefined): DoctorCheck {
  const settings = proxySettingsFromEnv(env)
  if (!settings) return {name: 'proxy', verdict: 'pass', message: 'No proxy is set (HTTPS_PROXY, HTTP_PROXY): connections go direct.'}
  let url: URL | undefined
  try {
    url = authority ? new URL(authority) : undefined
  } catch {
    url = undefined
  }
  const via = url ? proxyFor(url, settings) : settings.httpsProxy
  let shown = via ?? ''
  try {
    if (via) {
      const p = new URL(via)
      shown = `${p.protocol}//${p.host}${p.username ? ' (with credentials)' : ''}`
    }
  } catch {
    return fail('proxy', 'INVALID_ENVIRONMENT', 'The proxy variable (HTTPS_PROXY or HTTP_PROXY) is not a URL.', 'Set it to http://host:port, or unset it.')
  }
  return {
    name: 'proxy',
    verdict: 'pass',
    message: via
      ? `The authority is reached through the proxy ${shown}${settings.noProxy ? `; NO_PROXY is "${settings.noProxy}"` : ''}.`
      : `A proxy is set, but NO_PROXY ("${settings.noProxy}") sends the authority direct.`,
  }
}

async function checkCaFile(profile: Profile, now: number): Promise<DoctorCheck> {
  if (!profile.caFile) return {name: 'ca-file', verdict: 'pass', message: 'No extra CA file: the system CAs are trusted.'}
  let pem: string
  try {
    pem = await readFile(profile.caFile, 'utf8')
  } catch (err) {
    return fail(
      'ca-file',
      'CA_FILE_UNREADABLE',
      `The CA file ${profile.caFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      'Fix the path: ppctl config set ca-file FILE (or PPCTL_CA_FILE).',
    )
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  if (blocks.length === 0)
    return fail('ca-file', 'CA_FILE_UNREADABLE', `The CA file ${profile.caFile} holds no PEM certificate.`, 'Give a PEM file of CA certificates.')
  const expired = blocks.map((b) => new X509Certificate(b)).filter((c) => new Date(c.validTo).getTime() < now)
  if (expired.length > 0) {
    return {
      name: 'ca-file',
      verdict: 'warn',
      message: `${expired.length} of the ${blocks.length} certificates in ${profile.caFile} have expired (${expired.map((c) => sanitizeOneLine(c.subject.replace(/\n/g, ', '))).join('; ')}).`,
      nextStep: 'Replace them with the current CA certificates.',
    }
  }
  return {name: 'ca-file', verdict: 'pass', message: `${profile.caFile}: ${blocks.length} CA certificate${blocks.length === 1 ? '' : 's'}, none expired.`}
}

async function checkAuthority(ctx: Context, authority: string | undefined): Promise<{check: DoctorCheck; skewSeconds?: number}> {
  if (!authority) {
    return {
      check: fail(
        'authority',
        'AUTHORITY_REQUIRED',
        'No identity provider: the profile has no authority and PPCTL_AUTHORITY is not set.',
        "Set PPCTL_AUTHORITY to the provider's issuer URL (https).",
      ),
    }
  }
  const url = `${authority.replace(/\/$/, '')}/.well-known/openid-configuration`
  try {
    const before = ctx.clock.now()
    const res = await (await ctx.http()).fetch(url, {retries: false, headers: {accept: 'application/json'}, signal: AbortSignal.timeout(10_000)})
    const after = ctx.clock.now()
    const body = (await res.json().catch(() => undefined)) as {issuer?: unknown} | undefined
    if (!res.ok || !body)
      return {
        check: fail(
          'authority',
          'IDENTITY_ERROR',
          `${url} answered HTTP ${res.status} without a discovery document.`,
          'Check the authority: ppctl config get authority',
        ),
      }
    if (body.issuer !== authority.replace(/\/$/, '') && body.issuer !== authority) {
      return {
        check: fail(
          'authority',
          'IDENTITY_ERROR',
          `The discovery document names the issuer ${sanitizeOneLine(String(body.issuer))}, not ${authority}.`,
          'Set the authority to the issuer the provider names.',
        ),
      }
    }
    const date = Date.parse(res.headers.get('date') ?? '')
    // The Date header has a resolution of one second; the midpoint of the request stands for "now" here.
    const skewSeconds = Number.isNaN(date) ? undefined : Math.round(((before + after) / 2 - date) / 1000)
    return {check: {name: 'authority', verdict: 'pass', message: `${authority} answers its discovery document.`}, skewSeconds}
  } catch (err) {
    return {check: fromError('authority', err, 'Check the authority, the network, the CA file and the proxy.')}
  }
}

function checkClock(skewSeconds: number): DoctorCheck {
  const abs = Math.abs(skewSeconds)
  if (abs <= MAX_SKEW_SECONDS) return {name: 'clock', verdict: 'pass', message: `This machine's clock is within ${Math.max(abs, 1)} s of the platform's.`}
  return fail(
    'clock',
    'CLOCK_SKEW',
    `This machine's clock is ${abs} s ${skewSeconds > 0 ? 'ahead of' : 'behind'} the platform's (more than ${MAX_SKEW_SECONDS} s): tokens, assertions and DPoP proofs are refused as expired or not yet valid.`,
    'Synchronise the clock (NTP: timedatectl set-ntp true, or w32tm /resync).',
  )
}

async function credentialsOf(ctx: Context, dataDir: string | undefined, profile: Profile, clientId: string) {
  const dir = dataDir ?? ctx.env.PPCTL_SANDBOX_DIR ?? profile.sandboxDataDir
  if (!dir) return undefined
  const [{runningState}, {listFederatedCredentials}] = await Promise.all([import('../sandbox/lifecycle.js'), import('../sandbox/federation.js')])
  const state = await runningState(dir)
  // Only the platform the profile signs in to: another platform's credentials say nothing about this sign-in.
  if (!state || !profile.authority || state.urls.authority !== profile.authority.replace(/\/$/, '')) return undefined
  try {
    return await listFederatedCredentials(dir, clientId)
  } catch (err) {
    return err instanceof PpctlError ? err : undefined
  }
}

/** The first mismatch between the presented claims and the credentials, named exactly; undefined when one matches. */
function compareFederated(
  claims: FederatedClaims,
  credentials: ReadonlyArray<{name: string; issuer: string; subject: string; audiences: string[]}>,
): DoctorCheck {
  const name = 'federated-credential'
  if (credentials.length === 0) {
    return fail(
      name,
      'FEDERATION_REFUSED',
      'The service principal has no federated credentials.',
      'Add one: ppctl sandbox sp federate add --client-id ID --name NAME --issuer ISSUER --subject SUBJECT --audience AUD',
    )
  }
  const ofIssuer = credentials.filter((c) => c.issuer === claims.iss)
  if (ofIssuer.length === 0) {
    return fail(
      name,
      'FEDERATION_REFUSED',
      `The token's issuer is ${claims.iss ?? '(none)'}, which no federated credential registers (they expect ${[...new Set(credentials.map((c) => c.issuer))].join(' or ')}).`,
      'Register a federated credential for this issuer, or take the token from the CI system the credential names.',
    )
  }
  const ofSubject = ofIssuer.filter((c) => c.subject === claims.sub)
  if (ofSubject.length === 0) {
    const expected = ofIssuer.map((c) => `${c.subject} (${c.name})`).join(', or ')
    return fail(
      name,
      'FEDERATION_REFUSED',
      `The subject is ${claims.sub ?? '(none)'}, the credential expects ${expected}.`,
      'Run the pipeline on the branch, environment or event the credential names, or add a credential for this subject.',
    )
  }
  const match = ofSubject.find((c) => c.audiences.some((a) => claims.aud.includes(a)))
  if (!match) {
    const expected = [...new Set(ofSubject.flatMap((c) => c.audiences))].join(' or ')
    return fail(
      name,
      'FEDERATION_REFUSED',
      `The audience is ${claims.aud.join(', ') || '(none)'}, the credential expects ${expected}.`,
      `Ask the CI system for that audience (--federated-audience ${ofSubject[0].audiences[0]}, or PPCTL_FEDERATED_AUDIENCE), or add it to the credential.`,
    )
  }
  return {name, verdict: 'pass', message: `The token's issuer, subject and audience match the federated credential "${match.name}".`}
}

async function checkFederation(
  ctx: Context,
  report: DoctorReport,
  input: {federation: FederatedSource | undefined; clientId: string | null; profile: Profile; reachable: boolean; dataDir?: string},
): Promise<void> {
  const add = (check: DoctorCheck) => report.checks.push(check)
  const {federation, clientId} = input
  if (!federation) {
    add(
      fail(
        'federated-token',
        'FEDERATED_PROVIDER_UNAVAILABLE',
        'No federated token: no token file, and no GitHub Actions, Azure DevOps or GitLab variables.',
        'Set PPCTL_FEDERATED_TOKEN_FILE, or run in the CI system with the job allowed to ask for OIDC tokens.',
      ),
    )
    return
  }
  let token: string
  try {
    token = await readFederatedToken(ctx, federation)
  } catch (err) {
    add(fromError('federated-token', err, 'Check where the federated token comes from.'))
    return
  }
  let claims: FederatedClaims
  try {
    claims = await decodeFederatedToken(token)
  } catch {
    add(
      fail(
        'federated-token',
        'FEDERATED_TOKEN_INVALID',
        `The federated token from ${describeSource(federation)} cannot be decoded.`,
        'Give the OIDC token itself.',
      ),
    )
    return
  }
  const nowSeconds = ctx.clock.now() / 1000
  const expired = claims.exp !== undefined && claims.exp <= nowSeconds
  report.federatedToken = {
    source: describeSource(federation),
    issuer: claims.iss ?? null,
    subject: claims.sub ?? null,
    audiences: claims.aud,
    expiresAt: iso(claims.exp),
    expired,
  }
  if (expired) {
    add(
      fail(
        'federated-token',
        'FEDERATED_TOKEN_EXPIRED',
        `The federated token from ${describeSource(federation)} expired at ${iso(claims.exp)} (${Math.round(nowSeconds - (claims.exp ?? 0))} s ago).`,
        federation.kind === 'file'
          ? 'Write a fresh token into the file just before ppctl runs: CI tokens last minutes.'
          : 'Ask for a new token: run the step again.',
      ),
    )
  } else if (claims.nbf !== undefined && claims.nbf > nowSeconds + MAX_SKEW_SECONDS) {
    add(fail('federated-token', 'FEDERATION_REFUSED', `The federated token is not valid before ${iso(claims.nbf)}.`, "Check this machine's clock."))
  } else {
    add({
      name: 'federated-token',
      verdict: 'pass',
      message: `A token from ${describeSource(federation)}: issuer ${claims.iss ?? '(none)'}, subject ${claims.sub ?? '(none)'}, audience ${claims.aud.join(', ') || '(none)'}, expires ${iso(claims.exp) ?? 'never'}.`,
    })
  }
  if (!clientId) {
    add(
      fail(
        'federated-credential',
        'FEDERATION_FLAGS_REQUIRED',
        'No client id: the federated credentials cannot be named.',
        'Set PPCTL_CLIENT_ID (or pass --client-id to auth login).',
      ),
    )
    return
  }
  const registered = await credentialsOf(ctx, input.dataDir, input.profile, clientId)
  if (registered instanceof PpctlError) {
    add(fail('federated-credential', registered.code, registered.message, registered.nextStep ?? 'Check the client id.'))
  } else if (registered) {
    add(compareFederated(claims, registered.items))
  } else {
    add({
      name: 'federated-credential',
      verdict: 'skip',
      message: "The service principal's federated credentials cannot be read from here (an administrator's view).",
      nextStep: `Compare the claims above with them: ppctl sandbox sp federate list --client-id ${clientId} (or your platform's admin view).`,
    })
  }
  // An expired token would only be refused again (ppctl does not even send it).
  if (!input.reachable || !input.profile.authority || expired) return
  // The identity provider's own verdict, with what it says did not match (it names the field, not the registered value).
  try {
    await federatedGrant(ctx, {authority: input.profile.authority, clientId, source: federation, resource: resourceFor(input.profile)})
    add({name: 'sign-in', verdict: 'pass', message: `The identity provider exchanges the token for an access token of ${clientId}.`})
  } catch (err) {
    const check = fromError('sign-in', err, 'See the checks above.')
    // The sign-in's own next step sends people here: say instead where the answer is.
    if (check.code === 'FEDERATION_REFUSED')
      check.nextStep = 'The identity provider names the claim that did not match; the federated-credential check shows the expected value where it can be read.'
    add(check)
  }
}

async function checkCertificate(
  ctx: Context,
  report: DoctorReport,
  input: {ci: ReturnType<typeof ciCredentialsFromEnv>; profile: Profile; clientId: string | null; dataDir?: string},
): Promise<void> {
  const add = (check: DoctorCheck) => report.checks.push(check)
  const source: {file: string} | {pem: string; name: string} | undefined = input.ci?.certificatePath
    ? {file: input.ci.certificatePath}
    : input.ci?.certificatePem
      ? {pem: input.ci.certificatePem, name: 'PPCTL_CERTIFICATE'}
      : input.profile.certificatePath
        ? {file: input.profile.certificatePath}
        : undefined
  if (!source) {
    add(
      fail(
        'certificate',
        'CERTIFICATE_UNREADABLE',
        'No certificate: PPCTL_CERTIFICATE_PATH, PPCTL_CERTIFICATE and the profile name none.',
        'Set PPCTL_CERTIFICATE_PATH, or sign in with --certificate FILE.',
      ),
    )
    return
  }
  const {loadCertificateFile, loadCertificatePem} = await import('./certificate.js')
  // Only the password from the environment: the doctor never prompts.
  const password = async () => {
    const value = ctx.env.PPCTL_CERTIFICATE_PASSWORD
    if (!value)
      throw new PpctlError('CERTIFICATE_PASSWORD_REQUIRED', 'The certificate is encrypted and PPCTL_CERTIFICATE_PASSWORD is not set.', {
        nextStep: 'Set PPCTL_CERTIFICATE_PASSWORD.',
      })
    return value
  }
  let cert: Awaited<ReturnType<typeof loadCertificateFile>>
  try {
    const opts = {password, now: ctx.clock.now()}
    cert = 'file' in source ? await loadCertificateFile(source.file, opts) : await loadCertificatePem(source.pem, source.name, opts)
  } catch (err) {
    add(fromError('certificate', err, 'Check the certificate file and its password.'))
    return
  }
  const daysLeft = Math.floor((cert.notAfter.getTime() - ctx.clock.now()) / 86_400_000)
  add({
    name: 'certificate',
    verdict: daysLeft < 14 ? 'warn' : 'pass',
    message: `${cert.source}: thumbprint ${cert.thumbprint}, valid until ${cert.notAfter.toISOString()} (${daysLeft} days).`,
    ...(daysLeft < 14 ? {nextStep: 'Renew the certificate and register the new one before it expires.'} : {}),
  })
  if (!input.clientId) return
  const registered = await credentialsOf(ctx, input.dataDir, input.profile, input.clientId)
  if (registered && !(registered instanceof PpctlError) && registered.thumbprintS256) {
    add(
      registered.thumbprintS256 === cert.thumbprintS256
        ? {name: 'registered-certificate', verdict: 'pass', message: `It is the certificate registered for ${input.clientId}.`}
        : fail(
            'registered-certificate',
            'CLIENT_AUTH_FAILED',
            `It is not the certificate registered for ${input.clientId} (x5t#S256 ${cert.thumbprintS256}, registered ${registered.thumbprintS256}).`,
            'Use the certificate registered for this client id, or register this one.',
          ),
    )
  }
}
