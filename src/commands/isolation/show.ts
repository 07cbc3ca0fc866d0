import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {getIsolation, type IsolationPolicy} from '../../lib/platform/isolation.js'

export type IsolationShowResult = IsolationPolicy

export const isolationView = (p: IsolationPolicy) =>
  recordView([
    ['Isolation', p.enabled ? 'on' : 'off'],
    [
      'Allowed tenants',
      p.allowedTenants
        .map((t) => `${t.tenantId} (${[t.inbound ? 'inbound' : '', t.outbound ? 'outbound' : ''].filter(Boolean).join(', ') || 'none'})`)
        .join('; ') || '-',
    ],
    ['Updated', p.updatedAt ? `${p.updatedAt} by ${p.updatedBy ?? '-'}` : 'never set'],
    ['ETag', p.etag],
  ])

export default class IsolationShow extends BaseCommand<typeof IsolationShow> {
  static override summary = 'Show the tenant isolation policy: on or off, and the partner tenants allowed inbound and/or outbound.'
  static override description =
    "With isolation on, a flow's connection that signs in as an account of another tenant is refused (403 TENANT_ISOLATION, audited) unless this tenant allows that tenant outbound and that tenant allows this one inbound. Needs the Admin role (else exit 5)."

  static override examples = [
    {description: 'The policy', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  async run(): Promise<IsolationShowResult> {
    const p = await getIsolation(this.ctx)
    this.view(isolationView(p))
    return p
  }
}
