import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {CONNECTOR_LIST} from '../../cli/fast-commands.js'
import type {Connector} from '../../lib/platform/connectors.js'

export interface ConnectorListResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: Connector[]
}

export default class ConnectorList extends BaseCommand<typeof ConnectorList> {
  static override summary = "List the tenant's connectors: id, name, publisher, tier and whether they are blocked."
  static override description =
    'Fetches every page the filters match (the table shows them all; --json gives every item with its ETag). Filters run on the platform: --tier, --blocked or --allowed, and --search (id or name contains the text). Needs the Admin or Maker role.'

  static override examples = [
    {description: 'Every connector of the tenant', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Premium connectors that are blocked', command: '<%= config.bin %> <%= command.id %> --tier premium --blocked'},
    {description: 'Connectors whose id or name contains "sql"', command: '<%= config.bin %> <%= command.id %> --search sql'},
    {description: 'Every custom connector, for a script', command: '<%= config.bin %> <%= command.id %> --tier custom --json'},
  ]

  // Plain data and a run body shared with the fast path (src/cli/fast-commands.ts), which runs a warm list without oclif.
  static override flags = {
    tier: Flags.string(CONNECTOR_LIST.flags.tier),
    blocked: Flags.boolean(CONNECTOR_LIST.flags.blocked),
    allowed: Flags.boolean(CONNECTOR_LIST.flags.allowed),
    search: Flags.string(CONNECTOR_LIST.flags.search),
    env: Flags.string(CONNECTOR_LIST.flags.env),
  }

  async run(): Promise<ConnectorListResult> {
    return CONNECTOR_LIST.run(this.ctx, this.flags, this.sink)
  }
}
