import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {yesFlag} from '../../cli/flags/confirm.js'
import {text} from '../../lib/output/render.js'
import {confirmOrCancel} from '../../lib/io/prompter.js'
import {deleteConnector, type DeleteResult} from '../../lib/platform/connectors.js'

export type ConnectorDeleteResult = DeleteResult

export default class ConnectorDelete extends BaseCommand<typeof ConnectorDelete> {
  static override summary = 'Delete a custom connector.'
  static override description =
    'Only custom connectors can be deleted (others exit 7: block them instead). Admins delete any custom connector, makers only their own. Asks for confirmation at a terminal; without one, pass --yes.'

  static override examples = [
    {description: 'Delete a custom connector (asks first)', command: '<%= config.bin %> <%= command.id %> custom_orders-api-1a2b3c'},
    {description: 'Unattended', command: '<%= config.bin %> <%= command.id %> custom_orders-api-1a2b3c --yes'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> custom_orders-api-1a2b3c --yes --json'},
  ]

  static override args = {
    id: Args.string({description: 'The custom connector id.', required: true}),
  }

  static override flags = {
    yes: yesFlag,
  }

  async run(): Promise<ConnectorDeleteResult> {
    await confirmOrCancel(this.ctx.prompter, `Delete the custom connector ${this.args.id}? Apps that use it stop working.`, this.flags.yes)
    const result = await deleteConnector(this.ctx, this.args.id)
    this.out(text`Deleted ${result.displayName} (${result.id}).`)
    return result
  }
}
