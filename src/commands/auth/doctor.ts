import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {authDoctor, type DoctorReport} from '../../lib/auth/doctor.js'
import type {FederatedProviderName} from '../../lib/auth/federated-token.js'
import {lines, text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'

export type AuthDoctorResult = DoctorReport

const VERDICT_WORDS = {pass: 'ok', warn: 'warning', fail: 'FAILED', skip: 'skipped'} as const

export default class AuthDoctor extends BaseCommand<typeof AuthDoctor> {
  static override summary = 'Check what a sign-in depends on, and say exactly what does not match.'
  static override description = `For a federated sign-in (a CI system's OIDC token), decodes the presented token — issuer, subject, audience, expiry; never the token itself — and compares it with the service principal's federated credentials where this machine may read them (the local platform's data folder: --data-dir, PPCTL_SANDBOX_DIR or the sandbox profile), naming the mismatch ("the subject is …, the credential expects …"); then asks the identity provider, whose answer names the field that did not match. For a certificate: the file, its password (PPCTL_CERTIFICATE_PASSWORD only: the doctor never prompts), its validity, and whether it is the registered one. For every method: the authority (discovery), this machine's clock against the platform's, the CA file, the proxy.

Each check has a verdict (ok, warning, FAILED, skipped) and a next step; the exit code is that of the first failed check's error code (see Error codes), 0 when none failed.`

  static override examples = [
    {description: 'In a pipeline, with the same variables as the sign-in', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'A token file against the local platform’s federated credentials',
      command:
        'PPCTL_CLIENT_ID=3f2a… PPCTL_TENANT_ID=contoso <%= config.bin %> <%= command.id %> --federated-token-file ./oidc.jwt --data-dir ~/.local/share/ppctl/sandbox',
    },
    {description: 'Only the failed checks, for a script', command: `<%= config.bin %> <%= command.id %> --json | jq '.checks[] | select(.verdict == "fail")'`},
  ]

  static override flags = {
    'federated-token-file': Flags.string({description: 'Check this federated token file (as auth login --federated-token-file).', helpValue: 'FILE'}),
    'federated-provider': Flags.string({
      description: 'Check the federated token of this CI system (as auth login --federated-provider).',
      options: ['github', 'gitlab', 'azure-devops', 'file', 'auto'],
    }),
    'federated-audience': Flags.string({description: 'The audience to ask the CI system for (default api://ppctl).', helpValue: 'AUD'}),
    'data-dir': Flags.string({
      description: "The local platform's data folder, to read the service principal's federated credentials (default: PPCTL_SANDBOX_DIR, then the profile's).",
      helpValue: 'DIR',
    }),
  }

  async run(): Promise<AuthDoctorResult> {
    const report = await authDoctor(this.ctx, {
      dataDir: this.flags['data-dir'],
      federatedTokenFile: this.flags['federated-token-file'],
      federatedProvider: this.flags['federated-provider'] as FederatedProviderName | undefined,
      federatedAudience: this.flags['federated-audience'],
    })
    const steps = report.checks.filter((c) => c.nextStep && (c.verdict === 'fail' || c.verdict === 'warn' || c.verdict === 'skip'))
    const t = report.federatedToken
    this.view(
      tableView(
        ['Check', 'Verdict', {header: 'Detail', free: true}],
        report.checks.map((c) => [c.name, VERDICT_WORDS[c.verdict], c.message]),
        {
          title: lines(
            text`Profile "${report.profile}" (${report.mode === 'environment' ? 'CI variables' : 'stored sign-in'}), method ${report.method ?? 'none'}${report.clientId ? `, client ${report.clientId}` : ''}`,
            t &&
              text`Presented token: issuer ${t.issuer ?? '-'}, subject ${t.subject ?? '-'}, audience ${t.audiences.join(', ') || '-'}, expires ${t.expiresAt ?? '-'}${t.expired ? ' (EXPIRED)' : ''}`,
          ),
          wrap: true,
          footer: lines(
            ...(steps.length > 0 ? steps.map((c) => text`Next (${c.name}): ${c.nextStep ?? ''}`) : []),
            report.ok ? text`No check failed.` : text`${String(report.checks.filter((c) => c.verdict === 'fail').length)} check(s) failed.`,
          ),
        },
      ),
    )
    this.exitWith(report.exitCode)
    return report
  }
}
