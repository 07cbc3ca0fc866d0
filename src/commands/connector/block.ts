// `ppctl connector block`: block connectors for the whole tenant, after asking.
import {BaseCommand} from '../../cli/base-command.js'
import {connectorBlockingArgs, connectorBlockingFlags, setConnectorsBlocked, type ConnectorBlockingResult} from '../../cli/connector-blocking.js'

export type ConnectorBlockResult = ConnectorBlockingResult

export default class ConnectorBlock extends BaseCommand<typeof ConnectorBlock> {
  static override summary = 'Block connectors for every user and app of the tenant (ETag-guarded).'
  static override description =
    'Reads each connector for its ETag and blocks it with If-Match; when someone changed it in between (412) it reads it again once and blocks only if it is still not blocked. Core connectors cannot be blocked (exit 7, with the reason). With several ids each gets a result (the --json output too), --concurrency at a time (8) in the order given, with progress on stderr at a terminal, and the command exits 10 when some failed; Ctrl-C starts no new one and says what was done (exit 130). Asks for confirmation at a terminal; without one, pass --yes. Needs the Admin role.'

  static override strict = false

  static override examples = [
    {description: 'Block one connector (asks first)', command: '<%= config.bin %> <%= command.id %> shared_dropbox'},
    {description: 'Block several, unattended', command: '<%= config.bin %> <%= command.id %> shared_dropbox shared_googledrive shared_gmail --yes'},
    {description: 'Block and read the per-id results as JSON', command: '<%= config.bin %> <%= command.id %> shared_ftp shared_sql --yes --json'},
  ]

  static override args = connectorBlockingArgs

  static override flags = connectorBlockingFlags

  async run(): Promise<ConnectorBlockResult> {
    const {argv} = await this.parse({flags: this.ctor.flags, baseFlags: BaseCommand.baseFlags, enableJsonFlag: true, args: this.ctor.args, strict: false})
    return this.bulkOutcome(await setConnectorsBlocked(this.ctx, argv as string[], {block: true, yes: this.flags.yes, concurrency: this.flags.concurrency}))
  }
}
