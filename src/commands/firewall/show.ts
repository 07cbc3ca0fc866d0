import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {getFirewall, type TenantFirewallPolicy} from '../../lib/platform/firewall.js'

export type FirewallShowResult = TenantFirewallPolicy

export const modeOf = (p: Pick<TenantFirewallPolicy, 'enabled' | 'auditOnly'>) =>
  !p.enabled ? 'off' : p.auditOnly ? 'audit-only (logs, blocks nothing)' : 'enforced'

export default class FirewallShow extends BaseCommand<typeof FirewallShow> {
  static override summary = "Show the IP firewall: the tenant default, or an environment's policy (mode, allowed ranges, exemptions, trusted proxies, ETag)."
  static override description =
    'The tenant default applies to every API request of the tenant except those about an environment with a policy of its own. Needs the Admin role (else exit 5); an unknown environment is exit 6.'

  static override examples = [
    {description: "The tenant's default policy", command: '<%= config.bin %> <%= command.id %>'},
    {description: 'An environment, for a script', command: '<%= config.bin %> <%= command.id %> --env default --json'},
  ]

  static override flags = {
    env: Flags.string({description: 'The environment (id or name); the tenant default when absent.'}),
  }

  async run(): Promise<FirewallShowResult> {
    const p = await getFirewall(this.ctx, this.flags.env)
    const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '-')
    this.view(
      recordView([
        [
          'Scope',
          p.scope === 'tenant' ? 'tenant default' : `environment ${p.environmentId ?? ''}${p.inheritsTenantDefault ? ' (inherits the tenant default)' : ''}`,
        ],
        ['Mode', modeOf(p)],
        ['Allowed ranges', `${list(p.allowedRanges)} (${p.allowedRanges.length}/200)`],
        ['Service principals', p.exemptServicePrincipals ? 'exempt' : 'checked like users'],
        ['Trusted proxies', list(p.trustedProxies)],
        ...(p.environmentOverrides ? ([['Own policies', list(p.environmentOverrides)]] as const) : []),
        ['Updated', p.updatedAt ? `${p.updatedAt} by ${p.updatedBy ?? '-'}` : 'never set'],
        ['ETag', p.etag],
      ]),
    )
    return p
  }
}
