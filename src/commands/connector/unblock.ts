import ConnectorBlock from './block.js'

export type {ConnectorBlockResult as ConnectorUnblockResult} from './block.js'

export default class ConnectorUnblock extends ConnectorBlock {
  static override summary = 'Unblock connectors, so users and apps of the tenant may use them again (ETag-guarded).'
  static override description =
    'Reads each connector for its ETag and unblocks it with If-Match; when someone changed it in between (412) it reads it again once and unblocks only if it is still blocked. With several ids each gets a result (the --json output too) and the command exits 10 when some failed. Asks for confirmation at a terminal; without one, pass --yes. Needs the Admin role.'

  protected override readonly block: boolean = false

  static override examples = [
    {description: 'Unblock one connector (asks first)', command: '<%= config.bin %> <%= command.id %> shared_dropbox'},
    {description: 'Unblock several, unattended', command: '<%= config.bin %> <%= command.id %> shared_dropbox shared_gmail --yes'},
    {description: 'Unblock, for a script', command: '<%= config.bin %> <%= command.id %> shared_ftp --yes --json'},
  ]
}
