// `sandbox sp federate …` and `sandbox ci-token`: a service principal's federated credentials, and the local CI issuer's test tokens.
import {NotFoundError, UsageError, platformOrOwn} from '../errors/index.js'
import {controlRequest, requireRunning} from './lifecycle.js'

export interface FederatedCredentialRecord {
  name: string
  issuer: string
  subject: string
  audiences: string[]
  createdAt: string
}

export interface FederatedCredentialList {
  clientId: string
  tenantId: string
  name: string
  /** x5t#S256 of the registered certificate. */
  thumbprintS256?: string
  items: FederatedCredentialRecord[]
}

/** The local platform's CI token issuer: the `ci.` host of its gateway. */
function localCiIssuer(gatewayUrl: string): string {
  const url = new URL(gatewayUrl)
  return `https://ci.${url.host}`
}

type Problem = {code?: string; message?: string}

function refused(status: number, body: Problem, what: string): Error {
  if (status === 404)
    return new NotFoundError(
      body.code === 'FEDERATED_CREDENTIAL_NOT_FOUND' ? 'FEDERATED_CREDENTIAL_NOT_FOUND' : 'SERVICE_PRINCIPAL_NOT_FOUND',
      body.message ?? `${what}: not found.`,
      {
        nextStep:
          body.code === 'FEDERATED_CREDENTIAL_NOT_FOUND' ? 'See them: ppctl sandbox sp federate list --client-id ID' : 'Create one: ppctl sandbox sp create',
      },
    )
  if (status === 400)
    return new UsageError('USAGE', body.message ?? `${what}: the platform refused the request.`, {
      nextStep: 'Check the flags: ppctl sandbox sp federate add --help',
    })
  return platformOrOwn(body.code, 'REGISTRATION_FAILED', body.message ?? `${what}: the platform answered HTTP ${status}.`)
}

export async function listFederatedCredentials(dataDir: string, clientId: string): Promise<FederatedCredentialList> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<FederatedCredentialList & Problem>(
    state.controlSocket,
    'GET',
    `/v1/service-principals/${encodeURIComponent(clientId)}/federated-credentials`,
  )
  if (status !== 200) throw refused(status, body, 'Listing federated credentials')
  return {clientId: body.clientId, tenantId: body.tenantId, name: body.name, thumbprintS256: body.thumbprintS256, items: body.items}
}

export interface AddFederatedCredentialOptions {
  clientId: string
  name: string
  /** Default: the local platform's CI token issuer. */
  issuer?: string
  subject: string
  audiences: string[]
}

export async function addFederatedCredential(
  dataDir: string,
  options: AddFederatedCredentialOptions,
): Promise<FederatedCredentialRecord & {clientId: string; created: boolean}> {
  const state = await requireRunning(dataDir)
  const issuer = options.issuer ?? localCiIssuer(state.urls.gateway)
  const {status, body} = await controlRequest<FederatedCredentialRecord & Problem & {created: boolean}>(
    state.controlSocket,
    'PUT',
    `/v1/service-principals/${encodeURIComponent(options.clientId)}/federated-credentials/${encodeURIComponent(options.name)}`,
    {issuer, subject: options.subject, audiences: options.audiences},
  )
  if (status !== 200 && status !== 201) throw refused(status, body, 'Adding the federated credential')
  return {
    clientId: options.clientId,
    name: body.name,
    issuer: body.issuer,
    subject: body.subject,
    audiences: body.audiences,
    createdAt: body.createdAt,
    created: body.created,
  }
}

export async function removeFederatedCredential(dataDir: string, clientId: string, name: string): Promise<FederatedCredentialRecord & {clientId: string}> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<FederatedCredentialRecord & Problem>(
    state.controlSocket,
    'DELETE',
    `/v1/service-principals/${encodeURIComponent(clientId)}/federated-credentials/${encodeURIComponent(name)}`,
  )
  if (status !== 200) throw refused(status, body, 'Removing the federated credential')
  return {clientId, name: body.name, issuer: body.issuer, subject: body.subject, audiences: body.audiences, createdAt: body.createdAt}
}

export interface CiTokenResult {
  token: string
  issuer: string
  subject: string
  audience: string
  expiresAt: string
}

export async function mintCiToken(dataDir: string, options: {subject: string; audience: string; lifetimeSeconds?: number}): Promise<CiTokenResult> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<CiTokenResult & Problem>(state.controlSocket, 'POST', '/v1/ci-tokens', options)
  if (status !== 201) throw refused(status, body, 'Minting a CI token')
  return {token: body.token, issuer: body.issuer, subject: body.subject, audience: body.audience, expiresAt: body.expiresAt}
}

export interface CiJobResult {
  issuer: string
  subject: string
  requestUrl: string
  requestToken: string
  azureDevOpsRequestUri: string
  expiresAt: string
}

export async function startCiJob(dataDir: string, subject: string): Promise<CiJobResult> {
  const state = await requireRunning(dataDir)
  const {status, body} = await controlRequest<CiJobResult & Problem>(state.controlSocket, 'POST', '/v1/ci-jobs', {subject})
  if (status !== 201) throw refused(status, body, 'Starting a CI job')
  return {
    issuer: body.issuer,
    subject: body.subject,
    requestUrl: body.requestUrl,
    requestToken: body.requestToken,
    azureDevOpsRequestUri: body.azureDevOpsRequestUri,
    expiresAt: body.expiresAt,
  }
}
