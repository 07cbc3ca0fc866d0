import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {createEnvironment, type Environment} from '../../lib/platform/environments.js'

export type EnvCreateResult = Environment

export default class EnvCreate extends BaseCommand<typeof EnvCreate> {
  static override summary = 'Create an environment (production, sandbox or developer), optionally restricted to a security group.'
  static override description =
    'Names are unique in the tenant (exit 7 when taken). Only members of --security-group may use the environment; developer environments take no group. Audited (environment.created). Needs the Admin role.'

  static override examples = [
    {description: 'A sandbox for testing', command: '<%= config.bin %> <%= command.id %> --name "Test" --type sandbox'},
    {
      description: 'A production environment only the finance group may use',
      command: '<%= config.bin %> <%= command.id %> --name "Finance Production" --type production --security-group grp-finance',
    },
  ]

  static override flags = {
    name: Flags.string({description: 'The display name.', required: true}),
    type: Flags.option({options: ['production', 'sandbox', 'developer'] as const, description: 'The environment type.', default: 'sandbox'})(),
    id: Flags.string({description: 'The id (lower-case letters, digits, -); made from the name when absent.'}),
    'security-group': Flags.string({description: 'Only members of this security group may use it.'}),
  }

  async run(): Promise<EnvCreateResult> {
    const {name, type, id} = this.flags
    const group = this.flags['security-group']
    const e = await createEnvironment(this.ctx, {displayName: name, type, ...(id ? {id} : {}), ...(group ? {securityGroupId: group} : {})})
    this.out(text`Created environment ${e.displayName} (${e.id}), ${e.type}${e.securityGroupId ? text`, restricted to ${e.securityGroupId}` : ''}.`)
    return e
  }
}
