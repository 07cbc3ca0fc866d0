import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {getUser, type UserDetails} from '../../lib/platform/users.js'

export type UserShowResult = UserDetails

export default class UserShow extends BaseCommand<typeof UserShow> {
  static override summary = 'Show one user: roles, licenses, and whether they may use premium connectors in apps.'
  static override description = 'Admins may look at anyone; others at themselves. An unknown user exits 6.'

  static override examples = [
    {description: 'A user', command: '<%= config.bin %> <%= command.id %> megan.bowen@contoso.example'},
    {description: 'Yourself', command: '<%= config.bin %> <%= command.id %> user@contoso.example'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> megan.bowen@contoso.example --json'},
  ]

  static override args = {
    upn: Args.string({description: 'The user, by UPN (or id).', required: true}),
  }

  async run(): Promise<UserShowResult> {
    const u = await getUser(this.ctx, this.args.upn)
    this.view(
      recordView([
        ['UPN', u.upn],
        ['Name', u.displayName],
        ['Id', u.id],
        ['Roles', u.roles.join(', ')],
        ['Sign-in', u.signInEnabled ? 'enabled' : 'not enabled'],
        ['Licenses', u.licenses.map((l) => l.skuId).join(', ') || 'none'],
        ['Premium', u.premium.entitled ? `yes, through ${u.premium.via.join(', ')}` : 'no: holds no SKU that grants premium connectors'],
      ]),
    )
    return u
  }
}
