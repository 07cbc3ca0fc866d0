import {BaseCommand} from '../../cli/base-command.js'
import {yesFlag} from '../../cli/flags/confirm.js'
import {text} from '../../lib/output/render.js'
import {confirmOrCancel} from '../../lib/io/prompter.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {assertWipeable, resolveDataDir, stopPlatform, wipeDataDir} from '../../lib/sandbox/lifecycle.js'

export interface SandboxResetResult {
  dataDir: string
  wiped: boolean
  stopped: boolean
}

export default class SandboxReset extends BaseCommand<typeof SandboxReset> {
  static override baseFlags = sandboxBaseFlags

  static override summary = "Wipe the local platform's data folder: identities, keys, certificates, audit log."
  static override description =
    'Stops the platform first when it runs. Asks for confirmation at a terminal; without one, --yes is required. The next `sandbox start` seeds everything again with new passwords.'

  static override examples = [
    {description: 'Wipe after confirming', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'In a script', command: '<%= config.bin %> <%= command.id %> --yes --json'},
  ]

  static override flags = {
    'data-dir': dataDirFlag,
    yes: yesFlag,
  }

  async run(): Promise<SandboxResetResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    if (!(await assertWipeable(dataDir))) {
      this.out(text`Nothing to reset: ${dataDir} does not exist.`)
      return {dataDir, wiped: false, stopped: false}
    }
    await confirmOrCancel(this.ctx.prompter, `Delete every user, key, certificate and audit event in ${dataDir}?`, this.flags.yes)
    const stop = await stopPlatform(this.ctx, dataDir)
    await wipeDataDir(dataDir)
    this.out(text`Wiped ${dataDir}.${stop.status === 'stopped' ? ' The platform was stopped first.' : ''}\nNext: ppctl sandbox start`)
    return {dataDir, wiped: true, stopped: stop.status === 'stopped'}
  }
}
