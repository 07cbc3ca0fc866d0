// `ppctl --help` into a pipe is printed from the build's recording of oclif's own root help (dist/root-help.txt):
// the same bytes as oclif prints, and oclif itself whenever the environment could change what it prints.
import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT, makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'

describe('ppctl --help without oclif (real CLI)', () => {
  let cli: CliEnv
  let probeDir: string
  let probes = 0
  before(() => {
    cli = makeCliEnv()
    probeDir = mkdtempSync(join(tmpdir(), 'ppctl-probe-'))
  })
  after(() => {
    cli?.cleanup()
    if (probeDir) rmSync(probeDir, {recursive: true, force: true})
  })

  /** The run, then the same through oclif (PPCTL_NO_FAST_PATH=1), and which of them loaded @oclif/core. */
  const both = async (args: string[], env: NodeJS.ProcessEnv) => {
    const probe = join(probeDir, `${++probes}.txt`)
    const probed = {...env, NODE_OPTIONS: `--import=${join(ROOT, 'test', 'helpers', 'oclif-probe.mjs')}`, PROBE_OCLIF_FILE: probe}
    const fast = await runCli(args, probed)
    const oclif = await runCli(args, {...probed, PPCTL_NO_FAST_PATH: '1'})
    // A warning of Node's names its process id.
    const pidless = (text: string) => text.replace(/^\(node:\d+\)/gm, '(node:N)')
    expect({...fast, stderr: pidless(fast.stderr)}).to.deep.equal({...oclif, stderr: pidless(oclif.stderr)})
    return {fast, paths: readFileSync(probe, 'utf8')}
  }

  it('--help and -h: the same output as oclif, without loading it', async () => {
    const {CI: _ci, ...env} = cli.env
    for (const flag of ['--help', '-h']) {
      const {fast, paths} = await both([flag], env)
      expect(paths, flag).to.equal('fast\noclif\n')
      expect(fast.code).to.equal(0)
      expect(fast.stdout).to.match(/^VERSION\n {2}ppctl\/\S+ \S+ node-v/m)
      expect(fast.stdout).to.contain('START HERE')
    }
  })

  it('oclif prints it when the environment could change it (colours, width, CI)', async () => {
    const {CI: _ci, ...env} = cli.env
    for (const extra of [{FORCE_COLOR: '1'}, {OCLIF_COLUMNS: '100'}, {CI: '1'}, {GITHUB_ACTIONS: 'true'}, {PPCTL_DEBUG: '1'}]) {
      const {paths} = await both(['--help'], {...env, ...extra})
      expect(paths, JSON.stringify(extra)).to.equal('oclif\noclif\n')
    }
  })
})
