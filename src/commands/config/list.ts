import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {formatConfigValue} from '../../lib/config/keys.js'
import {listConfig, type ConfigEntry, type ConfigListResult} from '../../lib/config/settings.js'
import {tableView} from '../../lib/output/view.js'

export type {ConfigListResult}

export default class ConfigList extends BaseCommand<typeof ConfigList> {
  static override summary = "List the active profile's settings, with each value's source."
  static override description =
    'Shows every known key of the active profile (--profile, then PPCTL_PROFILE, then the default profile) with its effective value and where it comes from: the profile, an environment variable that overrides it (env), or nowhere (unset). The global key default-profile is listed too.'

  static override examples = [
    {description: 'Settings of the active profile', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Settings of another profile', command: '<%= config.bin %> <%= command.id %> --profile prod'},
    {
      description: 'For scripts: only the keys that are set',
      command: `<%= config.bin %> <%= command.id %> --json | jq '.items[] | select(.source != "unset")'`,
    },
  ]

  async run(): Promise<ConfigListResult> {
    const result = await listConfig(this.ctx)
    this.view(
      tableView(
        ['Key', {header: 'Value', free: true}, 'Source'],
        result.items.map((k) => [k.key, k.value === null ? '' : formatConfigValue(k.value), sourceText(k)]),
        // A value is wrapped rather than cut: a person reads the setting to see all of it.
        {title: text`Profile: ${result.profile}${result.profileExists ? '' : ' (not created yet)'}`, wrap: true},
      ),
    )
    return result
  }
}

function sourceText(entry: ConfigEntry): string {
  return entry.source === 'env' && entry.env ? `env (${entry.env})` : entry.source
}
