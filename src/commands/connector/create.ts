import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {createConnector, readConnectorDefinition, type Connector} from '../../lib/platform/connectors.js'

export type ConnectorCreateResult = Connector

export default class ConnectorCreate extends BaseCommand<typeof ConnectorCreate> {
  static override summary = 'Create a custom connector from a JSON definition file.'
  static override description =
    'The file holds {"displayName": "...", "description": "..."}; it is checked before anything is sent, and a problem is reported as one line naming the file and the field. The platform gives the connector its id (custom_<name>-<random>). Needs the Admin or Maker role.'

  static override examples = [
    {description: 'Create from a definition', command: '<%= config.bin %> <%= command.id %> --file my-api.json'},
    {description: 'Create it in another environment', command: '<%= config.bin %> <%= command.id %> --file my-api.json --env default'},
    {description: 'Create and keep the new id, for a script', command: '<%= config.bin %> <%= command.id %> --file my-api.json --json'},
    {
      description: 'A definition file',
      command:
        'echo \'{"displayName": "Orders API", "description": "Orders of the shop"}\' > orders.json && <%= config.bin %> <%= command.id %> --file orders.json',
    },
  ]

  static override flags = {
    file: Flags.string({description: 'The definition, a JSON file.', required: true}),
    env: Flags.string({description: 'The environment it belongs to (id or name); the default environment when absent.'}),
  }

  async run(): Promise<ConnectorCreateResult> {
    const definition = await readConnectorDefinition(this.flags.file)
    const c = await createConnector(this.ctx, {...definition, ...(this.flags.env ? {environmentId: this.flags.env} : {})})
    this.out(text`Created custom connector ${c.displayName} (${c.id})${c.environmentId ? text` in ${c.environmentId}` : ''}.`)
    return c
  }
}
