// `route show`: the route as a typed result, and its rendering for people.
import type {Context} from '../context.js'
import {recordView, type View} from '../output/view.js'
import type {ClusterRef} from './types.js'

export interface RouteShowResult {
  tenantId: string
  tenantName?: string
  home: ClusterRef
  secondary: ClusterRef & {mode: string}
  epoch: number
  ttlSeconds: number
  fromCache: boolean
  ageSeconds: number
  expiresInSeconds: number
}

export async function showRoute(ctx: Context, options: {tenant?: string; refresh?: boolean}): Promise<RouteShowResult> {
  const resolved = await ctx.router().route(options)
  const {route} = resolved
  return {
    tenantId: route.tenantId,
    ...(route.tenantName ? {tenantName: route.tenantName} : {}),
    home: route.home,
    secondary: route.secondary,
    epoch: route.epoch,
    ttlSeconds: route.ttlSeconds,
    fromCache: resolved.fromCache,
    ageSeconds: resolved.ageSeconds,
    expiresInSeconds: resolved.expiresInSeconds,
  }
}

/** The route as one record: "Label: value" lines at a terminal, a header and one line in TSV. */
export function routeShowView(result: RouteShowResult): View {
  return recordView([
    ['Tenant', result.tenantName ? `${result.tenantName} (${result.tenantId})` : result.tenantId],
    ['Home', `${result.home.clusterId} (${result.home.region})  ${result.home.uri}`],
    ['Secondary', `${result.secondary.clusterId} (${result.secondary.region}, ${result.secondary.mode})  ${result.secondary.uri}`],
    ['Epoch', String(result.epoch)],
    ['TTL', `${result.ttlSeconds} s`],
    ['Answer', result.fromCache ? `from the cache, ${result.ageSeconds} s old, valid ${result.expiresInSeconds} s more` : 'from the global service, just now'],
  ])
}
