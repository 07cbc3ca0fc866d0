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

  it('bare ppctl and --help end with "Start here" lines, none longer than 80 columns', async () => {
    for (const args of [[], ['--help']]) {
      const res = await runCli(args, cli.env)
      expect(res.code, args.join(' ')).to.equal(0)
      const start = res.stdout.slice(res.stdout.indexOf('START HERE'))
      expect(start).to.match(/^START HERE\n {2}Try it on this machine +ppctl sandbox start && ppctl auth login\n/)
      expect(start).to.contain('ppctl auth login --help')
      for (const line of start.split('\n')) expect(line.length, line).to.be.at.most(80)
    }
  })

  it('rejects an unknown command with exit 2 and the nearest help', async () => {
    const res = await runCli(['sandbox', 'launch'], cli.env)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.contain('"sandbox launch" is not a ppctl command')
    expect(res.stderr).to.contain('ppctl sandbox --help')
  })

  it('`ppctl help`, `help <topic>` and `help <command>` print the same help as --help, exit 0', async () => {
    for (const [words, flagForm] of [
      [['help'], ['--help']],
      [
        ['help', 'connector'],
        ['connector', '--help'],
      ],
      [
        ['help', 'connector', 'list'],
        ['connector', 'list', '--help'],
      ],
    ] as const) {
      const [res, same] = await Promise.all([runCli([...words], cli.env), runCli([...flagForm], cli.env)])
      expect(res.code, words.join(' ')).to.equal(0)
      expect(res.stdout, words.join(' ')).to.equal(same.stdout).and.not.equal('')
      expect(res.stderr).to.equal('')
    }
    const nope = await runCli(['help', 'nope'], cli.env)
    expect(nope.code).to.equal(2)
    expect(nope.stderr).to.equal('Error: "nope" is not a ppctl command.\n  Next: See the commands: ppctl --help\n')
  })

  it('suggests the command meant for a typo in the topic or the verb, exit 2', async () => {
    for (const [typed, meant] of [
      [['conector', 'list'], 'connector list'],
      [['connector', 'lst'], 'connector list'],
      [['licence', 'assign'], 'license assign'],
      [['audit', 'watc'], 'audit watch'],
    ] as const) {
      const res = await runCli([...typed], cli.env)
      expect(res.code, typed.join(' ')).to.equal(2)
      expect(res.stderr).to.equal(`Error: "${typed.join(' ')}" is not a ppctl command. Did you mean "ppctl ${meant}"?\n  Next: ppctl ${meant} --help\n`)
    }
    const json = await runCli(['conector', 'list', '--json'], cli.env)
    expect(json.code).to.equal(2)
    expect(JSON.parse(json.stdout)).to.deep.include({
      error: {
        code: 'UNKNOWN_COMMAND',
        message: '"conector list" is not a ppctl command. Did you mean "ppctl connector list"?',
        exitCode: 2,
        nextStep: 'ppctl connector list --help',
      },
    })
  })

  it('a mistyped global flag, extra words after a command, and a mistyped flag each say what to type', async () => {
    const version = await runCli(['--verison'], cli.env)
    expect([version.code, version.stderr]).to.deep.equal([2, 'Error: Unknown flag --verison. Did you mean --version?\n  Next: ppctl --version\n'])
    const extra = await runCli(['license', 'list', 'extra'], cli.env)
    expect([extra.code, extra.stderr]).to.deep.equal([
      2,
      'Error: ppctl license list does not take the argument "extra".\n  Next: See the command help: ppctl license list --help\n',
    ])
    const flag = await runCli(['connector', 'list', '--teir', 'premium'], cli.env)
    expect([flag.code, flag.stderr]).to.deep.equal([
      2,
      'Error: Unknown flag --teir for ppctl connector list. Did you mean --tier?\n  Next: ppctl connector list --tier premium\n',
    ])
  })

  it("oclif's validation errors in ppctl's words: flags that exclude each other, a missing argument", async () => {
    const both = await runCli(['connector', 'list', '--allowed', '--blocked'], cli.env)
    expect(both.code).to.equal(2)
    expect(both.stderr).to.equal(
      'Error: --blocked and --allowed cannot be used together.\n  Next: Keep one of them: ppctl connector list --blocked   or   ppctl connector list --allowed\n',
    )
    const missing = await runCli(['connector', 'show'], cli.env)
    expect(missing.code).to.equal(2)
    expect(missing.stderr).to.equal(
      'Error: ppctl connector show needs an argument: <id>.\n  Next: ppctl connector show ID   (see ppctl connector show --help)\n',
    )
  })

  it('gives every command a description, examples and --json (from the committed manifest)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
    const commands = Object.values(manifest.commands)
    expect(commands.length).to.be.greaterThanOrEqual(11)
    for (const command of commands) {
      expect(command.summary ?? command.description ?? '', command.id).to.have.length.greaterThan(10)
      expect(command.examples, command.id).to.be.an('array').with.length.greaterThanOrEqual(1)
      // __complete answers a shell, never in JSON.
      if (command.id === '__complete') expect(command.flags, command.id).not.to.have.property('json')
      else expect(command.flags, command.id).to.have.property('json')
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
