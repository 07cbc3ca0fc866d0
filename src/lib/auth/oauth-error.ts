// Turns what openid-client throws (OAuth error responses, network failures, bad metadata) into typed ppctl errors.
import {AuthRequiredError, PermissionDeniedError, PpctlError} from '../errors/index.js'
import {ppctlErrorFrom} from '../http/custom-fetch.js'
import {redactText} from '../output/redact.js'
import {sanitizeOneLine} from '../output/sanitize.js'

export const SIGN_IN_AGAIN = 'sign in again: ppctl auth login'

/** The OAuth `error` code of an error response (openid-client's ResponseBodyError), if that is what `err` is. */
export function oauthErrorCode(err: unknown): string | undefined {
  const e = err as {code?: unknown; error?: unknown}
  return e?.code === 'OAUTH_RESPONSE_BODY_ERROR' && typeof e.error === 'string' ? e.error : undefined
}

/**
 * A refusal by the tenant's sign-in policy (the identity's access_denied says so in its description): the error to
 * show, naming the policy and what to use instead; undefined for any other access_denied (the user declined).
 */
export function signInPolicyRefusal(err: unknown): PermissionDeniedError | undefined {
  const text = (err as {error_description?: unknown}).error_description
  if (typeof text !== 'string' || !/sign-in policy/i.test(text)) return undefined
  const said = sanitizeOneLine(redactText(text)).slice(0, 300)
  const device = /device-code sign-in is blocked/i.test(text)
  return new PermissionDeniedError('SIGNIN_POLICY_REFUSED', `The sign-in was refused by the tenant's sign-in policy: ${said}`, {
    nextStep: device
      ? 'Sign in in a browser instead: ppctl auth login --web   (a service principal: ppctl auth login --certificate <file> --client-id <id> --tenant <tenant>)'
      : 'Sign in from a network the policy allows, or ask an administrator of the tenant (ppctl signin-policy show).',
  })
}

function description(err: unknown): string {
  const text = (err as {error_description?: unknown}).error_description
  return typeof text === 'string' && text ? `: ${sanitizeOneLine(redactText(text)).slice(0, 200)}` : ''
}

/**
 * The typed ppctl error inside what openid-client threw (it wraps fetch failures), found by its shape as well as by class:
 * a module loaded twice (a test runner's dynamic and static imports) has two PpctlError classes.
 */
export function typedErrorFrom(err: unknown): PpctlError | undefined {
  const byClass = ppctlErrorFrom(err)
  if (byClass) return byClass
  let current: unknown = err
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const c = current as {code?: unknown; exitCode?: unknown; toJSON?: unknown; cause?: unknown}
    if (typeof c.code === 'string' && typeof c.exitCode === 'number' && typeof c.toJSON === 'function') return current as PpctlError
    current = c.cause
  }
  return undefined
}

/** A typed error for a failed request to the identity provider; `what` says which request ("Sign-in", "Token refresh"). */
export function toAuthError(err: unknown, what: string): PpctlError {
  const typed = typedErrorFrom(err)
  if (typed) return typed
  const oauth = oauthErrorCode(err)
  if (oauth === 'invalid_grant') {
    return new AuthRequiredError('SESSION_EXPIRED', `${what} failed: the sign-in has expired or was revoked (invalid_grant).`, {nextStep: SIGN_IN_AGAIN})
  }
  if (oauth === 'invalid_client' || oauth === 'unauthorized_client') {
    return new AuthRequiredError('CLIENT_AUTH_FAILED', `${what} failed: the identity provider did not accept the client (${oauth}${description(err)}).`, {
      nextStep: 'Check the client id and that the certificate is the one registered for it.',
    })
  }
  if (oauth) {
    return new PpctlError('IDENTITY_ERROR', `${what} failed: the identity provider answered ${oauth}${description(err)}.`, {
      nextStep: 'Run again with --debug to see the conversation; check the profile with: ppctl config list',
    })
  }
  const message = err instanceof Error ? sanitizeOneLine(redactText(err.message)) : 'unknown error'
  return new PpctlError('IDENTITY_ERROR', `${what} failed: ${message}.`, {
    nextStep: 'Check the authority (ppctl config get authority); run again with --debug to see the conversation.',
    cause: err,
  })
}
