// Approves a pending device sign-in by driving the identity's HTML pages as a browser would: forms, cookies, redirects.
import {AuthRequiredError, NotFoundError, PpctlError} from '../errors/index.js'

export interface ApproveDeviceOptions {
  /** The identity's origin, e.g. https://login.sandbox.localhost:8443. */
  authority: string
  userCode: string
  upn: string
  password: string
}

/** The path of the device verification page (oidc-provider's `code_verification` route). */
const VERIFICATION_PATH = '/device'
const MAX_REDIRECTS = 10
const MAX_STEPS = 8

interface Cookie {
  name: string
  value: string
  path: string
  expiresAt?: number
}

/** Cookies of one origin, as RFC 6265 keeps them: by name and path, sent to requests under that path. */
class CookieJar {
  private readonly cookies = new Map<string, Cookie>()

  store(requestUrl: URL, setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(';')
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const cookie: Cookie = {name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: defaultPath(requestUrl)}
      let domainOk = true
      for (const attribute of attributes) {
        const [rawKey, ...rest] = attribute.split('=')
        const key = rawKey.trim().toLowerCase()
        const value = rest.join('=').trim()
        if (key === 'path' && value.startsWith('/')) cookie.path = value
        else if (key === 'max-age' && /^-?\d+$/.test(value)) cookie.expiresAt = Date.now() + Number(value) * 1000
        else if (key === 'expires' && cookie.expiresAt === undefined && !Number.isNaN(Date.parse(value))) cookie.expiresAt = Date.parse(value)
        else if (key === 'domain' && value.replace(/^\./, '').toLowerCase() !== requestUrl.hostname.toLowerCase()) domainOk = false
      }
      if (!domainOk) continue
      const key = `${cookie.name}\u0000${cookie.path}`
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= Date.now()) this.cookies.delete(key)
      else this.cookies.set(key, cookie)
    }
  }

  header(url: URL): string | undefined {
    const now = Date.now()
    const matching = [...this.cookies.values()]
      .filter((c) => (c.expiresAt === undefined || c.expiresAt > now) && pathMatches(url.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length)
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined
  }
}

function defaultPath(url: URL): string {
  const path = url.pathname
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}

interface Page {
  url: URL
  status: number
  name?: string
  error?: string
  title: string
  forms: Form[]
}

interface Form {
  action: string
  fields: Array<[string, string]>
}

const ENTITIES: Readonly<Record<string, string>> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1].toLowerCase() === 'x' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10)
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole
    }
    return ENTITIES[entity.toLowerCase()] ?? whole
  })
}

function attributesOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const match of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    out[match[1].toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '')
  }
  return out
}

function meta(html: string, name: string): string | undefined {
  for (const match of html.matchAll(/<meta\b[^>]*>/gi)) {
    const attributes = attributesOf(match[0].slice(5, -1))
    if (attributes.name === name) return attributes.content
  }
  return undefined
}

/** Reads the page's stable name, error, title and forms (with the values of their inputs). */
function parsePage(url: URL, status: number, html: string): Page {
  const forms: Form[] = []
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = attributesOf(match[1])
    const fields: Array<[string, string]> = []
    for (const input of match[2].matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributesOf(input[1])
      if (a.name && !['submit', 'button', 'image', 'reset'].includes((a.type ?? 'text').toLowerCase())) fields.push([a.name, a.value ?? ''])
    }
    forms.push({action: attributes.action ?? url.href, fields})
  }
  const title = decodeEntities(/<title>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '')
    .replace(/\s+/g, ' ')
    .trim()
  return {url, status, name: meta(html, 'ppctl-page'), error: meta(html, 'ppctl-error'), title, forms}
}

export async function approveDevice(fetchImpl: typeof fetch, options: ApproveDeviceOptions): Promise<void> {
  const base = new URL(options.authority)
  if (base.protocol !== 'https:') {
    throw new PpctlError('INSECURE_AUTHORITY', 'The authority must be an https URL; sign-in pages are never used over http.')
  }
  const origin = base.origin
  const jar = new CookieJar()
  const secrets = [options.password, options.userCode].filter((s) => s.length > 0)
  const redact = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text)

  const unexpected = (page: Page, what: string) =>
    new PpctlError('APPROVAL_FAILED', `${what}: the sign-in page answered "${redact(page.title) || 'an untitled page'}" (HTTP ${page.status}).`, {
      nextStep: 'Check that the local platform is running (ppctl sandbox status) and start the sign-in again.',
    })

  const sameOrigin = (target: URL) => {
    if (target.protocol !== 'https:' || target.origin !== origin) {
      throw new PpctlError(
        'UNSAFE_REDIRECT',
        `The sign-in page sent ppctl to another origin (${target.protocol}//${target.host}); ppctl only follows the authority's own pages.`,
      )
    }
    return target
  }

  /** One browser navigation: the request, then redirects within the authority's origin, cookies kept throughout. */
  async function navigate(start: URL, form?: URLSearchParams): Promise<Page> {
    let url = sameOrigin(start)
    let body = form
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = {accept: 'text/html'}
      const cookie = jar.header(url)
      if (cookie) headers.cookie = cookie
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded'
      const res = await fetchImpl(url.href, {method: body ? 'POST' : 'GET', headers, body: body?.toString(), redirect: 'manual'})
      jar.store(url, res.headers.getSetCookie())
      const location = res.headers.get('location')
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel()
        url = sameOrigin(new URL(location, url))
        // 301/302/303 turn a form post into a GET, as browsers do; 307/308 are not used by the identity's pages.
        if (res.status === 307 || res.status === 308)
          throw new PpctlError('APPROVAL_FAILED', `The sign-in page answered with an unexpected redirect (HTTP ${res.status}).`)
        body = undefined
        continue
      }
      const type = res.headers.get('content-type') ?? ''
      const text = await res.text()
      if (!type.includes('text/html')) {
        throw new PpctlError(
          'APPROVAL_FAILED',
          `The sign-in page answered with ${type.split(';')[0] || 'no content type'} instead of a page (HTTP ${res.status}).`,
        )
      }
      return parsePage(url, res.status, text)
    }
    throw new PpctlError('APPROVAL_FAILED', 'The sign-in pages redirected too many times.')
  }

  const submit = (page: Page, form: Form, values: Record<string, string> = {}) => {
    const params = new URLSearchParams()
    for (const [name, value] of form.fields) params.append(name, name in values ? values[name] : value)
    for (const [name, value] of Object.entries(values)) if (!params.has(name)) params.append(name, value)
    return navigate(new URL(form.action, page.url), params)
  }

  let page = await navigate(new URL(VERIFICATION_PATH, origin))
  const done = new Set<string>()
  for (let step = 0; step < MAX_STEPS; step++) {
    switch (page.name) {
      case 'device-code': {
        if (page.error === 'code_not_found' || page.error === 'code_expired' || page.error === 'code_used') {
          throw new NotFoundError(
            'USER_CODE_NOT_FOUND',
            page.error === 'code_expired'
              ? 'The user code has expired.'
              : page.error === 'code_used'
                ? 'The user code has already been used.'
                : 'No pending sign-in has that user code.',
            {
              nextStep: 'Start the sign-in again (ppctl auth login) and approve the new code it shows.',
            },
          )
        }
        if (done.has('device-code') || page.forms.length === 0) throw unexpected(page, 'The user code was not accepted')
        done.add('device-code')
        page = await submit(page, page.forms[0], {user_code: options.userCode})
        break
      }
      case 'device-confirm': {
        if (done.has('device-confirm') || page.forms.length === 0) throw unexpected(page, 'The user code could not be confirmed')
        done.add('device-confirm')
        page = await submit(page, page.forms[0])
        break
      }
      case 'sign-in': {
        if (page.error === 'signin_failed') {
          throw new AuthRequiredError('SIGNIN_FAILED', `Sign-in failed for ${options.upn}: the user name or password is incorrect.`, {
            nextStep: 'Check the password with: ppctl sandbox users',
          })
        }
        if (done.has('sign-in') || page.forms.length === 0) throw unexpected(page, 'Sign-in did not complete')
        done.add('sign-in')
        page = await submit(page, page.forms[0], {upn: options.upn, password: options.password})
        break
      }
      case 'consent': {
        const allow = page.forms.find((f) => /\/confirm$/.test(new URL(f.action, page.url).pathname)) ?? page.forms[0]
        if (done.has('consent') || !allow) throw unexpected(page, 'Consent did not complete')
        done.add('consent')
        page = await submit(page, allow)
        break
      }
      case 'success':
        return
      default:
        throw unexpected(page, 'The device sign-in could not be approved')
    }
  }
  throw unexpected(page, 'The device sign-in did not complete')
}
