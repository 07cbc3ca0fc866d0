// The gateway: the platform's only listener. Routes by Host, validates tokens, rate-limits, logs without secrets.
import type {IncomingMessage, ServerResponse} from 'node:http'

import {answerUnexpected, correlationIdOf, hostOf, newTraceId, sendJson, sendProblem, targetOf, type Problem, type RequestContext} from '../http-util.js'
import {findRoute, satisfies, type RouteSpec} from '../route-spec.js'
import type {RateLimit} from './rate-limit.js'
import {createRateLimiter} from './rate-limit.js'
import {dpopChallenge, type ProofRequest} from './dpop-proof.js'
import {TokenRejected, type Principal} from './verify-token.js'

export const BASE_DOMAIN = 'sandbox.localhost'

/** The problem codes of DPoP refusals; every other 401 is UNAUTHENTICATED. */
const DPOP_PROBLEM_CODES: Partial<Record<string, string>> = {invalid_dpop_proof: 'INVALID_DPOP_PROOF', use_dpop_nonce: 'USE_DPOP_NONCE'}

/** What the gateway answers itself, on the bare domain (HEAD too): its health, without a token. */
export const GATEWAY_ROUTES: readonly RouteSpec[] = [{method: 'GET', path: '/healthz', role: 'anonymous'}]

export type ServiceHandler = (req: IncomingMessage, res: ServerResponse, rc: RequestContext, principal: Principal) => void | Promise<void>
export type ClusterHandler = (clusterId: string, req: IncomingMessage, res: ServerResponse, rc: RequestContext, principal: Principal) => void | Promise<void>

export interface RequestLogEntry {
  time: string
  method: string
  host: string
  path: string
  status: number
  ms: number
  correlationId: string
  tenantId?: string
  subject?: string
  clientIp?: string
}

export interface GatewayOptions {
  identity: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>
  /** The CI token issuer (`ci.` host): a stand-in for GitHub Actions' token service, federation's external issuer. */
  ciIssuer?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>
  global: ServiceHandler
  cluster: ClusterHandler
  clusterIds: readonly string[]
  verify: (authorization: string | undefined, request?: ProofRequest) => Promise<Principal>
  rateLimit: RateLimit
  health: () => unknown
  requestLog: (entry: RequestLogEntry) => void
  /** Injected faults of cluster hosts (`ppctl sandbox fault`): true when the fault answered or dropped the request. */
  fault?: (clusterId: string, req: IncomingMessage, res: ServerResponse, rc: RequestContext) => boolean | Promise<boolean>
  /** Called for every refused request (401, 429) so it can be audited. */
  onRefused?: (rc: RequestContext, req: IncomingMessage, status: number, reason: string, principal?: Principal) => void
  /** The IP firewall: after the token is verified, the refusal to answer instead (403 IP_BLOCKED), or undefined to go on. */
  admit?: (req: IncomingMessage, rc: RequestContext, principal: Principal) => Problem | undefined
}

export function createGateway(options: GatewayOptions) {
  const allow = createRateLimiter(options.rateLimit)
  const clusterSuffix = `.clusters.${BASE_DOMAIN}`

  const authenticate = async (req: IncomingMessage, res: ServerResponse, rc: RequestContext, seen: {principal?: Principal}) => {
    let principal: Principal
    try {
      principal = await options.verify(req.headers.authorization, {
        method: req.method ?? 'GET',
        url: `https://${req.headers.host}${req.url}`,
        dpop: req.headers.dpop,
      })
    } catch (err) {
      const rejected = err instanceof TokenRejected ? err : new TokenRejected('invalid_token', 'the token is not valid')
      const challenge = rejected.dpop
        ? dpopChallenge(rejected.error, rejected.description)
        : req.headers.authorization
          ? `Bearer realm="${BASE_DOMAIN}", error="${rejected.error}", error_description="${rejected.description.replace(/["\\]/g, '\\$&')}"`
          : `Bearer realm="${BASE_DOMAIN}"`
      // A nonce challenge is the protocol's normal first step for a DPoP client, not a refused credential: not audited.
      if (rejected.error !== 'use_dpop_nonce') options.onRefused?.(rc, req, 401, rejected.description)
      sendProblem(
        res,
        rc,
        {
          status: 401,
          code: rejected.code ?? DPOP_PROBLEM_CODES[rejected.error] ?? 'UNAUTHENTICATED',
          title: 'Authentication required',
          detail: rejected.description,
        },
        {
          'www-authenticate': challenge,
          ...(rejected.dpop?.nonce ? {'dpop-nonce': rejected.dpop.nonce} : {}),
        },
      )
      return undefined
    }
    seen.principal = principal
    const decision = allow(principal.rateKey)
    if (!decision.allowed) {
      options.onRefused?.(rc, req, 429, 'rate limit', principal)
      sendProblem(
        res,
        rc,
        {status: 429, code: 'RATE_LIMITED', title: 'Too many requests', detail: `Retry after ${decision.retryAfterSeconds} s.`},
        {'retry-after': String(decision.retryAfterSeconds)},
      )
      return undefined
    }
    const refusal = options.admit?.(req, rc, principal)
    if (refusal) {
      sendProblem(res, rc, refusal)
      return undefined
    }
    return principal
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint()
    const rc: RequestContext = {correlationId: correlationIdOf(req), traceId: newTraceId()}
    res.setHeader('x-correlation-id', rc.correlationId)
    const host = hostOf(req)
    const seen: {principal?: Principal} = {}
    // Taken now: by the time the response finishes, the socket may be gone (a client that left, a body refused).
    const method = req.method ?? 'GET'
    const path = (req.url ?? '/').split('?')[0]
    const clientIp = req.socket?.remoteAddress
    res.on('finish', () => {
      try {
        options.requestLog({
          time: new Date().toISOString(),
          method,
          host,
          path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          correlationId: rc.correlationId,
          tenantId: seen.principal?.tenantId,
          subject: seen.principal?.subject,
          clientIp,
        })
      } catch (err) {
        process.stderr.write(`gateway: request log failed trace=${rc.traceId}: ${(err as Error).message}\n`)
      }
    })
    try {
      if (!targetOf(req)) {
        sendProblem(res, rc, {
          status: 400,
          code: 'INVALID_REQUEST_TARGET',
          title: 'The request target is not a valid path',
          detail: 'Send an origin-form target such as /v1/health.',
        })
        return
      }
      if (host === `login.${BASE_DOMAIN}`) {
        await options.identity(req, res)
        return
      }
      if (host === `ci.${BASE_DOMAIN}` && options.ciIssuer) {
        await options.ciIssuer(req, res)
        return
      }
      const own =
        host === BASE_DOMAIN || host === 'localhost' || host === '127.0.0.1'
          ? findRoute(GATEWAY_ROUTES, req.method ?? 'GET', req.url ?? '/', {head: true})
          : undefined
      if (own?.route) {
        // The gateway's own routes are served as their table entry says: /healthz needs no token.
        const principal = own.route.role === 'anonymous' ? undefined : await authenticate(req, res, rc, seen)
        if (own.route.role !== 'anonymous' && !principal) return
        if (!satisfies(own.route.role, principal?.roles)) {
          sendProblem(res, rc, {
            status: 403,
            code: 'ROLE_FORBIDDEN',
            title: 'Your role does not allow this',
            detail: `${req.method} ${req.url} needs ${own.route.role}.`,
          })
          return
        }
        sendJson(res, 200, options.health(), {'cache-control': 'no-store'})
        return
      }
      if (own && own.allowed.length > 0) {
        sendProblem(
          res,
          rc,
          {status: 405, code: 'METHOD_NOT_ALLOWED', title: 'Method not allowed', detail: `${req.method} ${req.url}; it takes ${own.allowed.join(', ')}.`},
          {allow: own.allowed.join(', ')},
        )
        return
      }
      if (host === `global.${BASE_DOMAIN}`) {
        const principal = await authenticate(req, res, rc, seen)
        if (principal) await options.global(req, res, rc, principal)
        return
      }
      if (host.endsWith(clusterSuffix)) {
        const clusterId = host.slice(0, -clusterSuffix.length)
        if (options.clusterIds.includes(clusterId)) {
          // Before authentication: a cluster that is down or overloaded fails whoever calls it.
          if (options.fault && (await options.fault(clusterId, req, res, rc))) return
          const principal = await authenticate(req, res, rc, seen)
          // Awaited so that a failure of the service is this request's 500, not the process's unhandled rejection.
          if (principal) await options.cluster(clusterId, req, res, rc, principal)
          return
        }
      }
      sendProblem(res, rc, {
        status: 421,
        code: 'UNKNOWN_HOST',
        title: 'This listener does not serve that host',
        detail: `Known hosts: login.${BASE_DOMAIN}, global.${BASE_DOMAIN}, ci.${BASE_DOMAIN}, <cluster>${clusterSuffix}.`,
      })
    } catch (err) {
      answerUnexpected(res, rc, err, 'gateway')
    }
  }
}
