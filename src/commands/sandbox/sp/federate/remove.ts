import {Flags} from '@oclif/core'

import {BaseCommand} from '../../../../cli/base-command.js'
import {dataDirFlag, sandboxBaseFlags} from '../../../../cli/flags/sandbox.js'
import {text} from '../../../../lib/output/render.js'
import {removeFederatedCredential, type FederatedCredentialRecord} from '../../../../lib/sandbox/federation.js'
import {resolveDataDir} from '../../../../lib/sandbox/lifecycle.js'

export interface SandboxSpFederateRemoveResult extends FederatedCredentialRecord {
  clientId: string
}

export default class SandboxSpFederateRemove extends BaseCommand<typeof SandboxSpFederateRemove> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'Stop trusting a federated credential of a service principal.'
  static override description =
    'Tokens of its issuer and subject no longer sign in; access tokens already issued keep working until they expire (revoke them with `ppctl user revoke-sessions`). Audited.'

  static override examples = [{description: 'Remove one', command: '<%= config.bin %> <%= command.id %> --client-id 3f2a… --name app-main'}]

  static override flags = {
    'client-id': Flags.string({description: "The service principal's client id.", required: true, helpValue: 'ID'}),
    name: Flags.string({description: 'The federated credential to remove.', required: true}),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<SandboxSpFederateRemoveResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const removed = await removeFederatedCredential(dataDir, this.flags['client-id'], this.flags.name)
    this.out(text`Removed federated credential "${removed.name}" (${removed.issuer}, ${removed.subject}) of ${removed.clientId}.`)
    return removed
  }
}
