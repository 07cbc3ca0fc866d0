// Turns a failed fetch (refused, DNS, TLS, timeout, proxy) into an UnreachableError that names the host and the cause.
import {CODES, PpctlError, UnreachableError, type CodeExiting} from '../errors/index.js'
import {redactText, redactUrl} from '../output/redact.js'

interface ErrorLike {
  name?: string
  code?: string
  message?: string
  cause?: unknown
  errors?: unknown[]
}

const asErrorLike = (value: unknown): ErrorLike | undefined => (typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined)

/** The first error in the cause chain (and in AggregateError members) that carries a code. */
function findCoded(err: unknown, depth = 0): ErrorLike | undefined {
  const e = asErrorLike(err)
  if (!e || depth > 8) return undefined
  if (typeof e.code === 'string' && e.code !== '') return e
  if (Array.isArray(e.errors)) {
    for (const member of e.errors) {
      const found = findCoded(member, depth + 1)
      if (found) return found
    }
  }
  return findCoded(e.cause, depth + 1)
}

/** OpenSSL's verdicts on a certificate chain: what more trusted CAs could change (a name mismatch they cannot). */
const CHAIN_VERIFY = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED)/
const CERT_VERIFY = new RegExp(`${CHAIN_VERIFY.source}|^(ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)`)

/** Whether a connection failed on its certificate chain (not trusted, expired …), not on the server's name. */
export function isChainVerifyError(err: unknown): boolean {
  const code = (err as {code?: unknown} | undefined)?.code
  return typeof code === 'string' && CHAIN_VERIFY.test(code)
}

interface Classified {
  code: CodeExiting<8>
  reason: string
  nextStep: string
}

const CHECK_NETWORK = 'Check the URL, your network and proxy settings (HTTPS_PROXY, NO_PROXY), then try again.'
const TRUST_CA = 'If the platform uses a private CA, trust it with: ppctl config set ca-file <pem>   (or set PPCTL_CA_FILE)'

function classify(cause: ErrorLike): Classified | undefined {
  const code = typeof cause.code === 'string' ? cause.code : ''
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return {
      code: 'TLS_VERIFY_FAILED',
      reason: `TLS verification failed: the server's certificate is not valid for this host name (${code})`,
      nextStep: 'Check the host name in the URL; the server must present a certificate issued for it.',
    }
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return {
      code: 'TLS_VERIFY_FAILED',
      reason: `TLS verification failed: the server's certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'} (${code})`,
      nextStep: "Check this machine's clock, and ask the platform's operators to renew the certificate.",
    }
  }
  if (CERT_VERIFY.test(code)) {
    return {code: 'TLS_VERIFY_FAILED', reason: `TLS verification failed: the server's certificate is not trusted (${code})`, nextStep: TRUST_CA}
  }
  if (code === 'UND_ERR_PRX_TLS') {
    const inner = findCoded(cause.cause)
    const detail = inner?.code ? ` (${inner.code})` : ''
    return {code: 'TLS_VERIFY_FAILED', reason: `TLS verification failed between the proxy and the server${detail}`, nextStep: TRUST_CA}
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    return {code: 'TLS_FAILED', reason: `the TLS handshake failed (${code})`, nextStep: 'Check that the URL uses https and the right port.'}
  }
  switch (code) {
    case 'ECONNREFUSED':
      return {code: 'CONNECTION_REFUSED', reason: 'the connection was refused (ECONNREFUSED)', nextStep: CHECK_NETWORK}
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return {code: 'DNS_FAILED', reason: `the host name could not be resolved (${code})`, nextStep: CHECK_NETWORK}
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return {code: 'TIMEOUT', reason: `the connection timed out (${code})`, nextStep: CHECK_NETWORK}
    case 'UND_ERR_HEADERS_TIMEOUT':
      return {code: 'TIMEOUT', reason: `the server did not answer in time (${code})`, nextStep: 'Try again later; if it persists, check the platform status.'}
    case 'UND_ERR_BODY_TIMEOUT':
      return {code: 'TIMEOUT', reason: `the response stalled (${code})`, nextStep: 'Try again later; if it persists, check the platform status.'}
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return {code: 'CONNECTION_RESET', reason: `the connection was closed unexpectedly (${code})`, nextStep: CHECK_NETWORK}
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return {code: 'NETWORK_UNREACHABLE', reason: `the network is unreachable (${code})`, nextStep: CHECK_NETWORK}
    default:
      return undefined
  }
}

function hostAndPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '')
  return port ? `${url.hostname}:${port}` : url.hostname
}

/** A DOMException-like timeout from an AbortSignal.timeout() given to fetch. */
function isTimeoutAbort(err: unknown): boolean {
  return asErrorLike(err)?.name === 'TimeoutError'
}

/** A fetch failure is a TypeError('fetch failed') with the network error as its cause (undici's; nock's says 'Failed to fetch'). */
function isFetchNetworkFailure(err: unknown): boolean {
  const e = asErrorLike(err)
  return e?.name === 'TypeError' && e.cause !== undefined && /^(fetch failed|failed to fetch)$/i.test(e.message ?? '')
}

/**
 * The UnreachableError for a network failure of a request to `url` (through `proxy` when given), or undefined
 * when `err` is not a network failure (an abort by the caller, an invalid request) and must be rethrown as is.
 */
export function toNetworkError(err: unknown, url: URL, proxy?: string): UnreachableError | undefined {
  if (err instanceof UnreachableError) return err
  const where = `${hostAndPort(url)}${proxy ? ` through the proxy ${redactUrl(proxy)}` : ''}`
  if (isTimeoutAbort(err)) {
    return new UnreachableError('TIMEOUT', `Cannot reach ${where}: the request timed out.`, {nextStep: CHECK_NETWORK, cause: err})
  }
  // Real failures are TypeError('fetch failed') wrapping the socket error; a mock (nock's replyWithError) may
  // reject with the socket-style error itself, which counts only when its code is a known network one.
  const wrapped = isFetchNetworkFailure(err)
  const e = err as ErrorLike
  const coded = wrapped ? findCoded(e.cause) : typeof e?.code === 'string' ? e : undefined
  if (!wrapped && !(coded && classify(coded))) return undefined
  // A tunnel the proxy refused (407, 403, 502…): undici reports it as an aborted request with the status in the message.
  const proxyStatus = /Proxy response \((\d+)\)/.exec(String(coded?.message ?? asErrorLike(e.cause)?.message ?? ''))
  if (proxy && proxyStatus) {
    return new UnreachableError('PROXY_FAILED', `Cannot reach ${where}: the proxy answered ${proxyStatus[1]} to the tunnel request.`, {
      nextStep: 'Check HTTPS_PROXY (and its credentials) or add the host to NO_PROXY.',
      cause: err,
    })
  }
  const classified = coded ? classify(coded) : undefined
  if (classified) {
    return new UnreachableError(classified.code, `Cannot reach ${where}: ${classified.reason}.`, {nextStep: classified.nextStep, cause: err})
  }
  const detail = coded?.code ?? asErrorLike(e.cause)?.message ?? e.message ?? 'network error'
  return new UnreachableError('UNREACHABLE', `Cannot reach ${where}: ${redactText(String(detail))}.`, {nextStep: CHECK_NETWORK, cause: err})
}

/**
 * A network failure worth sending the request again (refused, reset, DNS, timeout, unreachable), as the one answer
 * for the HTTP retries, the home cluster's re-resolution and the audit stream's reconnects. A PpctlError goes by its
 * code in the table (category network, retryable); a raw socket error (ECONNRESET, UND_ERR_SOCKET…) by the code
 * toNetworkError would give it. TLS, proxy and redirect failures are not: sending again changes nothing.
 */
export function isNetworkFailure(err: unknown): boolean {
  if (err instanceof PpctlError) {
    const info = (CODES as Record<string, (typeof CODES)[keyof typeof CODES] | undefined>)[err.code]
    return info?.category === 'network' && info.retryable
  }
  if (isTimeoutAbort(err)) return true
  const e = asErrorLike(err)
  const coded = isFetchNetworkFailure(err) ? findCoded(e?.cause) : findCoded(err)
  const classified = coded ? classify(coded) : undefined
  return classified !== undefined && CODES[classified.code].category === 'network' && CODES[classified.code].retryable
}
