import {Flags} from '@oclif/core'

import {BaseCommand} from '../../../../cli/base-command.js'
import {dataDirFlag, sandboxBaseFlags} from '../../../../cli/flags/sandbox.js'
import {text} from '../../../../lib/output/render.js'
import {recordView} from '../../../../lib/output/view.js'
import {addFederatedCredential, type FederatedCredentialRecord} from '../../../../lib/sandbox/federation.js'
import {resolveDataDir} from '../../../../lib/sandbox/lifecycle.js'

export interface SandboxSpFederateAddResult extends FederatedCredentialRecord {
  clientId: string
  /** False when a credential of that name was replaced. */
  created: boolean
}

export default class SandboxSpFederateAdd extends BaseCommand<typeof SandboxSpFederateAdd> {
  static override baseFlags = sandboxBaseFlags

  static override summary = "Trust a CI system's tokens for a service principal (workload identity federation)."
  static override description = `A token whose issuer and subject equal --issuer and --subject exactly, and whose audience is one of --audience, then signs in as the service principal (ppctl auth login --federated-token-file, or from the CI system's variables) — no certificate or secret is kept in the pipeline. The issuer defaults to the local platform's CI token issuer (ppctl sandbox ci-token). A credential of the same --name is replaced. Audited in the service principal's tenant, with the values before and after.`

  static override examples = [
    {
      description: "GitHub Actions' main branch of contoso/app, through the local CI issuer",
      command: '<%= config.bin %> <%= command.id %> --client-id 3f2a… --name app-main --subject repo:contoso/app:ref:refs/heads/main --audience api://ppctl',
    },
    {
      description: 'The real GitHub issuer, for a deployment environment',
      command:
        '<%= config.bin %> <%= command.id %> --client-id 3f2a… --name app-prod --issuer https://token.actions.githubusercontent.com --subject repo:contoso/app:environment:prod --audience api://ppctl',
    },
  ]

  static override flags = {
    'client-id': Flags.string({description: "The service principal's client id (from `sandbox sp create`).", required: true, helpValue: 'ID'}),
    name: Flags.string({description: 'A name for the credential (1–64 letters, digits, ".", "_", "-").', required: true}),
    issuer: Flags.string({description: "The token issuer's URL (https); default: the local platform's CI token issuer.", helpValue: 'URL'}),
    subject: Flags.string({description: 'The exact subject (sub) of the tokens, e.g. repo:contoso/app:ref:refs/heads/main.', required: true}),
    audience: Flags.string({description: 'An accepted audience (aud); repeat for more (at most 5).', required: true, multiple: true, helpValue: 'AUD'}),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<SandboxSpFederateAddResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const result = await addFederatedCredential(dataDir, {
      clientId: this.flags['client-id'],
      name: this.flags.name,
      issuer: this.flags.issuer,
      subject: this.flags.subject,
      audiences: this.flags.audience,
    })
    this.view(
      recordView(
        [
          ['Client id', result.clientId],
          ['Name', result.name],
          ['Issuer', result.issuer],
          ['Subject', result.subject],
          ['Audiences', result.audiences.join(', ')],
        ],
        {
          footer: text`${result.created ? 'Added' : 'Replaced'}. Next: PPCTL_CLIENT_ID=${result.clientId} ppctl auth login --federated-token-file FILE --tenant TENANT`,
        },
      ),
    )
    return result
  }
}
