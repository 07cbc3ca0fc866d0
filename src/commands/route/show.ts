import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/base-command.js'
import {renderKeyValue} from '../../lib/output/table.js'
import {routeFor} from '../../lib/routing/route-for.js'
import type {ClusterRef} from '../../lib/routing/types.js'

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

export default class RouteShow extends BaseCommand<typeof RouteShow> {
  static override summary = "Show which cluster serves a tenant: home, secondary, epoch and TTL, and whether the answer came from the cache."
  static override description = `Asks the global service for the tenant's home cluster (the signed-in tenant unless --tenant is given; other tenants need the Support role), or answers from the profile's routing cache while the answer's TTL lasts. --refresh ignores the cache. The home cluster's URI must pass the profile's cluster allow-list; an answer that fails it is refused (exit 8) and not cached.`

  static override examples = [
    {description: "The signed-in tenant's route", command: '<%= config.bin %> <%= command.id %>'},
    {description: "Another tenant's route (Support role)", command: '<%= config.bin %> <%= command.id %> --tenant fabrikam'},
    {description: 'Ask the global service again, for a script', command: '<%= config.bin %> <%= command.id %> --refresh --json'},
  ]

  static override flags = {
    tenant: Flags.string({description: 'Tenant id or name (default: the signed-in tenant).'}),
    refresh: Flags.boolean({description: 'Ignore the routing cache.'}),
  }

  async run(): Promise<RouteShowResult> {
    const resolved = await routeFor(this.ctx, {tenant: this.flags.tenant, refresh: this.flags.refresh})
    const {route} = resolved
    const result: RouteShowResult = {
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
    this.out(
      renderKeyValue(
        [
          ['Tenant', route.tenantName ? `${route.tenantName} (${route.tenantId})` : route.tenantId],
          ['Home', `${route.home.clusterId} (${route.home.region})  ${route.home.uri}`],
          ['Secondary', `${route.secondary.clusterId} (${route.secondary.region}, ${route.secondary.mode})  ${route.secondary.uri}`],
          ['Epoch', String(route.epoch)],
          ['TTL', `${route.ttlSeconds} s`],
          ['Answer', resolved.fromCache ? `from the cache, ${resolved.ageSeconds} s old, valid ${resolved.expiresInSeconds} s more` : 'from the global service, just now'],
        ],
        this.ctx.io,
      ),
    )
    return result
  }
}
