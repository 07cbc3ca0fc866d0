// `ppctl auth status`: the sign-in of the profile in use (or of every profile) and, with a check, whether the platform still accepts it.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {indent, joinRendered, lines, multiline, text, type Rendered} from '../../lib/output/render.js'
import {authStatus, type ProfileStatus} from '../../lib/auth/status.js'
import {ExitCode, PpctlError, type ExitCodeValue} from '../../lib/errors/index.js'
import {renderError} from '../../lib/output/render-error.js'
import {renderKeyValue} from '../../lib/output/table.js'
import {tableView} from '../../lib/output/view.js'

/** The profile in use (the default); with --all, `{items, count}`, the profile in use first. */
export type AuthStatusResult = ProfileStatus | {items: ProfileStatus[]; count: number}

const CHECK_WORDS: Record<string, string> = {
  ok: 'yes (the platform accepts it)',
  'signed-out': 'no',
  revoked: 'no (revoked at the identity provider)',
  expired: 'no (expired)',
  'issuer-changed': 'no (the identity provider changed: sign in again)',
  rejected: 'no (the platform refuses the token)',
}

export default class AuthStatus extends BaseCommand<typeof AuthStatus> {
  static override summary = 'Show the sign-in of the profile in use — account, tenant, method, token expiry — and whether the platform still accepts it.'
  static override description =
    'By default only the profile in use (--profile, PPCTL_PROFILE, then the default); --all shows every profile, the one in use first. ' +
    'With --check, and by default at a terminal (stdout a TTY, CI unset), it asks the platform whether the sign-in is still good: the identity ' +
    "provider's discovery (issuer changed?), its introspection of the refresh token (revoked or expired?) and the global service (does the " +
    'gateway accept the token?), within 5 seconds; nothing is refreshed. It then exits 4 when the sign-in is not good (signed out, revoked, ' +
    'expired, issuer changed, refused) and 8 when the platform could not be asked, with the command to run. Without a check it reads only ' +
    'the config and the credential store and exits 0 whether or not the profile is signed in (check `signedIn` in --json), except when the ' +
    'stored tokens come from another identity provider than the profile names (exit 4, `problem` in --json). --json: the profile in use ' +
    'as one object; with --all, {items, count}.'

  static override examples = [
    {description: 'The profile in use (checked with the platform at a terminal)', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Is the sign-in still good? (for a script: exit 0, 4 or 8)', command: '<%= config.bin %> <%= command.id %> --check --json | jq .check.state'},
    {description: 'Every profile', command: '<%= config.bin %> <%= command.id %> --all'},
    {
      description: 'Where the secrets of profile "work" are kept',
      command: `<%= config.bin %> <%= command.id %> --profile work --json | jq .credentialStore`,
    },
  ]

  static override flags = {
    all: Flags.boolean({description: 'Every profile, the one in use first.'}),
    check: Flags.boolean({
      description: 'Ask the platform whether the sign-in of the profile in use is still good (default at a terminal; --no-check to skip).',
      allowNo: true,
    }),
  }

  async run(): Promise<AuthStatusResult> {
    const check = this.flags.check ?? (this.ctx.io.stdoutIsTTY && !this.ctx.env.CI)
    const profiles = await authStatus(this.ctx, {all: this.flags.all, check})
    const active = profiles.find((p) => p.active)
    if (!active) {
      this.out(text`No profiles yet. Sign in with: ppctl auth login --authority URL   (or start the local platform: ppctl sandbox start)`)
      // Asked outright whether the sign-in is good, the answer is no.
      if (this.flags.check) this.exitWith(ExitCode.AUTH_REQUIRED)
      return this.flags.all ? {items: [], count: 0} : this.signedOutShape()
    }
    if (active.mode === 'environment')
      this.out(
        text`CI mode: signing in on demand from PPCTL_CLIENT_ID, PPCTL_TENANT_ID and ${active.method === 'federated' ? 'a federated token' : 'the certificate variables'}; nothing is stored.`,
      )
    let footer: Rendered | undefined
    if (!this.flags.all && active.mode === 'profile') {
      const others = Object.keys((await this.ctx.config().read()).profiles).filter((n) => n !== active.profile).length
      if (others > 0) footer = text`\n${others} other profile${others === 1 ? '' : 's'}: ppctl auth status --all`
    }
    const fields = profiles.map((p) => this.fields(p))
    // At a terminal a block per profile; in TSV and CSV a line per profile, the note about the others on stderr.
    this.view({
      ...tableView(
        ['Profile', 'In use', ...fields[0].map(([label]) => label)],
        profiles.map((p, i) => [p.profile, p.active ? 'yes' : 'no', ...fields[i].map(([, value]) => value)]),
        {footer},
      ),
      tty: joinRendered(
        profiles.map((p, i) => this.block(p, fields[i], this.flags.all ?? false)),
        '\n\n',
      ),
    })
    const problem = active.check && active.check.state !== 'ok' ? active.check : active.problem
    if (problem) {
      // Exit like the commands that would fail with this sign-in; the status above is still printed (or returned in --json).
      this.exitWith(problem.exitCode as ExitCodeValue)
      if (!this.jsonEnabled())
        this.note(
          multiline(
            renderError(
              PpctlError.revive({code: problem.code ?? 'SESSION_EXPIRED', message: problem.message, exitCode: problem.exitCode, nextStep: problem.nextStep}),
            ).trimEnd(),
          ),
        )
    }
    return this.flags.all ? {items: profiles, count: profiles.length} : active
  }

  private fields(p: ProfileStatus): Array<[string, string]> {
    const store = p.credentialStore
    const refused = Boolean(p.check && p.check.state !== 'ok' && p.check.state !== 'unreachable')
    const signedIn = p.check
      ? p.check.state === 'unreachable'
        ? `${p.signedIn ? 'yes' : 'no'} (not checked: the platform did not answer)`
        : (CHECK_WORDS[p.check.state] ?? 'no')
      : p.signedIn
        ? 'yes'
        : p.problem
          ? CHECK_WORDS['issuer-changed']
          : 'no'
    const tenant = p.tenantId ? (p.check?.tenantName ? `${p.check.tenantName} (${p.tenantId})` : p.tenantId) : '-'
    const pairs: Array<[string, string]> = [
      ['Signed in', signedIn],
      ['Account', p.account ?? '-'],
      ['Tenant', tenant],
      ['Method', p.method ?? '-'],
      ['DPoP-bound', p.dpop ? 'yes (the tokens work only with the key kept beside them)' : 'no'],
      // A refused sign-in is not renewed: saying so would contradict the line above.
      ['Token expires', p.tokenExpiresAt ? `${p.tokenExpiresAt}${p.hasRefreshToken && !refused ? ' (renewed automatically)' : ''}` : '-'],
      ['Credential store', store.error ? `${store.kind}: ${store.error.message}` : store.location ? `${store.kind} (${store.location})` : store.kind],
      ['Routing cache', p.routingCacheAgeSeconds === null ? 'none' : `${p.routingCacheAgeSeconds} s old`],
      ['Authority', p.authority ?? '-'],
    ]
    return pairs
  }

  private block(p: ProfileStatus, pairs: Array<[string, string]>, all: boolean): Rendered {
    const title = all ? text`${p.active ? '*' : ' '} ${p.profile}${p.active ? ' (in use)' : ''}` : text`${p.profile} (in use)`
    return lines(title, indent(renderKeyValue(pairs, this.ctx.io), '  '))
  }

  /** No profile at all: the document still has the shape of a profile's status. */
  private signedOutShape(): ProfileStatus {
    return {
      profile: this.flags.profile ?? this.ctx.env.PPCTL_PROFILE ?? 'default',
      active: true,
      mode: 'profile',
      authority: null,
      signedIn: false,
      account: null,
      tenantId: null,
      method: null,
      tokenExpiresAt: null,
      hasRefreshToken: false,
      dpop: false,
      credentialStore: {kind: 'none', location: null},
      routingCacheAgeSeconds: null,
      check: null,
    }
  }
}
