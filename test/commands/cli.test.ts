// The CLI as a whole: version, help, unknown commands, and the manifest's promise that every command is documented.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT, makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'

interface ManifestCommand {
  id: string
  description?: string
  summary?: string
  examples?: unknown[]
  flags: Record<string, unknown>
}

describe('ppctl (the CLI as a whole)', () => {
  let cli: CliEnv
  before(() => (cli = makeCliEnv()))
  after(() => cli.cleanup())

  it('prints the version line oclif would print, for --version and -v', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}
    for (const flag of ['--version', '-v']) {
      const res = await runCli([flag], cli.env)
      expect(res.code).to.equal(0)
      expect(res.stdout).to.equal(`ppctl/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
    }
  })

  it('lists every topic in --help', async () => {
    const res = await runCli(['--help'], cli.env)
    expect(res.code).to.equal(0)
    for (const topic of ['config', 'sandbox']) expect(res.stdout).to.match(new RegExp(`^\\s+${topic}\\s`, 'm'))
  })

  it('rejects an unknown command with exit 2 and the nearest help', async () => {
    const res = await runCli(['sandbox', 'launch'], cli.env)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.contain('"sandbox launch" is not a ppctl command')
    expect(res.stderr).to.contain('ppctl sandbox --help')
  })

  it('gives every command a description, examples and --json (from the committed manifest)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
    const commands = Object.values(manifest.commands)
    expect(commands.length).to.be.greaterThanOrEqual(11)
    for (const command of commands) {
      expect(command.summary ?? command.description ?? '', command.id).to.have.length.greaterThan(10)
      expect(command.examples, command.id).to.be.an('array').with.length.greaterThanOrEqual(1)
      expect(command.flags, command.id).to.have.property('json')
      expect(command.flags, command.id).to.have.property('profile')
      expect(command.flags, command.id).to.have.property('debug')
    }
  })

  it('reports a flag error in one line with the command to get help, and no stack trace', async () => {
    const res = await runCli(['sandbox', 'start', '--port', 'abc'], cli.env)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.equal('Error: Parsing --port: Expected an integer but received: abc\n  Next: See the command help: ppctl sandbox start --help\n')
  })
})
