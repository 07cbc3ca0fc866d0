// `ppctl connector unblock`: let the tenant use connectors again, after asking.
import {BaseCommand} from '../../cli/base-command.js'
import {connectorBlockingArgs, connectorBlockingFlags, setConnectorsBlocked, type ConnectorBlockingResult} from '../../cli/connector-blocking.js'

export type ConnectorUnblockResult = ConnectorBlockingResult

export default class ConnectorUnblock extends BaseCommand<typeof ConnectorUnblock> {
  static override summary = 'Unblock connectors, so users and apps of the tenant may use them again (ETag-guarded).'
  static override description =
    'Reads each connector for its ETag and unblocks it with If-Match; when someone changed it in between (412) it reads it again once and unblocks only if it is still blocked. With several ids each gets a result (the --json output too), --concurrency at a time (8) in the order given, with progress on stderr at a terminal, and the command exits 10 when some failed; Ctrl-C starts no new one and says what was done (exit 130). Asks for confirmation at a terminal; without one, pass --yes. Needs the Admin role.'

  static override strict = false

  static override examples = [
    {description: 'Unblock one connector (asks first)', command: '<%= config.bin %> <%= command.id %> shared_dropbox'},
    {description: 'Unblock several, unattended', command: '<%= config.bin %> <%= command.id %> shared_dropbox shared_gmail --yes'},
    {description: 'Unblock, for a script', command: '<%= config.bin %> <%= command.id %> shared_ftp --yes --json'},
  ]

  static override args = connectorBlockingArgs

  static override flags = connectorBlockingFlags

  async run(): Promise<ConnectorUnblockResult> {
    const {argv} = await this.parse({flags: this.ctor.flags, baseFlags: BaseCommand.baseFlags, enableJsonFlag: true, args: this.ctor.args, strict: false})
    return this.bulkOutcome(await setConnectorsBlocked(this.ctx, argv as string[], {block: false, yes: this.flags.yes, concurrency: this.flags.concurrency}))
  }
}
