// Proxy settings read from a given environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, lower case first, as curl and undici do).
export interface ProxySettings {
  /** Proxy for http: URLs ('' when none). */
  httpProxy: string
  /** Proxy for https: URLs ('' when none); falls back to the http proxy. */
  httpsProxy: string
  /** Hosts reached directly, comma or space separated ('' when none). */
  noProxy: string
}

function pick(env: NodeJS.ProcessEnv, ...names: string[]): string {
  for (const name of names) {
    const value = env[name]?.trim()
    if (value) return value
  }
  return ''
}

/** The proxies the environment asks for, or undefined when it sets none. */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const httpProxy = pick(env, 'http_proxy', 'HTTP_PROXY')
  const httpsProxy = pick(env, 'https_proxy', 'HTTPS_PROXY') || httpProxy
  if (!httpProxy && !httpsProxy) return undefined
  return {httpProxy, httpsProxy, noProxy: pick(env, 'no_proxy', 'NO_PROXY')}
}

const DEFAULT_PORTS: Record<string, number> = {'http:': 80, 'https:': 443}

/**
 * The proxy URL a request to `url` goes through, or undefined when it goes direct.
 * Mirrors undici's EnvHttpProxyAgent: NO_PROXY entries match the host or its subdomains, optionally with a port; `*` matches all.
 */
export function proxyFor(url: URL, settings: ProxySettings | undefined): string | undefined {
  if (!settings) return undefined
  const proxy = url.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy
  if (!proxy) return undefined
  if (settings.noProxy === '*') return undefined
  const hostname = url.host.replace(/:\d*$/, '').toLowerCase()
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0
  for (const entry of settings.noProxy.split(/[,\s]/)) {
    if (!entry) continue
    const parsed = /^(.+):(\d+)$/.exec(entry)
    const host = (parsed ? parsed[1] : entry).replace(/^\*?\./, '').toLowerCase()
    const entryPort = parsed ? Number.parseInt(parsed[2], 10) : 0
    if (entryPort && entryPort !== port) continue
    if (hostname === host || hostname.endsWith(`.${host}`)) return undefined
  }
  return proxy
}
