import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {ExitCode, UsageError} from '../../lib/errors/index.js'
import {confirmOrCancel} from '../../lib/io/prompter.js'
import {renderTable} from '../../lib/output/table.js'
import {blockConnectors, setConnectorBlocked, type BlockResult} from '../../lib/platform/connectors.js'

export interface ConnectorBlockResult {
  results: BlockResult[]
  failed: number
}

export default class ConnectorBlock extends BaseCommand<typeof ConnectorBlock> {
  static override summary = 'Block connectors for every user and app of the tenant (ETag-guarded).'
  static override description =
    'Reads each connector for its ETag and blocks it with If-Match; when someone changed it in between (412) it reads it again once and blocks only if it is still not blocked. Core connectors cannot be blocked (exit 7, with the reason). With several ids each gets a result (the --json output too) and the command exits 10 when some failed. Asks for confirmation at a terminal; without one, pass --yes. Needs the Admin role.'

  static override strict = false
  protected readonly block: boolean = true

  static override examples = [
    {description: 'Block one connector (asks first)', command: '<%= config.bin %> <%= command.id %> shared_dropbox'},
    {description: 'Block several, unattended', command: '<%= config.bin %> <%= command.id %> shared_dropbox shared_googledrive shared_gmail --yes'},
    {description: 'Block and read the per-id results as JSON', command: '<%= config.bin %> <%= command.id %> shared_ftp shared_sql --yes --json'},
  ]

  static override args = {
    id: Args.string({description: 'Connector ids (one or more).', required: true}),
  }

  static override flags = {
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation (needed without a terminal).'}),
  }

  async run(): Promise<ConnectorBlockResult> {
    const {argv} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: BaseCommand.baseFlags,
      enableJsonFlag: true,
      args: this.ctor.args,
      strict: false,
    })
    const ids = [...new Set(argv as string[])]
    const stray = ids.find((id) => id.startsWith('-'))
    if (stray) throw new UsageError('USAGE', `Nonexistent flag: ${stray}`, {nextStep: `See the command help: ppctl connector ${this.block ? 'block' : 'unblock'} --help`})
    const verb = this.block ? 'Block' : 'Unblock'
    const what = ids.length === 1 ? `connector ${ids[0]}` : `${ids.length} connectors (${ids.join(', ')})`
    await confirmOrCancel(this.ctx.prompter, `${verb} ${what} for every user and app of the tenant?`, this.flags.yes)
    // One id: its error is the command's error (exit 6, 7 ...). Several: a result per id.
    const results = ids.length === 1 ? [await setConnectorBlocked(this.ctx, ids[0], this.block)] : await blockConnectors(this.ctx, ids, this.block)
    const failed = results.filter((r) => r.outcome === 'failed').length
    this.out(
      renderTable(
        ['Connector', 'Name', 'Result'],
        results.map((r) => [r.id, r.displayName ?? '', r.outcome === 'failed' ? `failed: ${r.error?.message ?? ''}` : r.outcome.replace('-', ' ')]),
        this.ctx.io,
      ),
    )
    if (failed > 0) {
      process.exitCode = ExitCode.PARTIAL
      this.note(text`${failed} of ${results.length} connectors could not be ${this.block ? 'blocked' : 'unblocked'}; the others were (exit 10).`)
    }
    return {results, failed}
  }
}
