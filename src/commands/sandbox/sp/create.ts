import {Flags} from '@oclif/core'

import {BaseCommand} from '../../../cli/base-command.js'
import {text} from '../../../lib/output/render.js'
import {readSecret} from '../../../lib/io/read-secret.js'
import {recordView} from '../../../lib/output/view.js'
import {dataDirFlag, sandboxBaseFlags} from '../../../cli/flags/sandbox.js'
import {resolveDataDir} from '../../../lib/sandbox/lifecycle.js'
import {createServicePrincipal, type ServicePrincipalResult} from '../../../lib/sandbox/service-principal.js'

export type SandboxSpCreateResult = ServicePrincipalResult

export default class SandboxSpCreate extends BaseCommand<typeof SandboxSpCreate> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'Create a service principal that signs in with a certificate (role Admin).'
  static override description = `Generates an RSA key and a self-signed certificate, writes <name>.pem (certificate and key, 0600) and <name>.pfx (PKCS#12) into --out, and registers the certificate with the local platform. The PFX password is read from a prompt at a terminal, or from stdin when it is a pipe — never from a flag. --no-pfx writes only the PEM.`

  static override examples = [
    {
      description: 'Create one for a pipeline (prompts for the PFX password)',
      command: '<%= config.bin %> <%= command.id %> --tenant contoso --name ci-deploy --out ~/.ppctl-secrets',
    },
    {
      description: 'Unattended: the PFX password on stdin',
      command: 'printf %s "$PFX_PASSWORD" | <%= config.bin %> <%= command.id %> --tenant fabrikam --name nightly --out ~/.ppctl-secrets --json',
    },
    {description: 'PEM only', command: '<%= config.bin %> <%= command.id %> --tenant contoso --name ci --out ~/.ppctl-secrets --no-pfx'},
  ]

  static override flags = {
    tenant: Flags.string({description: 'Tenant name or id (contoso, fabrikam).', required: true}),
    name: Flags.string({description: 'Display name, also the file names.', required: true}),
    out: Flags.string({description: 'Folder for the PEM and PFX files.', required: true, helpValue: 'DIR'}),
    pfx: Flags.boolean({description: 'Also write a password-protected PFX.', default: true, allowNo: true}),
    days: Flags.integer({description: 'Certificate validity in days.', default: 365, min: 1, max: 3650}),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<SandboxSpCreateResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const pfxPassword = this.flags.pfx ? await readSecret(this.ctx, 'PFX password', 'pipe the PFX password on stdin, or pass --no-pfx') : undefined
    const result = await createServicePrincipal(this.ctx, {
      dataDir,
      tenant: this.flags.tenant,
      name: this.flags.name,
      outDir: this.flags.out,
      pfxPassword,
      days: this.flags.days,
    })
    this.view(
      recordView(
        [
          ['Client id', result.clientId],
          ['Tenant', result.tenantId],
          ['Roles', result.roles.join(', ')],
          ['Thumbprint (SHA-1)', result.thumbprint],
          ['x5t#S256', result.thumbprintS256],
          ['Expires', result.notAfter],
          ['PEM', result.pemFile],
          ...(result.pfxFile ? ([['PFX', result.pfxFile]] as Array<[string, string]>) : []),
        ],
        {footer: text`Next: ppctl auth login --certificate ${result.pemFile} --client-id ${result.clientId} --tenant ${this.flags.tenant}`},
      ),
    )
    return result
  }
}
