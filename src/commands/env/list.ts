import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'
import {listEnvironments, type Environment} from '../../lib/platform/environments.js'

export interface EnvListResult {
  /** How many items there are. @asType integer @minimum 0 */
  count: number
  items: Environment[]
}

export default class EnvList extends BaseCommand<typeof EnvList> {
  static override summary = "List the tenant's environments: id, name, type and the security group that restricts each."
  static override description =
    'The default environment first, then by name. Custom connectors and flows belong to an environment; DLP policies apply to environments. Needs the Admin or Maker role.'

  static override examples = [
    {description: 'Every environment', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Their ids, for a script', command: "<%= config.bin %> <%= command.id %> --query 'items[].id' -o tsv"},
  ]

  async run(): Promise<EnvListResult> {
    const items: Environment[] = []
    for await (const e of listEnvironments(this.ctx)) items.push(e)
    this.view(
      tableView(
        ['Id', {header: 'Name', free: true}, 'Type', 'Security group'],
        items.map((e) => [e.id, e.displayName, e.type, e.securityGroupId ?? '-']),
        {footer: text`${items.length} environment${items.length === 1 ? '' : 's'}`},
      ),
    )
    return {count: items.length, items}
  }
}
