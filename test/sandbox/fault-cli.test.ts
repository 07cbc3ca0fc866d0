// `ppctl sandbox fault` and `sandbox status` (the real CLI from dist/) against a control socket with a real fault table.
import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {join} from 'node:path'

import {createControlHandler} from '../../src/sandbox/control.js'
import {FaultTable} from '../../src/sandbox/faults/fault-table.js'
import {makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'

describe('ppctl sandbox fault (CLI)', () => {
  let cli: CliEnv
  let dataDir: string
  let control: Server
  const faults = new FaultTable()

  before(async () => {
    cli = makeCliEnv()
    dataDir = join(cli.home, 'platform')
    mkdirSync(dataDir, {recursive: true})
    const controlSocket = join(dataDir, 'control.sock')
    control = createServer(createControlHandler({directory: {} as never, health: () => ({status: 'ok', components: []}), faults}))
    await new Promise<void>((resolve) => control.listen(controlSocket, resolve))
    // This test process stands in for the platform's process: alive, with the control socket above.
    const closed = 'https://127.0.0.1:9'
    writeFileSync(
      join(dataDir, 'state.json'),
      JSON.stringify({
        pid: process.pid,
        port: 9,
        startedAt: new Date().toISOString(),
        dataDir,
        caFile: join(dataDir, 'ca.pem'),
        controlSocket,
        urls: {gateway: closed, authority: closed, global: closed, clusterPattern: closed},
      }),
    )
    writeFileSync(join(dataDir, 'ca.pem'), '')
  })

  after(async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()))
    cli.cleanup()
  })

  const fault = (...args: string[]) => runCli(['sandbox', 'fault', ...args, '--data-dir', dataDir], cli.env)

  it('sets each kind of fault with --json, and `up` clears it', async () => {
    const cases: Array<[string[], Record<string, unknown>]> = [
      [['slow', '250'], {kind: 'slow', ms: 250}],
      [['flaky', '0.3'], {kind: 'flaky', rate: 0.3}],
      [['throttle', '5'], {kind: 'throttle', rps: 5}],
      [['down'], {kind: 'down', mode: 'reset'}],
      [['down', '--mode', '503'], {kind: 'down', mode: '503'}],
    ]
    for (const [args, expected] of cases) {
      const res = await fault('--cluster', 'eastus-1', ...args, '--json')
      expect(res.code, res.stderr + res.stdout).to.equal(0)
      const body = JSON.parse(res.stdout) as {cluster: string; fault: Record<string, unknown>; faults: unknown[]}
      expect(body.cluster).to.equal('eastus-1')
      expect(body.fault).to.include({clusterId: 'eastus-1', ...expected})
      expect(faults.get('eastus-1')).to.include(expected)
    }
    const up = await fault('--cluster', 'eastus-1', 'up', '--json')
    expect(up.code).to.equal(0)
    expect(JSON.parse(up.stdout)).to.deep.include({cluster: 'eastus-1', action: 'up', fault: null, faults: []})
    expect(faults.all()).to.deep.equal([])
  })

  it('tells people what it did and how to undo it (on stderr in a pipe: stdout is the TSV of the faults)', async () => {
    const res = await fault('--cluster', 'westus-1', 'flaky', '0.5')
    expect(res.code).to.equal(0)
    expect(res.stderr).to.contain('westus-1 is now flaky (50 % of requests answer 503)')
    expect(res.stderr).to.contain('Undo: ppctl sandbox fault --cluster westus-1 up')
    expect(res.stdout.split('\n')).to.include.members(['Cluster\tFault\tSince'])
    expect(res.stdout).to.match(/^westus-1\tflaky \(50 % of requests answer 503\)\t/m)
  })

  it('lists active faults in `sandbox status`', async () => {
    faults.set('northeurope-1', {kind: 'slow', ms: 1000})
    const res = await runCli(['sandbox', 'status', '--data-dir', dataDir, '--json'], cli.env)
    const body = JSON.parse(res.stdout) as {faults: Array<{clusterId: string; kind: string}>}
    expect(body.faults.map((f) => `${f.clusterId}:${f.kind}`)).to.include.members(['northeurope-1:slow', 'westus-1:flaky'])
    const human = await runCli(['sandbox', 'status', '--data-dir', dataDir], cli.env)
    expect(human.stdout).to.match(/northeurope-1\s.*slow \(\+1000 ms per request\)/)
  })

  it('refuses a missing or invalid value (exit 2) and an unknown cluster (exit 6)', async () => {
    for (const args of [['slow'], ['flaky', '2'], ['throttle', '0'], ['slow', 'soon'], ['up', '3']]) {
      const res = await fault('--cluster', 'eastus-1', ...args, '--json')
      expect(res.code, args.join(' ')).to.equal(2)
      expect((JSON.parse(res.stdout) as {error: {code: string}}).error.code).to.match(/^(MISSING_VALUE|INVALID_VALUE|UNEXPECTED_VALUE)$/)
    }
    const unknown = await fault('--cluster', 'mars-1', 'down', '--json')
    expect(unknown.code).to.equal(6)
    expect((JSON.parse(unknown.stdout) as {error: {code: string}}).error.code).to.equal('CLUSTER_NOT_FOUND')
  })

  it('exits 8 when the platform is not running', async () => {
    const res = await runCli(['sandbox', 'fault', '--cluster', 'eastus-1', 'down', '--data-dir', join(cli.home, 'nowhere')], cli.env)
    expect(res.code).to.equal(8)
    expect(res.stderr).to.contain('not running')
  })
})
