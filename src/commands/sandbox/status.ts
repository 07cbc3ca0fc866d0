import {BaseCommand} from '../../cli/base-command.js'
import {lines, text} from '../../lib/output/render.js'
import {ExitCode, UnreachableError} from '../../lib/errors/index.js'
import type {Section} from '../../lib/output/view.js'
import {dataDirFlag, sandboxBaseFlags} from '../../cli/flags/sandbox.js'
import {resolveDataDir} from '../../lib/sandbox/lifecycle.js'
import {describeFault} from '../../lib/sandbox/fault.js'
import {sandboxStatus, type SandboxStatusResult} from '../../lib/sandbox/status.js'

export type {SandboxStatusResult}

export default class SandboxStatus extends BaseCommand<typeof SandboxStatus> {
  static override baseFlags = sandboxBaseFlags

  static override summary = "Show the local platform's URLs, process, uptime, the health of each component and each tenant's replication lag."
  static override description =
    "Exits 0 when the platform runs and every component is healthy, 8 when it is not running, a component is down or a tenant's replication is broken (the output then names the command that repairs it)."

  static override examples = [
    {description: 'Show the status', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'For scripts', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {'data-dir': dataDirFlag}

  async run(): Promise<SandboxStatusResult> {
    const dataDir = await resolveDataDir(this.ctx, this.flags['data-dir'])
    const status = await sandboxStatus(this.ctx, dataDir)
    if (!status.running) {
      throw new UnreachableError('SANDBOX_NOT_RUNNING', `The local platform is not running (data folder ${dataDir}).`, {
        nextStep: 'Start it: ppctl sandbox start',
      })
    }
    if (!status.healthy) this.exitWith(ExitCode.UNREACHABLE)
    const sections: Section[] = [
      {
        kind: 'record',
        fields: [
          ['Status', status.healthy ? 'running, healthy' : 'running, DEGRADED'],
          ['Gateway', status.urls?.gateway ?? ''],
          ['Identity', status.urls?.authority ?? ''],
          ['Global service', status.urls?.global ?? ''],
          ['Clusters', status.urls?.clusterPattern ?? ''],
          ['PID', String(status.pid)],
          ['Uptime', formatUptime(status.uptimeSeconds ?? 0)],
          ['Data folder', status.dataDir],
        ],
      },
      {
        kind: 'table',
        columns: ['Component', 'Status', {header: 'Detail', free: true}],
        rows: status.components.map((c) => [c.name, c.status === 'ok' ? 'OK' : 'DOWN', c.detail]),
      },
      {
        kind: 'table',
        columns: ['Tenant', 'Active', 'Secondary', 'Epoch', {header: 'Replication lag', free: true}],
        rows: status.replication.map((r) => [
          r.tenant,
          r.active,
          r.secondary,
          String(r.epoch),
          `${r.lagEntries} entries, ${r.lagMs} ms${r.broken ? ` (BROKEN at entry ${r.broken.lsn}: shipping stopped)` : r.paused ? ' (paused)' : ''}`,
        ]),
      },
    ]
    if (status.faults.length > 0)
      sections.push({
        kind: 'table',
        columns: ['Cluster', {header: 'Injected fault', free: true}, 'Since'],
        rows: status.faults.map((f) => [f.clusterId, describeFault(f), f.since]),
      })
    const broken = status.replication
      .filter((r) => r.broken)
      .map((r) => lines(text`Replication of ${r.tenant} is broken: ${r.broken?.error ?? ''}`, text`Next: ${r.broken?.repair ?? ''}`))
    this.view({sections, ...(broken.length ? {footer: lines(...broken)} : {})})
    return status
  }
}

export function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}
