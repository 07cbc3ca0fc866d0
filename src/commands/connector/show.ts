import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {getConnector, type Connector} from '../../lib/platform/connectors.js'

export type ConnectorShowResult = Connector

export default class ConnectorShow extends BaseCommand<typeof ConnectorShow> {
  static override summary = 'Show one connector: tier, publisher, blocked or not, whether it can be blocked, and its ETag.'
  static override description = 'Needs the Admin or Maker role. An unknown id exits 6.'

  static override examples = [
    {description: 'A seeded connector', command: '<%= config.bin %> <%= command.id %> shared_salesforce'},
    {description: 'The same, for a script', command: '<%= config.bin %> <%= command.id %> shared_salesforce --json'},
    {description: 'A custom connector', command: '<%= config.bin %> <%= command.id %> custom_my-api-1a2b3c'},
  ]

  static override args = {
    id: Args.string({description: 'The connector id, e.g. shared_sql (see: ppctl connector list).', required: true}),
  }

  async run(): Promise<ConnectorShowResult> {
    const c = await getConnector(this.ctx, this.args.id)
    this.view(
      recordView([
        ['Id', c.id],
        ['Name', c.displayName],
        ['Publisher', c.publisher],
        ['Tier', c.tier],
        ['State', c.blocked ? 'blocked' : 'allowed'],
        ['Can be blocked', c.unblockable ? 'no (core connector)' : 'yes'],
        ['Description', c.description],
        ...(c.createdBy ? [['Created by', c.createdBy] as const] : []),
        ['Updated', c.updatedAt],
        ['ETag', c.etag],
      ]),
    )
    return c
  }
}
