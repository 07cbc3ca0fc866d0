import {Flags} from '@oclif/core'

import {BaseCommand} from '../../../../cli/base-command.js'
import {dataDirFlag, sandboxBaseFlags} from '../../../../cli/flags/sandbox.js'
import {tableView} from '../../../../lib/output/view.js'
import {listFederatedCredentials, type FederatedCredentialRecord} from '../../../../lib/sandbox/federation.js'
import {resolveDataDir} from '../../../../lib/sandbox/lifecycle.js'

export interface SandboxSpFederateListResult {
  clientId: string
  tenantId: string
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: FederatedCredentialRecord[]
}

export default class SandboxSpFederateList extends BaseCommand<typeof SandboxSpFederateList> {
  static override baseFlags = sandboxBaseFlags

  static override summary = "List a service principal's federated credentials."
  static override description = 'Each names the issuer, subject and audiences of the CI tokens that sign in as the service principal.'

  static override examples = [
    {description: 'The federated credentials of one service principal', command: '<%= config.bin %> <%= command.id %> --client-id 3f2a…'},
  ]

  static override flags = {
    'client-id': Flags.string({description: "The service principal's client id.", required: true, helpValue: 'ID'}),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<SandboxSpFederateListResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const list = await listFederatedCredentials(dataDir, this.flags['client-id'])
    this.view(
      tableView(
        ['Name', 'Issuer', {header: 'Subject', free: true}, 'Audiences'],
        list.items.map((c) => [c.name, c.issuer, c.subject, c.audiences.join(', ')]),
      ),
    )
    return {clientId: list.clientId, tenantId: list.tenantId, count: list.items.length, items: list.items}
  }
}
