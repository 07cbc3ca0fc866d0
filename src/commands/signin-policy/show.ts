import {BaseCommand} from '../../cli/base-command.js'
import {recordView} from '../../lib/output/view.js'
import {getSignInPolicy, type SignInPolicy} from '../../lib/platform/signin-policy.js'

export type SigninPolicyShowResult = SignInPolicy

export const scopeOf = (groups: readonly string[]) => (groups.length ? `groups ${groups.join(', ')}` : 'everyone')

export const signInPolicyView = (p: SignInPolicy) =>
  recordView([
    ['Device-code sign-in', p.blockDeviceCode.enabled ? `blocked for ${scopeOf(p.blockDeviceCode.groups)}` : 'allowed'],
    ['Sign-in ranges', p.signInRanges.ranges.length ? `${p.signInRanges.ranges.join(', ')} (for ${scopeOf(p.signInRanges.groups)})` : 'anywhere'],
    ['Updated', p.updatedAt ? `${p.updatedAt} by ${p.updatedBy ?? '-'}` : 'never set'],
    ['ETag', p.etag],
  ])

export default class SigninPolicyShow extends BaseCommand<typeof SigninPolicyShow> {
  static override summary = "Show the tenant's sign-in policy: whether device-code sign-in is blocked (for whom), and the ranges sign-in is allowed from."
  static override description =
    'The identity provider enforces it once the password is right: a refused sign-in gets access_denied with the rule that refused it, and is audited (signin, failed, reason "sign-in policy"). Needs the Admin role (else exit 5).'

  static override examples = [
    {description: 'The policy', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  async run(): Promise<SigninPolicyShowResult> {
    const p = await getSignInPolicy(this.ctx)
    this.view(signInPolicyView(p))
    return p
  }
}
