// Redaction of secrets from text meant for logs and traces: tokens, assertions, codes, passwords.
const REDACTED = '[REDACTED]'

const SECRET_HEADER = /^(authorization|proxy-authorization|dpop|cookie|set-cookie|x-api-key)$/i
const SECRET_PARAM =
  /^(access_token|refresh_token|id_token|client_assertion|client_secret|device_code|code|code_verifier|password|assertion|token|subject_token|user_code|xsrf|_csrf)$/i

/** Redacts JWTs, bearer credentials and secret-named parameters wherever they appear in a line. */
export function redactText(text: string): string {
  return (
    text
      // JWT/JWS/JWE-shaped strings (base64url segments separated by dots, starting with eyJ).
      .replace(/eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,4}/g, REDACTED)
      // The credential after a scheme name; a challenge's auth-params (`DPoP error="…"`) and the words prose puts after
      // a scheme ("a DPoP proof", "Bearer tokens") are kept, so errors about the scheme stay readable.
      .replace(
        /\b(Bearer|DPoP|Basic)\s+(?![A-Za-z][A-Za-z0-9_-]*\s*=\s*[^=\s])(?!(?:proofs?|tokens?|nonces?|keys?|bound|binding|auth|authentication|challenges?|scheme|header|credentials?|realm|is|and|or|the|a|an|to|for|with|not)\b)[A-Za-z0-9._~+/-]+=*/gi,
        `$1 ${REDACTED}`,
      )
      .replace(
        /(["']?)(access_token|refresh_token|id_token|client_assertion|client_secret|device_code|code_verifier|password|assertion|subject_token)\1(\s*[:=]\s*)("[^"]*"|[^\s&,;"]+)/gi,
        (_m, q: string, key: string, sep: string) => `${q}${key}${q}${sep}${REDACTED}`,
      )
  )
}

export function redactHeaders(headers: Iterable<[string, string]>): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const [name, value] of headers) out.push([name, SECRET_HEADER.test(name) ? REDACTED : redactText(value)])
  return out
}

/** A URL with secret-named query parameters and any user-info replaced. */
export function redactUrl(input: string | URL): string {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    return redactText(String(input))
  }
  if (url.username) url.username = 'REDACTED'
  if (url.password) url.password = 'REDACTED'
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) url.searchParams.set(key, REDACTED)
  }
  return url.toString()
}

/** A form body (application/x-www-form-urlencoded) with secret-named fields redacted. */
export function redactForm(body: string): string {
  const params = new URLSearchParams(body)
  for (const key of [...params.keys()]) {
    if (SECRET_PARAM.test(key)) params.set(key, REDACTED)
  }
  return params.toString()
}
