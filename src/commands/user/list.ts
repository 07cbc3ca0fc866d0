import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'
import {listUsers, type User} from '../../lib/platform/users.js'

export interface UserListResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: User[]
}

export default class UserList extends BaseCommand<typeof UserList> {
  static override summary = "List the tenant's users: UPN, name, roles and whether they can sign in."
  static override description = 'Fetches every page. --search matches the UPN or the display name. Needs the Admin role.'

  static override examples = [
    {description: 'Every user', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Users whose UPN or name contains "megan"', command: '<%= config.bin %> <%= command.id %> --search megan'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    search: Flags.string({description: 'Only users whose UPN or display name contains this text.'}),
  }

  async run(): Promise<UserListResult> {
    const items: User[] = []
    for await (const u of listUsers(this.ctx, {search: this.flags.search})) items.push(u)
    this.view(
      tableView(
        ['UPN', {header: 'Name', free: true}, {header: 'Roles', free: true}, 'Sign-in'],
        items.map((u) => [u.upn, u.displayName, u.roles.join(', '), u.signInEnabled ? 'yes' : 'no']),
        {footer: text`${items.length} user${items.length === 1 ? '' : 's'}`},
      ),
    )
    return {count: items.length, items}
  }
}
