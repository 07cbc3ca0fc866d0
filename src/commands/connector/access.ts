import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {explainAccess, type AccessExplanation, type AccessRole} from '../../lib/platform/access-explain.js'

export type ConnectorAccessResult = AccessExplanation

export default class ConnectorAccess extends BaseCommand<typeof ConnectorAccess> {
  static override summary = 'Tell whether a user may use a connector, and why.'
  static override description =
    "Asks the platform's access check for the role given (app-user by default) and for the other role, and explains the decision with the connector's tier and state and the user's licenses: blocked is blocked for everyone; makers are not restricted by licenses; app users need a SKU that grants premium connectors for premium and custom ones. Admins may ask about anyone; others about themselves. The exit code is 0 for allow and deny alike: read decision."

  static override examples = [
    {description: 'Why can this app user not use Salesforce?', command: '<%= config.bin %> <%= command.id %> shared_salesforce --user user@contoso.example'},
    {description: 'The same person building an app', command: '<%= config.bin %> <%= command.id %> shared_salesforce --user user@contoso.example --as maker'},
    {
      description: 'For a script: decision and reason code',
      command: '<%= config.bin %> <%= command.id %> shared_sql --user megan.bowen@contoso.example --json',
    },
  ]

  static override args = {
    id: Args.string({description: 'The connector id.', required: true}),
  }

  static override flags = {
    user: Flags.string({description: 'The user, by UPN (or id).', required: true}),
    as: Flags.option({
      options: ['maker', 'app-user'] as const,
      default: 'app-user' as const,
      description: 'The role to check for: building apps (maker) or running them (app-user).',
    })(),
  }

  async run(): Promise<ConnectorAccessResult> {
    const result = await explainAccess(this.ctx, this.args.id, this.flags.user, this.flags.as as AccessRole)
    this.view(
      recordView([
        [
          'Decision',
          `${result.decision === 'allow' ? 'ALLOW' : 'DENY'} — ${result.upn} as ${result.role === 'maker' ? 'a maker' : 'an app user'}, ${result.connectorName ? `${result.connectorName} (${result.connectorId})` : result.connectorId}`,
        ],
        ['Why', result.explanation],
        ['Reason code', result.reason],
        ['Licenses', result.licenses.join(', ') || 'none'],
        ...(result.nextStep ? [['Next', result.nextStep] as const] : []),
      ]),
    )
    return result
  }
}
