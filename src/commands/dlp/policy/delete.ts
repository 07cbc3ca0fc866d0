import {Args} from '@oclif/core'

import {BaseCommand} from '../../../cli/base-command.js'
import {yesFlag} from '../../../cli/flags/confirm.js'
import {confirmOrCancel} from '../../../lib/io/prompter.js'
import {text} from '../../../lib/output/render.js'
import {deletePolicy, getPolicy} from '../../../lib/platform/dlp.js'

export interface DlpPolicyDeleteResult {
  id: string
  displayName: string
  deleted: true
}

export default class DlpPolicyDelete extends BaseCommand<typeof DlpPolicyDelete> {
  static override summary = 'Delete a DLP policy; flows suspended only by it resume.'
  static override description =
    'Asks for confirmation at a terminal; without one, pass --yes. The managed tenant-wide policy cannot be deleted (exit 7). Audited (dlp.policy.deleted). Needs the Admin role.'

  static override examples = [
    {description: 'Delete (asks first)', command: '<%= config.bin %> <%= command.id %> baseline'},
    {description: 'Unattended', command: '<%= config.bin %> <%= command.id %> baseline --yes'},
  ]

  static override args = {
    id: Args.string({description: 'The policy id.', required: true}),
  }

  static override flags = {
    yes: yesFlag,
  }

  async run(): Promise<DlpPolicyDeleteResult> {
    const p = await getPolicy(this.ctx, this.args.id)
    await confirmOrCancel(this.ctx.prompter, `Delete the DLP policy ${p.displayName} (${p.id})?`, this.flags.yes)
    await deletePolicy(this.ctx, p)
    this.out(text`Deleted DLP policy ${p.displayName} (${p.id}).`)
    return {id: p.id, displayName: p.displayName, deleted: true}
  }
}
