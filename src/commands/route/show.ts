import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {ROUTE_SHOW} from '../../cli/fast-commands.js'
import type {RouteShowResult} from '../../lib/routing/show.js'
import {ROUTE_SHOW_FLAGS} from '../../lib/routing/show-flags.js'

export type {RouteShowResult}

export default class RouteShow extends BaseCommand<typeof RouteShow> {
  static override summary = 'Show which cluster serves a tenant: home, secondary, epoch and TTL, and whether the answer came from the cache.'
  static override description = `Asks the global service for the tenant's home cluster (the signed-in tenant unless --tenant is given; other tenants need the Support role), or answers from the profile's routing cache while the answer's TTL lasts. --refresh ignores the cache. The home cluster's URI must pass the profile's cluster allow-list; an answer that fails it is refused (exit 8) and not cached.`

  static override examples = [
    {description: "The signed-in tenant's route", command: '<%= config.bin %> <%= command.id %>'},
    {description: "Another tenant's route (Support role)", command: '<%= config.bin %> <%= command.id %> --tenant fabrikam'},
    {description: 'Ask the global service again, for a script', command: '<%= config.bin %> <%= command.id %> --refresh --json'},
  ]

  static override flags = {
    // Plain data and a run body shared with the fast path (src/cli/fast-commands.ts), which answers a warm `route show` without oclif.
    tenant: Flags.string(ROUTE_SHOW_FLAGS.tenant),
    refresh: Flags.boolean(ROUTE_SHOW_FLAGS.refresh),
  }

  async run(): Promise<RouteShowResult> {
    return ROUTE_SHOW.run(this.ctx, this.flags, this.sink)
  }
}
