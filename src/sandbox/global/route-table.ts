// The global service's routing table: each tenant's home and secondary cluster and the route epoch.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {writeFileSyncAtomic} from '../fs-util.js'
import {TENANTS} from '../seed.js'

export interface TenantRoute {
  tenantId: string
  home: string
  secondary: string
  epoch: number
}

export class RouteTable {
  private readonly file: string
  private routes: TenantRoute[]

  constructor(dataDir: string) {
    this.file = join(dataDir, 'routes.json')
    if (existsSync(this.file)) {
      this.routes = JSON.parse(readFileSync(this.file, 'utf8')) as TenantRoute[]
    } else {
      this.routes = TENANTS.map((t) => ({tenantId: t.id, home: t.home, secondary: t.secondary, epoch: 1}))
      this.save()
    }
  }

  get(tenantId: string): TenantRoute | undefined {
    return this.routes.find((r) => r.tenantId === tenantId)
  }

  all(): readonly TenantRoute[] {
    return this.routes
  }

  /** Swaps home and secondary and bumps the epoch (a failover). */
  swap(tenantId: string): TenantRoute {
    const route = this.get(tenantId)
    if (!route) throw new Error(`no route for tenant ${tenantId}`)
    ;[route.home, route.secondary] = [route.secondary, route.home]
    route.epoch += 1
    this.save()
    return route
  }

  private save(): void {
    writeFileSyncAtomic(this.file, JSON.stringify(this.routes, null, 2) + '\n')
  }
}
