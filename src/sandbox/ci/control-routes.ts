// The operator's control routes for federation: an SP's federated credentials, and test tokens of the CI issuer.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {AuditSink} from '../audit-sink.js'
import {readJsonObject} from '../body.js'
import type {Directory, FederatedCredential} from '../directory.js'
import {sendJson} from '../http-util.js'
import type {CiIssuer} from './issuer.js'

const CREDENTIALS = /^\/v1\/service-principals\/([^/]+)\/federated-credentials(?:\/([^/]+))?$/
const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/
/** The longest issuer, subject or audience accepted (Entra ID's limits are of this order). */
const MAX_VALUE = 600
/** Entra ID takes up to 20 federated credentials per application. */
const MAX_CREDENTIALS = 20

export interface FederationControlOptions {
  directory: Directory
  ciIssuer?: CiIssuer
  audit?: AuditSink
}

const fail = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, {code, message})

const isValue = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_VALUE && !/[\s\x00-\x1f\x7f]/.test(v)

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** True when it answered the request. */
export async function handleFederationControl(options: FederationControlOptions, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0]
  if (req.method === 'POST' && path === '/v1/ci-tokens' && options.ciIssuer) {
    const body = await readJsonObject(req)
    if (!isValue(body.subject) || !isValue(body.audience)) {
      fail(res, 400, 'INVALID_CI_TOKEN_REQUEST', 'A subject and an audience are required (no spaces, at most 600 characters).')
      return true
    }
    const lifetime = body.lifetimeSeconds
    if (lifetime !== undefined && (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < -86400 || lifetime > 3600 || lifetime === 0)) {
      fail(res, 400, 'INVALID_CI_TOKEN_REQUEST', 'lifetimeSeconds must be a whole number of seconds, -86400–3600, not 0.')
      return true
    }
    sendJson(res, 201, await options.ciIssuer.mint({subject: body.subject, audience: body.audience, lifetimeSeconds: lifetime}))
    return true
  }
  if (req.method === 'POST' && path === '/v1/ci-jobs' && options.ciIssuer) {
    const body = await readJsonObject(req)
    if (!isValue(body.subject)) {
      fail(res, 400, 'INVALID_CI_TOKEN_REQUEST', 'A subject is required (no spaces, at most 600 characters).')
      return true
    }
    sendJson(res, 201, options.ciIssuer.startJob(body.subject))
    return true
  }
  const match = CREDENTIALS.exec(path)
  if (!match) return false
  const clientId = decode(match[1])
  const name = match[2] === undefined ? undefined : decode(match[2])
  const sp = clientId ? options.directory.findServicePrincipal(clientId) : undefined
  if (!sp) {
    fail(res, 404, 'SERVICE_PRINCIPAL_NOT_FOUND', `No service principal with client id "${clientId ?? match[1]}".`)
    return true
  }
  const record = (action: string, details: Record<string, unknown>) =>
    options.audit?.record({
      tenantId: sp.tenantId,
      action,
      result: 'succeeded',
      actor: {type: 'system', id: 'sandbox-control'},
      target: {type: 'servicePrincipal', id: sp.clientId, displayName: sp.name},
      details,
    })
  if (req.method === 'GET' && name === undefined) {
    sendJson(res, 200, {clientId: sp.clientId, tenantId: sp.tenantId, name: sp.name, thumbprintS256: sp.thumbprintS256, items: sp.federatedCredentials ?? []})
    return true
  }
  if (name === undefined || !NAME.test(name)) {
    fail(res, 400, 'INVALID_NAME', 'A federated credential name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.')
    return true
  }
  if (req.method === 'PUT') {
    const body = await readJsonObject(req)
    const audiences = body.audiences
    if (!isValue(body.issuer) || !body.issuer.startsWith('https://')) {
      fail(
        res,
        400,
        'INVALID_FEDERATED_CREDENTIAL',
        "The issuer must be an https URL (the CI system's token issuer, e.g. https://token.actions.githubusercontent.com).",
      )
      return true
    }
    if (!isValue(body.subject)) {
      fail(res, 400, 'INVALID_FEDERATED_CREDENTIAL', 'The subject is required (e.g. repo:contoso/app:ref:refs/heads/main), without spaces.')
      return true
    }
    if (!Array.isArray(audiences) || audiences.length === 0 || audiences.length > 5 || !audiences.every(isValue)) {
      fail(res, 400, 'INVALID_FEDERATED_CREDENTIAL', 'One to five audiences are required, without spaces.')
      return true
    }
    const existing = sp.federatedCredentials ?? []
    if (!existing.some((c) => c.name === name) && existing.length >= MAX_CREDENTIALS) {
      fail(res, 409, 'TOO_MANY_FEDERATED_CREDENTIALS', `A service principal has at most ${MAX_CREDENTIALS} federated credentials; remove one first.`)
      return true
    }
    const credential: FederatedCredential = {
      name,
      issuer: body.issuer,
      subject: body.subject,
      audiences: [...new Set(audiences as string[])],
      createdAt: new Date().toISOString(),
    }
    const before = options.directory.putFederatedCredential(sp.clientId, credential)
    record(before ? 'servicePrincipal.federatedCredential.updated' : 'servicePrincipal.federatedCredential.added', {
      name,
      ...(before ? {before: {issuer: before.issuer, subject: before.subject, audiences: before.audiences}} : {}),
      after: {issuer: credential.issuer, subject: credential.subject, audiences: credential.audiences},
    })
    sendJson(res, before ? 200 : 201, {...credential, created: !before})
    return true
  }
  if (req.method === 'DELETE') {
    const removed = options.directory.removeFederatedCredential(sp.clientId, name)
    if (!removed) {
      fail(res, 404, 'FEDERATED_CREDENTIAL_NOT_FOUND', `Service principal ${sp.clientId} has no federated credential "${name}".`)
      return true
    }
    record('servicePrincipal.federatedCredential.removed', {name, before: {issuer: removed.issuer, subject: removed.subject, audiences: removed.audiences}})
    sendJson(res, 200, removed)
    return true
  }
  fail(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} ${path}`)
  return true
}
