import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {resolveDataDir, stopPlatform, type StopResult} from '../../lib/sandbox/lifecycle.js'

export type SandboxStopResult = StopResult

export default class SandboxStop extends BaseCommand<typeof SandboxStop> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'Stop the local platform.'
  static override description =
    'Sends SIGTERM so the platform drains its connections, and SIGKILL when it has not stopped within --timeout seconds. Stopping a platform that is not running is not an error.'

  static override examples = [
    {description: 'Stop the running platform', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Give it 30 seconds to drain', command: '<%= config.bin %> <%= command.id %> --timeout 30'},
    {description: 'Stop the platform of another data folder', command: '<%= config.bin %> <%= command.id %> --data-dir /tmp/platform --json'},
  ]

  static override flags = {
    'data-dir': dataDirFlag,
    timeout: Flags.integer({description: 'Seconds to wait for a graceful stop before killing it.', default: 10, min: 1}),
  }

  async run(): Promise<SandboxStopResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const result = await stopPlatform(this.ctx, dataDir, this.flags.timeout * 1000)
    if (result.status === 'not-running') this.out(text`The local platform is not running (data folder ${dataDir}).`)
    else this.out(text`Stopped the local platform (pid ${result.pid})${result.forced ? ' — it did not drain in time and was killed' : ''}.`)
    return result
  }
}
