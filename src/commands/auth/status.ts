import {BaseCommand} from '../../cli/base-command.js'
import {indent, joinRendered, lines, multiline, text} from '../../lib/output/render.js'
import {authStatus, type StatusResult} from '../../lib/auth/status.js'
import {PpctlError} from '../../lib/errors/index.js'
import {renderError} from '../../lib/output/render-error.js'
import {renderKeyValue} from '../../lib/output/table.js'
import {tableView} from '../../lib/output/view.js'

export type AuthStatusResult = StatusResult

export default class AuthStatus extends BaseCommand<typeof AuthStatus> {
  static override summary = "Show each profile's sign-in: account, tenant, method, token expiry, credential store, routing cache age."
  static override description =
    'Reads the profile config and the credential store; makes no network request. The active profile (--profile, PPCTL_PROFILE, then the default) is marked with *. Exits 0 whether or not a profile is signed in: check `signedIn` in --json. The exception: when the active profile holds tokens the platform no longer accepts because its identity provider changed (the local platform restarted on another port), it exits 4 and says so (`problem` in --json).'

  static override examples = [
    {description: 'Every profile', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Is the active profile signed in? (for a script)',
      command: `<%= config.bin %> <%= command.id %> --json | jq '.profiles[] | select(.active) | .signedIn'`,
    },
    {
      description: 'Where the secrets of profile "work" are kept',
      command: `<%= config.bin %> <%= command.id %> --json | jq '.profiles[] | select(.profile=="work") | .credentialStore'`,
    },
  ]

  async run(): Promise<AuthStatusResult> {
    const result = await authStatus(this.ctx)
    if (result.profiles.length === 0) {
      this.out(text`No profiles yet. Sign in with: ppctl auth login --authority URL   (or start the local platform: ppctl sandbox start)`)
      return result
    }
    if (result.mode === 'environment')
      this.out(text`CI mode: signing in on demand from PPCTL_CLIENT_ID, PPCTL_TENANT_ID and the certificate variables; nothing is stored.`)
    const fields = result.profiles.map((p) => {
      const store = p.credentialStore
      const pairs: Array<[string, string]> = [
        ['Signed in', p.signedIn ? 'yes' : p.problem ? 'no (the identity provider changed: sign in again)' : 'no'],
        ['Account', p.account ?? '-'],
        ['Tenant', p.tenantId ?? '-'],
        ['Method', p.method ?? '-'],
        ['Token expires', p.tokenExpiresAt ? `${p.tokenExpiresAt}${p.hasRefreshToken ? ' (renewed automatically)' : ''}` : '-'],
        ['Credential store', store.error ? `${store.kind}: ${store.error.message}` : store.location ? `${store.kind} (${store.location})` : store.kind],
        ['Routing cache', p.routingCacheAgeSeconds === null ? 'none' : `${p.routingCacheAgeSeconds} s old`],
        ['Authority', p.authority ?? '-'],
      ]
      return pairs
    })
    const blocks = result.profiles.map((p, i) =>
      lines(text`${p.active ? '*' : ' '} ${p.profile}${p.active ? ' (active)' : ''}`, indent(renderKeyValue(fields[i], this.ctx.io), '  ')),
    )
    // At a terminal a block per profile; in TSV and CSV a line per profile.
    this.view({
      ...tableView(
        ['Profile', 'Active', ...fields[0].map(([label]) => label)],
        result.profiles.map((p, i) => [p.profile, p.active ? 'yes' : 'no', ...fields[i].map(([, value]) => value)]),
      ),
      tty: joinRendered(blocks, '\n\n'),
    })
    const problem = result.profiles.find((p) => p.active)?.problem
    if (problem) {
      // Exit 4 like the commands that would fail with this sign-in; the status above is still printed (or returned in --json).
      this.exitWith(problem.exitCode)
      if (!this.jsonEnabled()) this.note(multiline(renderError(PpctlError.revive(problem)).trimEnd()))
    }
    return result
  }
}
