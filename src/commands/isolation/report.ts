import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'
import {isolationReport, type IsolationReport} from '../../lib/platform/isolation.js'

export type IsolationReportResult = IsolationReport

export default class IsolationReportCommand extends BaseCommand<typeof IsolationReportCommand> {
  static override summary = "List the connections of this tenant's flows that cross into other tenants, and which ones isolation would refuse."
  static override description =
    'Judged as if isolation were on with the partner tenants allowed as set now (this tenant outbound, the partner inbound), so an admin sees what turning it on would break. The exit code is 0 whatever it finds: read "wouldBeRefused" in --json. Needs the Admin role (else exit 5).'

  static override examples = [
    {description: 'What would isolation break?', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Only the refused ones, for a script', command: "<%= config.bin %> <%= command.id %> --json --query 'items[?wouldBeRefused]'"},
  ]

  async run(): Promise<IsolationReportResult> {
    const r = await isolationReport(this.ctx)
    this.view(
      tableView(
        ['Flow', 'Environment', 'Connector', 'Account tenant', 'Direction', 'With isolation on'],
        r.items.map((i) => [
          i.flowName,
          i.environmentId,
          i.connectorId,
          i.accountTenant,
          i.direction,
          i.wouldBeRefused ? `refused (by ${i.refusedBy ?? '?'})` : 'allowed',
        ]),
        {
          empty: text`No flow connection crosses into another tenant.`,
          footer: text`${String(r.crossings)} cross-tenant connection(s); ${String(r.wouldBeRefused)} would be refused with isolation on (it is ${r.isolationEnabled ? 'on' : 'off'}).`,
        },
      ),
    )
    return r
  }
}
