import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {rangesFromFlags} from '../../lib/platform/firewall.js'
import {getSignInPolicy, setSignInPolicy, type SignInPolicy} from '../../lib/platform/signin-policy.js'
import {signInPolicyView} from './show.js'

export type SigninPolicySetResult = SignInPolicy

const list = (values: readonly string[] | undefined) =>
  values
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '' && v !== 'everyone')

export default class SigninPolicySet extends BaseCommand<typeof SigninPolicySet> {
  static override summary = "Change the tenant's sign-in policy: block device-code sign-in (for everyone or some groups), allow sign-in only from some ranges."
  static override description =
    'What is not given is kept. Blocking the device-code flow where it is not needed is the recommended rule (device codes are used for phishing); browser (authorization-code) and certificate sign-ins keep working. Needs the Admin role (else exit 5); a policy changed since it was read (--if-match) is exit 7; an unknown group is exit 7.'

  static override examples = [
    {description: 'Block device-code sign-in for everyone', command: '<%= config.bin %> <%= command.id %> --block-device-code'},
    {description: 'Only for the finance group', command: '<%= config.bin %> <%= command.id %> --block-device-code --device-code-groups grp-finance'},
    {
      description: 'Sign-in only from the office, for everyone',
      command: '<%= config.bin %> <%= command.id %> --signin-range 203.0.113.0/24 --signin-range-groups everyone',
    },
    {description: 'Allow device-code sign-in again', command: '<%= config.bin %> <%= command.id %> --no-block-device-code'},
  ]

  static override flags = {
    'block-device-code': Flags.boolean({description: 'Refuse device-code sign-in (--no-… allows it again).', allowNo: true}),
    'device-code-groups': Flags.string({description: 'Block it only for these security groups (comma-separated; "everyone" for all).', multiple: true}),
    'signin-range': Flags.string({description: 'Allow sign-in only from this CIDR range (repeatable); "none" removes the restriction.', multiple: true}),
    'signin-range-groups': Flags.string({description: 'The ranges apply only to these groups (comma-separated; "everyone" for all).', multiple: true}),
    'if-match': Flags.string({description: "Apply only if the policy's ETag is still this one (from signin-policy show)."}),
  }

  async run(): Promise<SigninPolicySetResult> {
    const f = this.flags
    const current = await getSignInPolicy(this.ctx)
    const ranges = f['signin-range'] ? (f['signin-range'].includes('none') ? [] : rangesFromFlags(f['signin-range'], '--signin-range')) : undefined
    const p = await setSignInPolicy(
      this.ctx,
      {
        blockDeviceCode: {
          enabled: f['block-device-code'] ?? current.blockDeviceCode.enabled,
          groups: list(f['device-code-groups']) ?? current.blockDeviceCode.groups,
        },
        signInRanges: {ranges: ranges ?? current.signInRanges.ranges, groups: list(f['signin-range-groups']) ?? current.signInRanges.groups},
      },
      f['if-match'] ?? current.etag,
    )
    this.view(signInPolicyView(p))
    return p
  }
}
