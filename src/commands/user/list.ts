import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {USER_LIST} from '../../cli/fast-commands.js'
import type {User} from '../../lib/platform/users.js'

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

  // Plain data and a run body shared with the fast path (src/cli/fast-commands.ts).
  static override flags = {
    search: Flags.string(USER_LIST.flags.search),
  }

  async run(): Promise<UserListResult> {
    return USER_LIST.run(this.ctx, this.flags, this.sink)
  }
}
