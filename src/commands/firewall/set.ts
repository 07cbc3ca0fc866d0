import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {lines, text} from '../../lib/output/render.js'
import {recordView, tableView} from '../../lib/output/view.js'
import {
  dryRunFirewall,
  getFirewall,
  rangesFromFile,
  rangesFromFlags,
  setFirewall,
  type FirewallDryRun,
  type TenantFirewallPolicy,
  type FirewallSettings,
} from '../../lib/platform/firewall.js'
import {modeOf} from './show.js'

export type FirewallSetResult = ({dryRun: false} & TenantFirewallPolicy) | ({dryRun: true; proposed: FirewallSettings} & FirewallDryRun)

export default class FirewallSet extends BaseCommand<typeof FirewallSet> {
  static override summary =
    'Set the IP firewall of the tenant (its default) or of an environment: allowed ranges, audit-only or enforced, exemptions, trusted proxies.'
  static override description = `The policy is enabled unless --off: enforced, or with --audit-only logged only (request.would_block). Ranges from --range (repeatable, comma-separated) or --file (one or more per line, # comments; a bad one is named by line and column) replace the current ones; without either they are kept, as are the proxies and the exemption unless given. At most 200 ranges, IPv4 or IPv6 CIDR.

A policy that would block your own address (as the platform sees this request) is refused (exit 7) unless --force. --dry-run changes nothing: it lists the addresses of the audit log of the last --days days that the proposed policy would block (and says whether yours is one). Needs the Admin role (else exit 5); a policy changed since it was read (--if-match, or a concurrent change) is exit 7.`

  static override examples = [
    {description: 'Roll out: audit-only first, for the office range', command: '<%= config.bin %> <%= command.id %> --range 203.0.113.0/24 --audit-only'},
    {description: 'What would it have blocked in the last 14 days?', command: '<%= config.bin %> <%= command.id %> --file ranges.txt --dry-run --days 14'},
    {
      description: 'Enforce for one environment, behind a reverse proxy',
      command: '<%= config.bin %> <%= command.id %> --env finance --file ranges.txt --trusted-proxy 10.0.0.5',
    },
    {description: 'Turn it off', command: '<%= config.bin %> <%= command.id %> --off'},
  ]

  static override flags = {
    env: Flags.string({description: 'The environment (id or name); the tenant default when absent.'}),
    range: Flags.string({description: 'An allowed CIDR range (repeatable, or comma-separated).', multiple: true}),
    file: Flags.string({description: 'A file of allowed ranges: one or more per line, # comments.', exclusive: ['range']}),
    'audit-only': Flags.boolean({description: 'Log what would be blocked (request.would_block), block nothing.', exclusive: ['off']}),
    off: Flags.boolean({description: 'Turn the firewall off (the ranges are kept).'}),
    'exempt-service-principals': Flags.boolean({description: 'Let service principals in from any address (--no-… to check them).', allowNo: true}),
    'trusted-proxy': Flags.string({description: 'A reverse proxy whose X-Forwarded-For is honoured (repeatable); "none" clears them.', multiple: true}),
    'dry-run': Flags.boolean({description: 'Change nothing: list what the audit log says the policy would have blocked.'}),
    days: Flags.integer({description: 'With --dry-run: how many days of the audit log to check (default 7).', min: 1, max: 90, dependsOn: ['dry-run']}),
    force: Flags.boolean({description: 'Apply even though the policy blocks your own address.'}),
    'if-match': Flags.string({description: "Apply only if the policy's ETag is still this one (from firewall show)."}),
  }

  async run(): Promise<FirewallSetResult> {
    const f = this.flags
    const ranges = f.file ? rangesFromFile(f.file) : f.range ? rangesFromFlags(f.range, '--range') : undefined
    const proxies = f['trusted-proxy'] ? (f['trusted-proxy'].includes('none') ? [] : rangesFromFlags(f['trusted-proxy'], '--trusted-proxy')) : undefined
    const current = await getFirewall(this.ctx, f.env)
    const settings: FirewallSettings = {
      enabled: f.off !== true,
      auditOnly: f['audit-only'] === true,
      allowedRanges: ranges ?? current.allowedRanges,
      exemptServicePrincipals: f['exempt-service-principals'] ?? current.exemptServicePrincipals,
      trustedProxies: proxies ?? current.trustedProxies,
    }
    if (f['dry-run']) {
      const d = await dryRunFirewall(this.ctx, settings, f.days ?? 7, f.env)
      this.view(
        tableView(
          ['Address', 'Requests', 'Last seen', {header: 'Actors', free: true}],
          d.wouldBlock.map((w) => [w.ip, w.requests, w.lastSeen, w.actors.join(', ')]),
          {
            empty: text`Nothing in the audit log of the last ${String(d.days)} days would have been blocked (${String(d.eventsChecked)} events checked).`,
            footer: lines(
              text`${String(d.wouldBlock.length)} address(es) would have been blocked in the last ${String(d.days)} days (${String(d.eventsChecked)} events checked${d.truncated ? ', the newest only' : ''}). Nothing was changed.`,
              ...(d.callerWouldBeBlocked
                ? [text`Your own address ${d.callerAddress ?? '(unknown)'} would be blocked: add it, or use --audit-only first.`]
                : []),
            ),
          },
        ),
      )
      return {dryRun: true, proposed: settings, ...d}
    }
    const p = await setFirewall(this.ctx, settings, f['if-match'] ?? current.etag, {env: f.env, force: f.force})
    if (p.warning) this.note(text`Warning: ${p.warning}`)
    this.view(
      recordView([
        ['Scope', p.scope === 'tenant' ? 'tenant default' : `environment ${p.environmentId ?? ''}`],
        ['Mode', modeOf(p)],
        ['Allowed ranges', `${p.allowedRanges.join(', ') || '-'} (${p.allowedRanges.length}/200)`],
        ['Service principals', p.exemptServicePrincipals ? 'exempt' : 'checked like users'],
        ['Trusted proxies', p.trustedProxies.join(', ') || '-'],
        ['ETag', p.etag],
      ]),
    )
    return {dryRun: false, ...p}
  }
}
