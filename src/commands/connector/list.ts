import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'
import {listConnectors, type Connector, type ConnectorTier} from '../../lib/platform/connectors.js'

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

  static override flags = {
    tier: Flags.option({options: ['standard', 'premium', 'custom'] as const, description: 'Only connectors of this tier.'})(),
    blocked: Flags.boolean({description: 'Only blocked connectors.', exclusive: ['allowed']}),
    allowed: Flags.boolean({description: 'Only connectors that are not blocked.', exclusive: ['blocked']}),
    search: Flags.string({description: 'Only connectors whose id or name contains this text.'}),
    env: Flags.string({
      description: "Only connectors usable in this environment (id or name): every standard and premium one, and that environment's custom connectors.",
    }),
  }

  async run(): Promise<ConnectorListResult> {
    const {tier, blocked, allowed, search, env} = this.flags
    const items: Connector[] = []
    for await (const c of listConnectors(this.ctx, {
      tier: tier as ConnectorTier | undefined,
      blocked: blocked ? true : allowed ? false : undefined,
      search,
      environment: env,
    }))
      items.push(c)
    this.view(
      tableView(
        ['Id', {header: 'Name', free: true}, {header: 'Publisher', free: true}, 'Tier', 'State'],
        items.map((c) => [c.id, c.displayName, c.publisher, c.tier, c.blocked ? 'blocked' : 'allowed']),
        {footer: text`${items.length} connector${items.length === 1 ? '' : 's'}`},
      ),
    )
    return {count: items.length, items}
  }
}
