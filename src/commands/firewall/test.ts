import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {UsageError} from '../../lib/errors/index.js'
import {recordView} from '../../lib/output/view.js'
import {testFirewall, type FirewallDecision} from '../../lib/platform/firewall.js'

export type FirewallTestResult = FirewallDecision

export default class FirewallTest extends BaseCommand<typeof FirewallTest> {
  static override summary = 'Explain what the IP firewall in force does with a request from an address: allowed, blocked or would-block, and why.'
  static override description =
    'Evaluates the policy that applies (the environment\'s own, else the tenant default) on the platform; nothing is stored. The exit code is 0 whatever the outcome: read "outcome" in --json. Needs the Admin role.'

  static override examples = [
    {description: 'Would a request from this address get in?', command: '<%= config.bin %> <%= command.id %> --ip 203.0.113.7'},
    {
      description: 'Through the trusted proxy, for an environment',
      command: '<%= config.bin %> <%= command.id %> --ip 10.0.0.5 --forwarded-for 198.51.100.7 --env default',
    },
    {description: 'A service principal, for a script', command: '<%= config.bin %> <%= command.id %> --ip 203.0.113.7 --service-principal --json'},
  ]

  static override flags = {
    ip: Flags.string({description: 'The address the request comes from (its socket address).', required: true}),
    env: Flags.string({description: 'The environment the request is about (id or name).'}),
    'service-principal': Flags.boolean({description: 'The caller is a service principal (they may be exempt).'}),
    'forwarded-for': Flags.string({description: 'The X-Forwarded-For the request carries (honoured only when --ip is a trusted proxy).'}),
  }

  async run(): Promise<FirewallTestResult> {
    const {ip, env} = this.flags
    if (ip.length > 64) throw new UsageError('USAGE', '--ip is not an address.', {nextStep: 'e.g. --ip 203.0.113.7'})
    const d = await testFirewall(this.ctx, {
      ip,
      ...(env ? {environmentId: env} : {}),
      ...(this.flags['service-principal'] ? {servicePrincipal: true} : {}),
      ...(this.flags['forwarded-for'] ? {forwardedFor: this.flags['forwarded-for']} : {}),
    })
    this.view(
      recordView([
        ['Outcome', d.outcome],
        ['Client address', `${d.clientIp ?? 'unknown'} (from ${d.via === 'socket' ? 'the connection' : "the trusted proxy's X-Forwarded-For"})`],
        ['Why', d.reason],
        ['Policy', d.policyScope === 'tenant' ? 'tenant default' : `environment ${d.policyEnvironmentId ?? ''}`],
        ['Mode', !d.enabled ? 'off' : d.auditOnly ? 'audit-only' : 'enforced'],
        ...(d.matchedRange ? ([['Matched range', d.matchedRange]] as const) : []),
      ]),
    )
    return d
  }
}
