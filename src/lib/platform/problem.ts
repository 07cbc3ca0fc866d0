// Turns a platform error answer (problem+json, or anything else) into a typed error with its exit code.
import {ExitCode, PlatformProblemError, type ExitCodeValue} from '../errors/index.js'
import {SUPPORT_CAN} from '../routing/resolve-home.js'
import type {HomeRoute} from '../routing/types.js'
import {sanitizeOneLine} from '../output/sanitize.js'

export interface Problem {
  code?: string
  title?: string
  detail?: string
  correlationId?: string
  [key: string]: unknown
}

/** Reads the body of an error answer: problem+json when it is one, otherwise a short, safe description. */
export async function readProblem(response: Response): Promise<Problem> {
  const type = response.headers.get('content-type') ?? ''
  const text = await response.text().catch(() => '')
  if (/json/.test(type)) {
    try {
      const parsed = JSON.parse(text) as Problem
      if (parsed && typeof parsed === 'object') return parsed
    } catch {
      return {code: 'MALFORMED_PROBLEM', detail: `the platform answered HTTP ${response.status} with JSON that does not parse`}
    }
  }
  if (/html/.test(type) || /^\s*</.test(text)) {
    const title = /<title>([^<]{1,120})<\/title>/i.exec(text)?.[1]
    return {
      code: 'UNEXPECTED_HTML',
      detail: `the platform answered HTTP ${response.status} with an HTML page${title ? ` ("${sanitizeOneLine(title)}")` : ''}, not an API answer — a proxy or a wrong URL?`,
    }
  }
  return {detail: text ? sanitizeOneLine(text).slice(0, 200) : `HTTP ${response.status}`}
}

/** The exit code of a platform error answer, from its HTTP status: the platform's codes are its own vocabulary, not the client's table. */
function problemExitCode(status: number, code: string): ExitCodeValue {
  if (status === 400 || (status === 422 && code === 'VALIDATION_FAILED')) return ExitCode.USAGE
  if (status === 401) return ExitCode.AUTH_REQUIRED
  if (status === 403) return ExitCode.PERMISSION_DENIED
  if (status === 404) return ExitCode.NOT_FOUND
  // 423: the tenant is locked (its data key): a state to change, like a conflict.
  if ([409, 412, 422, 423, 428].includes(status)) return ExitCode.CONFLICT
  if (status === 421) return ExitCode.UNREACHABLE
  if (status === 429 || status >= 500) return ExitCode.THROTTLED
  return ExitCode.ERROR
}

const NEXT_STEP: Partial<Record<ExitCodeValue, string>> = {
  [ExitCode.USAGE]: 'Check the values given; see the command help.',
  [ExitCode.AUTH_REQUIRED]: 'Sign in again: ppctl auth login',
  [ExitCode.PERMISSION_DENIED]: 'Ask an administrator of the tenant for the role this needs.',
  [ExitCode.UNREACHABLE]: 'The route changed; run the command again (the routing cache is refreshed).',
  [ExitCode.THROTTLED]: 'Try again in a minute.',
}

/** Platform codes whose way out is not the generic one of their exit code. */
const NEXT_STEP_BY_CODE: Partial<Record<string, string>> = {
  // Support is refused tenant data by design: no role to ask for, but routes and health to read.
  TENANT_DATA_FORBIDDEN: SUPPORT_CAN,
  // Refreshing cannot help: the sign-in sessions were ended too (an administrator, or a sign-out).
  SESSION_REVOKED: 'Your session was revoked (by an administrator, or by signing out); sign in again: ppctl auth login',
  // A proof is valid for 60 s around the platform's clock: a wrong clock here fails every request, and a new sign-in would not help.
  INVALID_DPOP_PROOF: "Check this machine's clock (a DPoP-proof is valid for 60 s); if it is right, sign in again: ppctl auth login --dpop",
  USE_DPOP_NONCE: 'Run the command again; if it keeps failing, report it with the correlation id.',
  // The tenant's data key is locked: nothing of it can be read until an Admin gives the key back.
  TENANT_LOCKED: "The whole tenant is offline until an Admin unlocks its key: ppctl keys unlock (ppctl keys status shows the key's state).",
  // The IP firewall: a role would not help; another network, or an admin adding the address, would.
  IP_BLOCKED:
    'Connect from an allowed network, or ask an administrator of the tenant to allow your address (ppctl firewall test --ip <address> explains the decision; ppctl firewall set changes the ranges).',
  TENANT_ISOLATION:
    'Use a connection of an account of this tenant, or have an administrator allow the partner tenant (ppctl isolation report shows what crosses; ppctl isolation set --allow TENANT:outbound; the partner must allow this tenant inbound).',
  FIREWALL_SELF_LOCKOUT: 'Add your address to the ranges, roll out with --audit-only first, or run again with --force to apply it anyway.',
}

/**
 * A 404 for something the person named: "No connector "nope" in contoso.", with where to look. The platform's code
 * stays the error's code (scripts keep matching it); the tenant is named as the route knows it.
 */
export function notFoundError(
  code: string,
  hint: {kind: string; id: string; nextStep: string},
  route: HomeRoute,
  correlationId?: string,
): PlatformProblemError {
  const tenant = route.tenantName ?? route.tenantId
  return new PlatformProblemError(code, ExitCode.NOT_FOUND, `No ${hint.kind} "${sanitizeOneLine(hint.id)}" in ${sanitizeOneLine(tenant)}.`, {
    correlationId,
    status: 404,
    nextStep: hint.nextStep,
  })
}

/** A platform error answer as an error carrying the platform's code (HTTP_<status> when it named none). */
export function problemError(status: number, problem: Problem, what: string, headerCorrelationId?: string): PlatformProblemError {
  const correlationId = (typeof problem.correlationId === 'string' ? problem.correlationId : undefined) ?? headerCorrelationId
  const detail = sanitizeOneLine(String(problem.detail ?? problem.title ?? `HTTP ${status}`))
  const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`
  const exitCode = problemExitCode(status, code)
  return new PlatformProblemError(code, exitCode, `${what} failed: ${detail}`, {
    correlationId,
    status,
    nextStep: NEXT_STEP_BY_CODE[code] ?? NEXT_STEP[exitCode],
  })
}
