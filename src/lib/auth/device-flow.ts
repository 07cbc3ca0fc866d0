// The device authorization grant (RFC 8628): start it, check where it sends the person, and poll on ppctl's own clock.
import type {Configuration, DeviceAuthorizationResponse, DPoPOptions, TokenEndpointResponse, TokenEndpointResponseHelpers} from 'openid-client'

import type {Clock} from '../clock.js'
import {AuthRequiredError, CancelledError, ExitCode, InterruptedError, PpctlError} from '../errors/index.js'
import {oauthErrorCode, SIGN_IN_AGAIN, signInPolicyRefusal, toAuthError, typedErrorFrom} from './oauth-error.js'

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** RFC 8628 §3.2: the polling interval when the provider gives none. */
const DEFAULT_INTERVAL_SECONDS = 5
/** RFC 8628 §3.5: slow_down adds 5 seconds to the interval, for this and all later polls. */
const SLOW_DOWN_SECONDS = 5
/** Consecutive network failures tolerated while polling before giving up. */
const MAX_NETWORK_FAILURES = 5
const MAX_BACKOFF_MS = 60_000

/** What the person needs to approve the sign-in; printed to stderr (and as a JSON line under --json). */
export interface DeviceCodeInfo {
  verificationUri: string
  verificationUriComplete?: string
  /** The verification URI's host, shown on its own so a person can check where they are sent. */
  host: string
  userCode: string
  expiresIn: number
  interval: number
}

export type DeviceTokens = TokenEndpointResponse & TokenEndpointResponseHelpers

/** A verification URI must be https and on the authority's own host; anything else could be a phishing page. */
export function checkVerificationUri(uri: string, authority: string): URL {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw refusedUri(uri, 'it is not a URL')
  }
  if (url.protocol !== 'https:') throw refusedUri(uri, 'it does not use https')
  const expected = new URL(authority).hostname.toLowerCase()
  if (url.hostname.toLowerCase() !== expected) throw refusedUri(uri, `its host ${url.hostname} is not the authority's host ${expected}`)
  return url
}

function refusedUri(uri: string, why: string): PpctlError {
  return new PpctlError('UNSAFE_VERIFICATION_URI', `The identity provider sent a verification URI ppctl will not show: ${why} (${uri.slice(0, 200)}).`, {
    nextStep: 'Check the authority of this profile (ppctl config get authority); it may not be the provider you expect.',
  })
}

export interface StartDeviceOptions {
  authority: string
  scope: string
  resource?: string
}

export async function startDeviceAuthorization(
  config: Configuration,
  options: StartDeviceOptions,
): Promise<{device: DeviceAuthorizationResponse; info: DeviceCodeInfo}> {
  const client = await import('openid-client')
  let device: DeviceAuthorizationResponse
  try {
    device = await client.initiateDeviceAuthorization(config, {scope: options.scope, ...(options.resource ? {resource: options.resource} : {})})
  } catch (err) {
    throw toAuthError(err, 'Starting the device sign-in')
  }
  const url = checkVerificationUri(device.verification_uri, options.authority)
  if (device.verification_uri_complete) checkVerificationUri(device.verification_uri_complete, options.authority)
  return {
    device,
    info: {
      verificationUri: device.verification_uri,
      ...(device.verification_uri_complete ? {verificationUriComplete: device.verification_uri_complete} : {}),
      host: url.host,
      userCode: device.user_code,
      expiresIn: device.expires_in,
      interval: device.interval ?? DEFAULT_INTERVAL_SECONDS,
    },
  }
}

export interface PollOptions {
  clock: Clock
  /** Aborted by Ctrl-C: the wait or the request in flight stops and InterruptedError (exit 130) is thrown. */
  signal?: AbortSignal
  /** Called before each wait, with its length (for the spinner and for tests). */
  onWait?: (ms: number, reason: 'interval' | 'slow_down' | 'network') => void
  /** Bind the tokens to a DPoP key (its openid-client handle). */
  dpop?: DPoPOptions
}

/**
 * Polls the token endpoint until the person approves, declines or the code expires. ppctl polls itself (rather than
 * openid-client's pollDeviceAuthorizationGrant) so that waits run on the injected clock and Ctrl-C stops them.
 */
export async function pollDeviceToken(config: Configuration, device: DeviceAuthorizationResponse, options: PollOptions): Promise<DeviceTokens> {
  const client = await import('openid-client')
  const {clock, signal} = options
  let intervalMs = (device.interval ?? DEFAULT_INTERVAL_SECONDS) * 1000
  const deadline = clock.now() + device.expires_in * 1000
  let networkFailures = 0
  let wait = intervalMs
  let reason: 'interval' | 'slow_down' | 'network' = 'interval'

  const base = config[client.customFetch]
  if (base && signal) {
    config[client.customFetch] = (url, init) => base(url, {...init, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal})
  }
  try {
    for (;;) {
      options.onWait?.(wait, reason)
      await sleep(clock, wait, signal)
      if (clock.now() >= deadline) throw codeExpired('the code was not approved in time')
      try {
        return await client.genericGrantRequest(config, DEVICE_CODE_GRANT, {device_code: device.device_code}, options.dpop)
      } catch (err) {
        if (signal?.aborted) throw interrupted()
        const oauth = oauthErrorCode(err)
        if (oauth === 'authorization_pending') {
          networkFailures = 0
          wait = intervalMs
          reason = 'interval'
          continue
        }
        if (oauth === 'slow_down') {
          networkFailures = 0
          intervalMs += SLOW_DOWN_SECONDS * 1000
          wait = intervalMs
          reason = 'slow_down'
          continue
        }
        if (oauth === 'access_denied') {
          const refusal = signInPolicyRefusal(err)
          if (refusal) throw refusal
          throw new CancelledError('ACCESS_DENIED', 'The sign-in was declined at the sign-in page; nothing was stored.', {
            nextStep: 'Start again with ppctl auth login and approve the code, or ask your administrator for access.',
          })
        }
        if (oauth === 'expired_token') throw codeExpired('the identity provider says the code has expired')
        const typed = typedErrorFrom(err)
        if (typed?.exitCode === ExitCode.UNREACHABLE && ++networkFailures < MAX_NETWORK_FAILURES) {
          wait = Math.min(intervalMs * 2 ** networkFailures, MAX_BACKOFF_MS)
          reason = 'network'
          continue
        }
        throw toAuthError(err, 'Device sign-in')
      }
    }
  } finally {
    if (base && signal) config[client.customFetch] = base
  }
}

function codeExpired(why: string): AuthRequiredError {
  return new AuthRequiredError('DEVICE_CODE_EXPIRED', `The device sign-in expired: ${why}; nothing was stored.`, {nextStep: SIGN_IN_AGAIN})
}

function interrupted(): InterruptedError {
  return new InterruptedError('INTERRUPTED', 'Interrupted; the sign-in was abandoned and nothing was stored.')
}

async function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw interrupted()
  try {
    await clock.sleep(ms, signal)
  } catch (err) {
    if (signal?.aborted) throw interrupted()
    throw err
  }
}
