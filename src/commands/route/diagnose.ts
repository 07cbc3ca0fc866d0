import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag} from '../../lib/audit/duration.js'
import {diagnoseRoute, diagnosisExitCode, type RouteDiagnosis} from '../../lib/routing/diagnose.js'
import {renderDiagnosis} from '../../lib/routing/diagnose-render.js'

export type RouteDiagnoseResult = RouteDiagnosis

export default class RouteDiagnose extends BaseCommand<typeof RouteDiagnose> {
  static override summary = "Diagnose a tenant's route hop by hop: profile, authority, token, proxy, global service, and the home and secondary clusters."
  static override description = `Each hop gets its timing and a verdict — OK, WARN or FAIL — with the cause and the next step: the profile and the authority's discovery document; the token (tenant, audience, expiry, clock skew against the server's Date); the proxy in use (credentials redacted); the global service (latency, the route, the cache state); then for the home and the secondary cluster: DNS answers, TCP connect, TLS handshake and certificate (verified with the profile's CA, never bypassed), and GET /v1/health (role, region, replication lag). The last line is the verdict.

Exit 0 when the route works (OK, or WARN only), 8 when it does not (the JSON result is printed either way). The --json form is what a support ticket should carry; its schema is schemas/route-diagnose.json. Support accounts can diagnose any tenant with --tenant.`

  static override examples = [
    {description: "Diagnose the signed-in tenant's route", command: '<%= config.bin %> <%= command.id %>'},
    {
      description: "Diagnose another tenant's route for a ticket (Support role)",
      command: '<%= config.bin %> <%= command.id %> --tenant fabrikam --json > diagnosis.json',
    },
  ]

  static override flags = {
    tenant: Flags.string({description: 'Tenant id or name (default: the signed-in tenant; others need the Support role).'}),
    slow: Flags.string({description: 'A hop that takes longer than this is WARN (a duration: 500ms, 2s).', default: '1s'}),
  }

  async run(): Promise<RouteDiagnoseResult> {
    const diagnosis = await diagnoseRoute(this.ctx, {tenant: this.flags.tenant, slowMs: durationFlag('slow', this.flags.slow)})
    this.out(renderDiagnosis(diagnosis, this.ctx.io))
    // Not an error: the result (and its JSON) is the report either way; the exit code says whether the route works.
    this.exitWith(diagnosisExitCode(diagnosis))
    return diagnosis
  }
}
