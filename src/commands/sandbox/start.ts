import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {recordView} from '../../lib/output/view.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {resolveDataDir, startBackground, type StartResult} from '../../lib/sandbox/lifecycle.js'

export type SandboxStartResult = StartResult

export default class SandboxStart extends BaseCommand<typeof SandboxStart> {
  static override baseFlags = sandboxBaseFlags

  static override summary = 'Start the local platform on this machine.'
  static override description = `Runs the local platform (identity provider, global service, gateway and clusters behind one TLS listener on 127.0.0.1) as a background process, waits until it is ready, and writes the "sandbox" profile (made the default when there is none).
A second start while one runs reports it and exits 0. --foreground keeps it in this process (for CI and containers) until SIGTERM or Ctrl-C.
Without --port, the platform listens where it did last time (the port is recorded in the data folder; 8443 the first time): the identity provider's issuer names the port, so sign-ins keep working across a restart. When that port is taken, start exits 7 and says so rather than moving; --port (0 for any free port) moves the platform, and sign-ins made before then must sign in again.`

  static override examples = [
    {description: 'Start where it ran last time (8443 the first time)', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Start on any free port, in a throwaway folder', command: '<%= config.bin %> <%= command.id %> --port 0 --data-dir /tmp/platform'},
    {description: 'Run in the foreground (containers, CI)', command: '<%= config.bin %> <%= command.id %> --foreground'},
    {description: 'Machine-readable result', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    port: Flags.integer({
      description: 'TCP port on 127.0.0.1; 0 takes a free one. Default: the port of the last run (recorded in the data folder), else 8443.',
      min: 0,
      max: 65535,
    }),
    'data-dir': dataDirFlag,
    foreground: Flags.boolean({description: 'Run in this process until SIGTERM or Ctrl-C instead of in the background.'}),
  }

  async run(): Promise<SandboxStartResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    if (this.flags.foreground) {
      const {runForeground} = await import('../../lib/sandbox/foreground.js')
      return runForeground(this.ctx, dataDir, this.flags.port, (result) => (this.jsonEnabled() ? this.logJson(result) : this.report(result)))
    }
    const result = await startBackground(this.ctx, dataDir, this.flags.port)
    this.report(result)
    return result
  }

  private report(result: SandboxStartResult): void {
    this.view(
      recordView(
        [
          ['Gateway', result.urls.gateway],
          ['Identity', result.urls.authority],
          ['Global service', result.urls.global],
          ['Clusters', result.urls.clusterPattern],
          ['PID', String(result.pid)],
          ['Data folder', result.dataDir],
          ['CA certificate', result.caFile],
          ['Profile', `${result.profile}${result.defaultProfile ? ' (default)' : ''}`],
        ],
        {
          title: result.status === 'already-running' ? text`The local platform is already running.` : text`The local platform is running.`,
          footer: text`Next: ppctl sandbox users   (the seeded identities and their passwords)`,
        },
      ),
    )
  }
}
