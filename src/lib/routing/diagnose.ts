// route diagnose: every hop between this machine and a tenant's clusters, each with its timing and a verdict.
import {performance} from 'node:perf_hooks'

import type {Context} from '../context.js'
import {ExitCode, type ExitCodeValue} from '../errors/index.js'
import type {Http} from '../http/types.js'
import {proxyFor, proxySettingsFromEnv} from '../http/proxy-env.js'
import {redactUrl} from '../output/redact.js'
import {assertAllowedClusterUri} from './allow-list.js'
import {diagnoseCluster} from './diagnose-cluster.js'
import {diagnoseFirewall, firewallHopOf} from './diagnose-firewall.js'
import {causeOf, hop, type Hop, type Verdict} from './diagnose-hop.js'
import type {ClusterRef, HomeRoute} from './types.js'

export interface RouteDiagnosis {
  schemaVersion: 1
  profile: string
  tenant: string
  startedAt: string
  totalMs: number
  route?: HomeRoute
  hops: Hop[]
  verdict: 'OK' | 'WARN' | 'FAIL'
  /** The final line: what is wrong (the first FAIL), or that the route is healthy. */
  summary: string
}

export interface DiagnoseOptions {
  tenant?: string
  /** A hop slower than this is WARN (ms); default 1000. */
  slowMs?: number
  /** Clock skew beyond this is WARN (s); default 60. */
  skewWarnSeconds?: number
}

async function timed<T>(work: () => Promise<T>): Promise<{ms: number; value?: T; error?: unknown}> {
  const started = performance.now()
  try {
    const value = await work()
    return {ms: Math.round(performance.now() - started), value}
  } catch (error) {
    return {ms: Math.round(performance.now() - started), error}
  }
}

function decodeJwt(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

export async function diagnoseRoute(ctx: Context, options: DiagnoseOptions = {}): Promise<RouteDiagnosis> {
  const started = performance.now()
  const startedAt = new Date(ctx.clock.now()).toISOString()
  const slowMs = options.slowMs ?? 1000
  const skewWarn = options.skewWarnSeconds ?? 60
  const hops: Hop[] = []
  const {name, profile} = await ctx.activeProfile()
  const tenantLabel = options.tenant ?? profile.tenantId ?? profile.tenant ?? 'the signed-in tenant'
  const finish = (route?: HomeRoute): RouteDiagnosis => {
    const failed = hops.find((h) => h.verdict === 'FAIL')
    const warned = hops.filter((h) => h.verdict === 'WARN')
    const verdict = failed ? 'FAIL' : warned.length > 0 ? 'WARN' : 'OK'
    const summary = failed
      ? `FAIL at ${failed.title}: ${failed.cause ?? failed.summary}`
      : warned.length > 0
        ? `WARN: the route works, with ${warned.length} warning${warned.length === 1 ? '' : 's'} (${warned.map((h) => h.title).join('; ')})`
        : `OK: ${route ? `${route.tenantName ? `${route.tenantName} (${route.tenantId})` : route.tenantId} is served by ${route.home.clusterId} (${route.home.region}), epoch ${route.epoch}` : 'healthy'}`
    return {
      schemaVersion: 1,
      profile: name,
      tenant: route?.tenantId ?? tenantLabel,
      startedAt,
      totalMs: Math.round(performance.now() - started),
      ...(route ? {route} : {}),
      hops,
      verdict,
      summary,
    }
  }

  // 1. The profile.
  const missing = (['authority', 'globalUrl'] as const).filter((k) => !profile[k])
  hops.push(
    hop({
      id: 'profile',
      title: `profile ${name}`,
      verdict: missing.length > 0 ? 'FAIL' : 'OK',
      ms: 0,
      summary: missing.length > 0 ? `missing ${missing.join(', ')}` : `authority ${profile.authority}, global service ${profile.globalUrl}`,
      ...(missing.length > 0
        ? {cause: `The profile has no ${missing.join(' and no ')}.`, nextStep: 'ppctl config set authority|global-url <url>   (or: ppctl sandbox start)'}
        : {}),
      details: {
        authority: profile.authority,
        globalUrl: profile.globalUrl,
        caFile: profile.caFile ?? null,
        clusterAllowList: profile.clusterAllowList ?? [],
        allowIpLiterals: Boolean(profile.allowIpLiterals),
      },
    }),
  )
  if (missing.length > 0) return finish()

  let http: Http
  try {
    http = await ctx.http()
  } catch (err) {
    hops.push(hop({id: 'profile.ca', title: 'CA file', verdict: 'FAIL', ms: 0, summary: 'unreadable', ...causeOf(err)}))
    return finish()
  }

  // 2. The authority's discovery document (its Date header also gives the server's clock).
  let serverSkewSeconds: number | undefined
  const discoveryUrl = new URL('.well-known/openid-configuration', profile.authority!.endsWith('/') ? profile.authority! : `${profile.authority!}/`)
  const discovery = await timed(async () => {
    const res = await http.fetch(discoveryUrl, {headers: {accept: 'application/json'}, retries: false})
    const date = res.headers.get('date')
    const body = (await res.json().catch(() => undefined)) as {issuer?: string; token_endpoint?: string} | undefined
    return {status: res.status, date, body}
  })
  if (discovery.value) {
    const {status, date, body} = discovery.value
    if (date && !Number.isNaN(Date.parse(date))) serverSkewSeconds = Math.round((ctx.clock.now() - Date.parse(date)) / 1000)
    const issuerOk = body?.issuer !== undefined && body.issuer.replace(/\/$/, '') === profile.authority!.replace(/\/$/, '')
    const ok = status === 200 && issuerOk
    hops.push(
      hop({
        id: 'discovery',
        title: "authority's discovery document",
        verdict: ok ? (discovery.ms > slowMs ? 'WARN' : 'OK') : 'FAIL',
        ms: discovery.ms,
        summary: ok ? `HTTP 200, issuer ${body!.issuer}` : `HTTP ${status}${body?.issuer ? `, issuer ${body.issuer}` : ''}`,
        ...(ok
          ? discovery.ms > slowMs
            ? {cause: `slow: ${discovery.ms} ms`}
            : {}
          : {
              cause: status === 200 ? `The issuer (${String(body?.issuer)}) is not the profile's authority.` : `The authority answered HTTP ${status}.`,
              nextStep: 'Check the authority URL: ppctl config get authority',
            }),
        details: {url: discoveryUrl.href, status, issuer: body?.issuer ?? null, tokenEndpoint: body?.token_endpoint ?? null, serverDate: date},
      }),
    )
  } else {
    hops.push(
      hop({
        id: 'discovery',
        title: "authority's discovery document",
        verdict: 'FAIL',
        ms: discovery.ms,
        summary: 'unreachable',
        ...causeOf(discovery.error),
        details: {url: discoveryUrl.href},
      }),
    )
  }

  // 3. The token.
  const token = await timed(() => ctx.tokens().get())
  let bearer: string | undefined
  if (token.value) {
    bearer = token.value.token
    const claims = decodeJwt(bearer) ?? {}
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : token.value.expiresAt
    const expiresInSeconds = Math.round((exp - ctx.clock.now()) / 1000)
    const skew = serverSkewSeconds
    const skewBad = skew !== undefined && Math.abs(skew) > skewWarn
    const verdict: Verdict = expiresInSeconds <= 0 ? 'FAIL' : skewBad ? 'WARN' : 'OK'
    hops.push(
      hop({
        id: 'token',
        title: 'access token',
        verdict,
        ms: token.ms,
        summary: `tenant ${String(claims.tid ?? '?')}, audience ${JSON.stringify(claims.aud ?? null)}, expires in ${expiresInSeconds} s (${token.value.source})${skew === undefined ? '' : `, clock skew ${skew} s`}`,
        ...(verdict === 'FAIL'
          ? {cause: 'The access token has expired.', nextStep: 'ppctl auth login'}
          : skewBad
            ? {
                cause: `This machine's clock is ${Math.abs(skew!)} s ${skew! > 0 ? 'ahead of' : 'behind'} the server's.`,
                nextStep: 'Synchronise the clock (NTP); tokens may look expired or not yet valid.',
              }
            : {}),
        details: {
          tenantId: claims.tid ?? null,
          audience: claims.aud ?? null,
          roles: claims.roles ?? [],
          subject: claims.sub ?? null,
          expiresAt: new Date(exp).toISOString(),
          expiresInSeconds,
          source: token.value.source,
          clockSkewSeconds: skew ?? null,
        },
      }),
    )
  } else {
    hops.push(hop({id: 'token', title: 'access token', verdict: 'FAIL', ms: token.ms, summary: 'no usable token', ...causeOf(token.error)}))
    return finish()
  }

  // 4. The proxy.
  const proxy = proxySettingsFromEnv(ctx.env)
  const globalUrl = new URL(profile.globalUrl!)
  hops.push(
    hop({
      id: 'proxy',
      title: 'proxy',
      verdict: 'OK',
      ms: 0,
      summary: proxy
        ? `HTTPS_PROXY ${redactUrl(proxy.httpsProxy) || '(none)'}${proxy.noProxy ? `, NO_PROXY ${proxy.noProxy}` : ''}`
        : 'none (direct connections)',
      details: proxy
        ? {
            httpsProxy: proxy.httpsProxy ? redactUrl(proxy.httpsProxy) : null,
            httpProxy: proxy.httpProxy ? redactUrl(proxy.httpProxy) : null,
            noProxy: proxy.noProxy,
            authority: proxyFor(new URL(profile.authority!), proxy) ? 'proxy' : 'direct',
            globalService: proxyFor(globalUrl, proxy) ? 'proxy' : 'direct',
          }
        : {httpsProxy: null, httpProxy: null, noProxy: ''},
    }),
  )

  // 5. The global service: cache state, then a fresh answer.
  const cache = await ctx.router().cache(name)
  const cached = await cache.get(options.tenant ?? 'me')
  const now = ctx.clock.now()
  const cacheState = cached
    ? {
        state: cached.expiresAt > now ? 'fresh' : 'expired',
        ageSeconds: Math.round((now - cached.fetchedAt) / 1000),
        epoch: cached.route.epoch,
        home: cached.route.home.clusterId,
      }
    : {state: 'empty'}
  const live = await timed(() => ctx.router().route({tenant: options.tenant, refresh: true}))
  if (!live.value) {
    hops.push(
      hop({
        id: 'global',
        title: `global service ${globalUrl.host}`,
        verdict: 'FAIL',
        ms: live.ms,
        summary: 'no route',
        ...causeOf(live.error),
        details: {url: globalUrl.href, cache: cacheState},
      }),
    )
    // Refused by the tenant's IP firewall: that hop is named first, so the summary says what is wrong.
    const refusedBy = firewallHopOf(live.error)
    if (refusedBy) hops.splice(hops.length - 1, 0, refusedBy)
    return finish()
  }
  const route = live.value.route
  const staleCache = cached !== undefined && cached.route.epoch < route.epoch
  const globalVerdict: Verdict = staleCache || live.ms > slowMs ? 'WARN' : 'OK'
  hops.push(
    hop({
      id: 'global',
      title: `global service ${globalUrl.host}`,
      verdict: globalVerdict,
      ms: live.ms,
      summary: `HTTP 200: home ${route.home.clusterId} (${route.home.region}), secondary ${route.secondary.clusterId} (${route.secondary.mode}), epoch ${route.epoch}, TTL ${route.ttlSeconds} s; cache ${cacheState.state}`,
      ...(staleCache
        ? {
            cause: `The cached route (epoch ${cached!.route.epoch}) was older than the global service's (epoch ${route.epoch}): a failover happened; the cache is now refreshed.`,
          }
        : live.ms > slowMs
          ? {cause: `slow: ${live.ms} ms`}
          : {}),
      details: {url: globalUrl.href, status: 200, route, cache: cacheState},
    }),
  )

  // 6. The clusters.
  const allowList = await ctx.router().allowList()
  for (const [role, ref] of [
    ['home', route.home],
    ['secondary', route.secondary],
  ] as Array<['home' | 'secondary', ClusterRef]>) {
    try {
      assertAllowedClusterUri(ref.uri, allowList)
    } catch (err) {
      hops.push(
        hop({
          id: `${role}.allow-list`,
          title: `${role} ${ref.clusterId} allow-list`,
          verdict: 'FAIL',
          ms: 0,
          summary: 'refused: nothing sent',
          ...causeOf(err),
          details: {uri: ref.uri},
        }),
      )
      continue
    }
    hops.push(
      ...(await diagnoseCluster(ctx, http, {
        role,
        ref,
        tenantId: route.tenantId,
        auth: {token: bearer, dpop: token.value?.dpop},
        caPem: await caOf(ctx),
        slowMs,
        proxy,
      })),
    )
  }
  hops.push(await diagnoseFirewall(http, route.home.uri, {token: bearer, dpop: token.value?.dpop}))
  return finish(route)
}

async function caOf(ctx: Context): Promise<string | undefined> {
  const {profile} = await ctx.activeProfile()
  if (!profile.caFile) return undefined
  const {readFile} = await import('node:fs/promises')
  return readFile(profile.caFile, 'utf8')
}

/** Exit code of a diagnosis: 0 when the route works (OK or WARN), 8 when it does not. */
export const diagnosisExitCode = (d: RouteDiagnosis): ExitCodeValue => (d.verdict === 'FAIL' ? ExitCode.UNREACHABLE : ExitCode.OK)
export type {Hop} from './diagnose-hop.js'
