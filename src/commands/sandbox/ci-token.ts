import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {durationFlag} from '../../lib/audit/duration.js'
import {UsageError} from '../../lib/errors/index.js'
import {text} from '../../lib/output/render.js'
import {mintCiToken, startCiJob} from '../../lib/sandbox/federation.js'
import {resolveDataDir} from '../../lib/sandbox/lifecycle.js'

export interface SandboxCiTokenResult {
  issuer: string
  subject: string
  /** The minted token (without --job). */
  token?: string
  audience?: string
  expiresAt: string
  /** With --job: what a CI job's environment holds to ask for tokens itself (GitHub Actions and Azure DevOps names). */
  env?: Record<string, string>
}

export default class SandboxCiToken extends BaseCommand<typeof SandboxCiToken> {
  static override baseFlags = sandboxBaseFlags

  static override summary = "Mint a CI system's OIDC token from the local platform's CI token issuer (a test credential)."
  static override description = `The local platform plays GitHub Actions' token service: its CI issuer (https://ci.sandbox.localhost:<port>) has its own keys, discovery document and JWKS. Without --job, prints a token for --subject and --audience on stdout (as a runner's token: 5 minutes, or --lifetime; --expired mints one that has already expired). With --job, prints instead the variables of a job that asks for tokens itself — ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (GitHub), SYSTEM_OIDCREQUESTURI and SYSTEM_ACCESSTOKEN (Azure DevOps) — as export lines for a shell (eval "$(ppctl sandbox ci-token --job …)").

These are test credentials of the local platform only: they sign in only where a federated credential trusts this issuer (ppctl sandbox sp federate add).`

  static override examples = [
    {
      description: 'A token as a workflow on main would get it, into a file',
      command: '<%= config.bin %> <%= command.id %> --subject repo:contoso/app:ref:refs/heads/main --audience api://ppctl > "$RUNNER_TEMP/oidc.jwt"',
    },
    {
      description: 'The environment of a GitHub job, for ppctl auth login to ask for tokens',
      command: 'eval "$(<%= config.bin %> <%= command.id %> --job --subject repo:contoso/app:ref:refs/heads/main)"',
    },
    {
      description: 'An expired token, to see the error',
      command: '<%= config.bin %> <%= command.id %> --subject repo:contoso/app:ref:refs/heads/main --audience api://ppctl --expired',
    },
  ]

  static override flags = {
    subject: Flags.string({description: 'The subject (sub), e.g. repo:contoso/app:ref:refs/heads/main.', required: true}),
    audience: Flags.string({description: 'The audience (aud) of the token; required without --job.', helpValue: 'AUD'}),
    lifetime: Flags.string({description: 'How long the token is valid (at most 1h).', default: '5m', helpValue: 'DURATION'}),
    expired: Flags.boolean({description: 'Mint a token that expired 2 minutes ago.', exclusive: ['job']}),
    job: Flags.boolean({description: "Print a job's token-request variables (export lines) instead of a token.", exclusive: ['audience']}),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<SandboxCiTokenResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    if (this.flags.job) {
      const job = await startCiJob(dataDir, this.flags.subject)
      const env = {
        ACTIONS_ID_TOKEN_REQUEST_URL: job.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: job.requestToken,
        SYSTEM_OIDCREQUESTURI: job.azureDevOpsRequestUri,
        SYSTEM_ACCESSTOKEN: job.requestToken,
      }
      for (const [name, value] of Object.entries(env)) this.out(text`export ${name}='${value}'`)
      return {issuer: job.issuer, subject: job.subject, expiresAt: job.expiresAt, env}
    }
    if (!this.flags.audience) {
      throw new UsageError('USAGE', 'A token needs --audience (the one the federated credential expects).', {
        nextStep: 'ppctl sandbox ci-token --subject SUBJECT --audience api://ppctl',
      })
    }
    const lifetimeMs = durationFlag('lifetime', this.flags.lifetime)
    if (lifetimeMs < 1000 || lifetimeMs > 3_600_000) {
      throw new UsageError('USAGE', '--lifetime must be between 1s and 1h.', {nextStep: 'For an expired token, pass --expired.'})
    }
    const minted = await mintCiToken(dataDir, {
      subject: this.flags.subject,
      audience: this.flags.audience,
      lifetimeSeconds: this.flags.expired ? -120 : Math.round(lifetimeMs / 1000),
    })
    this.out(text`${minted.token}`)
    return minted
  }
}
