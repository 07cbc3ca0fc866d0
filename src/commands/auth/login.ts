import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import type {DeviceCodeInfo} from '../../lib/auth/device-flow.js'
import type {BrowserSignInInfo} from '../../lib/auth/browser-flow.js'
import {openBrowser} from '../../lib/auth/open-browser.js'
import {durationFlag} from '../../lib/audit/duration.js'
import {login, type LoginResult} from '../../lib/auth/login.js'
import type {FederatedProviderName} from '../../lib/auth/federated-token.js'
import {createSpinner} from '../../lib/output/spinner.js'

export type AuthLoginResult = LoginResult

export default class AuthLogin extends BaseCommand<typeof AuthLogin> {
  static override summary = "Sign in: with a device code or the browser (people), a certificate or a CI system's token (service principals)."
  static override description = `Without --certificate, shows a verification address and a code: open the address in any browser, enter the code and sign in there. With --web, signs in in this machine's browser instead (authorization code with PKCE, answered on a loopback address 127.0.0.1 with a random port): the browser is opened where there is one (BROWSER names another program), and the address is printed to stderr either way (with --no-browser only printed); --timeout bounds the wait. The code is written to stderr (as a JSON line too with --json), so a script can hand it on. With --certificate, signs in as a service principal (PEM with the key, or PFX whose password comes from PPCTL_CERTIFICATE_PASSWORD, stdin or a prompt — never a flag).

Tokens are kept only in the OS keychain; the profile records who signed in, the tenant and the expiry. --insecure-storage (or PPCTL_CREDENTIAL_STORE=file) opts in to an unencrypted file instead.

In CI, set PPCTL_CLIENT_ID, PPCTL_TENANT_ID and PPCTL_CERTIFICATE_PATH (or PPCTL_CERTIFICATE with the PEM): every command then signs in on demand in memory and nothing is written; this command only checks that the variables work.

Without a certificate, a pipeline signs in with its CI system's own OIDC token (workload identity federation, no stored secret): PPCTL_CLIENT_ID and PPCTL_TENANT_ID, plus PPCTL_FEDERATED_TOKEN_FILE, or — in CI, --federated-provider auto — the variables of GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN), Azure DevOps (SYSTEM_OIDCREQUESTURI, SYSTEM_ACCESSTOKEN) or GitLab (PPCTL_ID_TOKEN from id_tokens:). The token is read or asked for again at every renewal, kept in memory only and never printed. When it is refused, ppctl auth doctor shows which of issuer, subject, audience or expiry does not match.`

  static override examples = [
    {description: 'Sign in to the local platform (after `ppctl sandbox start`)', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Create a profile for another OpenID provider',
      command: '<%= config.bin %> <%= command.id %> --profile work --authority https://login.example.com --client-id 0f6c…',
    },
    {
      description: 'A whole profile in one command: provider, global service, CA and cluster allow-list',
      command:
        '<%= config.bin %> <%= command.id %> --profile prod --authority https://login.example.com --client-id 0f6c… --global-url https://global.example.com --cluster-allow-list "*.clusters.example.com" --ca-file ./corp-ca.pem',
    },
    {
      description: 'A second profile on the same platform (e.g. another account): copy the platform settings of one',
      command: '<%= config.bin %> <%= command.id %> --profile sandbox-maker --from sandbox',
    },
    {
      description: 'Sign in as a service principal with a PEM file, in a profile of its own (not replacing the sandbox sign-in)',
      command: '<%= config.bin %> <%= command.id %> --profile ci --from sandbox --certificate ~/.ppctl-secrets/ci.pem --client-id sp-1234 --tenant contoso',
    },
    {
      description: 'With a PFX; the password from the environment',
      command:
        'PPCTL_CERTIFICATE_PASSWORD="$PFX_PASSWORD" <%= config.bin %> <%= command.id %> --profile ci --from sandbox --certificate ~/.ppctl-secrets/ci.pfx --client-id sp-1234 --tenant contoso',
    },
    {
      description: 'A pipeline with a federated token file (workload identity federation): nothing is stored',
      command: 'PPCTL_CLIENT_ID=3f2a… PPCTL_TENANT_ID=contoso PPCTL_FEDERATED_TOKEN_FILE="$RUNNER_TEMP/oidc.jwt" <%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Into a profile, from a token file re-read at every renewal',
      command: '<%= config.bin %> <%= command.id %> --profile ci --from sandbox --federated-token-file ./oidc.jwt --client-id 3f2a… --tenant contoso',
    },
    {description: "Sign in in this machine's browser", command: '<%= config.bin %> <%= command.id %> --web'},
    {
      description: 'Print the address only (open it yourself, on this machine), and wait at most 2 minutes',
      command: '<%= config.bin %> <%= command.id %> --web --no-browser --timeout 2m',
    },
    {
      description: 'Bind the tokens to a key kept with them (DPoP): a copied token is refused without the key',
      command: '<%= config.bin %> <%= command.id %> --dpop',
    },
    {
      description: 'Unattended: read the user code from stderr, approve it elsewhere',
      command: `<%= config.bin %> <%= command.id %> --json 2>code.jsonl & sleep 2; jq -r 'select(.userCode) | .userCode' code.jsonl`,
    },
  ]

  static override flags = {
    authority: Flags.string({description: "The OpenID provider's issuer URL (https); creates or updates the profile.", helpValue: 'URL'}),
    'client-id': Flags.string({description: 'The client (application) id; required with --certificate.', helpValue: 'ID'}),
    tenant: Flags.string({description: 'The tenant (id or name); required with --certificate.'}),
    certificate: Flags.string({description: 'Sign in with this certificate: PEM (certificate and key) or PFX/PKCS#12.', helpValue: 'FILE'}),
    resource: Flags.string({description: "The API's resource indicator to request tokens for (https).", helpValue: 'URL'}),
    'global-url': Flags.string({description: "The global service's base URL (https); saved in the profile.", helpValue: 'URL'}),
    'ca-file': Flags.string({description: 'A PEM file of extra CA certificates to trust (used for this sign-in and saved in the profile).', helpValue: 'FILE'}),
    'cluster-allow-list': Flags.string({description: 'Comma-separated host patterns a cluster URL must match; saved in the profile.', helpValue: 'PATTERNS'}),
    from: Flags.string({
      description: 'Copy the platform settings (authority, client id, global URL, CA file, allow-list) of this profile; the flags above override them.',
      helpValue: 'PROFILE',
    }),
    'federated-token-file': Flags.string({
      description:
        "Sign in as a service principal with a CI system's OIDC token in this file (workload identity federation), re-read at every renewal; also PPCTL_FEDERATED_TOKEN_FILE.",
      helpValue: 'FILE',
      exclusive: ['certificate', 'web'],
    }),
    'federated-provider': Flags.string({
      description: "Where the federated token comes from: the CI system's token service, a file, or auto (the first found; the default in CI).",
      options: ['github', 'gitlab', 'azure-devops', 'file', 'auto'],
      exclusive: ['certificate', 'web'],
    }),
    'federated-audience': Flags.string({
      description: 'The audience to ask GitHub Actions or Azure DevOps for (the federated credential expects it); default api://ppctl.',
      helpValue: 'AUD',
    }),
    web: Flags.boolean({
      description: "Sign in in this machine's browser (authorization code with PKCE, loopback redirect) instead of a device code.",
      exclusive: ['certificate'],
    }),
    browser: Flags.boolean({description: 'With --web: open the browser (--no-browser: only print the address).', default: true, allowNo: true}),
    timeout: Flags.string({description: 'With --web: how long to wait for the browser sign-in.', default: '5m', helpValue: 'DURATION'}),
    'insecure-storage': Flags.boolean({description: 'Keep tokens in an unencrypted 0600 file instead of the OS keychain (opt-in; warned at every use).'}),
    dpop: Flags.boolean({
      allowNo: true,
      description:
        'Bind the tokens to a new DPoP key (RFC 9449) kept with them in the credential store, so a copied token is useless without it; saved in the profile (--no-dpop turns it off).',
    }),
  }

  async run(): Promise<AuthLoginResult> {
    const controller = new AbortController()
    const onSigint = () => controller.abort()
    process.on('SIGINT', onSigint)
    const spinner = createSpinner(this.ctx.io)
    const timeoutMs = durationFlag('timeout', this.flags.timeout)
    try {
      const result = await login(this.ctx, {
        authority: this.flags.authority,
        clientId: this.flags['client-id'],
        tenant: this.flags.tenant,
        resource: this.flags.resource,
        globalUrl: this.flags['global-url'],
        caFile: this.flags['ca-file'],
        clusterAllowList: this.flags['cluster-allow-list'],
        from: this.flags.from,
        certificate: this.flags.certificate,
        federatedTokenFile: this.flags['federated-token-file'],
        federatedProvider: this.flags['federated-provider'] as FederatedProviderName | undefined,
        federatedAudience: this.flags['federated-audience'],
        insecureStorage: this.flags['insecure-storage'],
        dpop: this.flags.dpop,
        signal: controller.signal,
        ...(this.flags.web
          ? {
              web: {
                timeoutMs,
                onUrl: async (info: BrowserSignInInfo) => {
                  const opened = this.flags.browser && (await openBrowser(info.url, this.ctx.env))
                  this.showBrowserUrl(info, opened)
                  spinner.start('Waiting for the sign-in in the browser…')
                },
              },
            }
          : {}),
        onDeviceCode: (info) => {
          this.showDeviceCode(info)
          spinner.start('Waiting for you to approve the sign-in in the browser…')
        },
      })
      spinner.stop()
      for (const warning of result.warnings) this.note(text`Warning: ${warning}`)
      const who = result.account ?? result.clientId
      this.out(text`Signed in to profile "${result.profile}" as ${who}${result.tenantId ? ` (tenant ${result.tenantId})` : ''}.`)
      this.out(
        result.credentialStore === 'none'
          ? text`CI mode: the token was acquired in memory from ${result.federatedSource ?? 'PPCTL_* variables'}; nothing was stored.`
          : text`Tokens are kept in: ${result.credentialLocation ?? result.credentialStore}.`,
      )
      if (result.dpop) this.out(text`They are DPoP-bound: they work only with the key kept beside them there.`)
      return result
    } catch (err) {
      spinner.stop()
      throw err
    } finally {
      process.removeListener('SIGINT', onSigint)
    }
  }

  private showBrowserUrl(info: BrowserSignInInfo, opened: boolean): void {
    if (this.jsonEnabled()) {
      this.noteJson({event: 'browser_sign_in', url: info.url, host: info.host, redirectUri: info.redirectUri, opened, timeoutSeconds: info.timeoutSeconds})
      return
    }
    this.note(
      opened
        ? text`A browser was opened to sign in (host: ${info.host}). If it did not open, open this address on this machine:`
        : text`To sign in, open this address in a browser on this machine (host: ${info.host}):`,
    )
    this.note(text`${info.url}`)
    this.note(text`Waiting up to ${String(info.timeoutSeconds)} s for the sign-in; Ctrl-C cancels.`)
  }

  private showDeviceCode(info: DeviceCodeInfo): void {
    if (this.jsonEnabled()) {
      this.noteJson({event: 'device_code', ...info})
      return
    }
    this.note(text`To sign in, open ${info.verificationUri} in a browser (host: ${info.host})`)
    this.note(text`and enter the code: ${info.userCode}`)
    this.note(text`The code expires in ${Math.round(info.expiresIn / 60)} minutes.`)
  }
}
