// `route show`: the route as a typed result, and its rendering for people.
import type {Context} from '../context.js'
import type {IO} from '../io/io.js'
import type {Rendered} from '../output/render.js'
import {renderKeyValue} from '../output/table.js'
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

export function renderRouteShow(result: RouteShowResult, io: IO): Rendered {
  return renderKeyValue(
    [
      ['Tenant', result.tenantName ? `${result.tenantName} (${result.tenantId})` : result.tenantId],
      ['Home', `${result.home.clusterId} (${result.home.region})  ${result.home.uri}`],
      ['Secondary', `${result.secondary.clusterId} (${result.secondary.region}, ${result.secondary.mode})  ${result.secondary.uri}`],
      ['Epoch', String(result.epoch)],
      ['TTL', `${result.ttlSeconds} s`],
      [
        'Answer',
        result.fromCache ? `from the cache, ${result.ageSeconds} s old, valid ${result.expiresInSeconds} s more` : 'from the global service, just now',
      ],
    ],
    io,
  )
}
