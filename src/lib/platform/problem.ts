// Turns a platform error answer (problem+json, or anything else) into a typed error with its exit code.
import {
  AuthRequiredError,
  ConflictError,
  ExitCode,
  NotFoundError,
  PermissionDeniedError,
  PpctlError,
  ThrottledError,
  UnreachableError,
  UsageError,
} from '../errors/index.js'
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
      return {code: 'MALFORMED_RESPONSE', detail: `the platform answered HTTP ${response.status} with JSON that does not parse`}
    }
  }
  if (/html/.test(type) || /^\s*</.test(text)) {
    const title = /<title>([^<]{1,120})<\/title>/i.exec(text)?.[1]
    return {code: 'UNEXPECTED_HTML', detail: `the platform answered HTTP ${response.status} with an HTML page${title ? ` ("${sanitizeOneLine(title)}")` : ''}, not an API answer — a proxy or a wrong URL?`}
  }
  return {detail: text ? sanitizeOneLine(text).slice(0, 200) : `HTTP ${response.status}`}
}

export function problemError(status: number, problem: Problem, what: string, headerCorrelationId?: string): PpctlError {
  const correlationId = (typeof problem.correlationId === 'string' ? problem.correlationId : undefined) ?? headerCorrelationId
  const detail = sanitizeOneLine(String(problem.detail ?? problem.title ?? `HTTP ${status}`))
  const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`
  const message = `${what} failed: ${detail}`
  const details = {correlationId}
  if (status === 400 || (status === 422 && code === 'VALIDATION_FAILED')) return new UsageError(code, message, {...details, nextStep: 'Check the values given; see the command help.'})
  if (status === 401) return new AuthRequiredError(code, message, {...details, nextStep: 'Sign in again: ppctl auth login'})
  if (status === 403) return new PermissionDeniedError(code, message, {...details, nextStep: 'Ask an administrator of the tenant for the role this needs.'})
  if (status === 404) return new NotFoundError(code, message, details)
  if ([409, 412, 422, 428].includes(status)) return new ConflictError(code, message, details)
  if (status === 421) return new UnreachableError(code, message, {...details, nextStep: 'The route changed; run the command again (the routing cache is refreshed).'})
  if (status === 429 || status >= 500) return new ThrottledError(code, message, {...details, nextStep: 'Try again in a minute.'})
  return new PpctlError(code, message, ExitCode.ERROR, details)
}
