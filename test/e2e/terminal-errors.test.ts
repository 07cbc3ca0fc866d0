// What a person sees at a real 80-column terminal (tmux) when they mistype a command or a flag, ask for help, or
// use a profile kept in a file: the suggestions, help that fits, and the insecure-storage warning once.
import {expect} from 'chai'

import type {CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'
import {openTmux, type Tmux} from '../helpers/tmux.js'

const COLUMNS = 80
const WARNING = /unencrypted in \S+ \(insecure storage\)/g

describe('errors, help and warnings at a real terminal (tmux, 80 columns)', function () {
  let platform: TestPlatform
  let cli: CliEnv
  let term: Tmux

  before(async () => {
    platform = await startTestPlatform()
    // A machine whose sandbox profile keeps its tokens in a file: the warning's case.
    cli = await machine(platform)
    const login = await deviceLogin(cli.env, [], approveWithCli(platform, 'admin@contoso.example'))
    if (login.code !== 0) throw new Error(`sign-in failed: ${login.stderr}`)
    const {CI: _ci, NO_COLOR: _nc, ...atTerminal} = cli.env
    term = await openTmux({columns: COLUMNS, env: atTerminal})
  })
  after(async () => {
    await term?.close()
    cli?.cleanup()
    await platform?.stop()
  })

  /** What the lines say, read as a person reads wrapped text: continuation lines joined with a space. */
  const said = (lines: string[]) => lines.map((line) => line.trim()).join(' ')
  const warnings = (lines: string[]) => said(lines).match(WARNING)?.length ?? 0

  const noLineWiderThanTheTerminal = (lines: string[]) => {
    // capture-pane -J joins what the terminal wrapped, so a line wider than the window shows up whole here.
    for (const line of lines) expect([...line].length, `wider than ${COLUMNS} columns: ${line}`).to.be.at.most(COLUMNS)
  }

  it('a mistyped topic, verb or flag gets the closest match and the line to type, exit 2', async () => {
    const topic = await term.run('ppctl conector list')
    expect(topic.status).to.equal(2)
    expect(said(topic.lines)).to.include('Did you mean "ppctl connector list"?').and.include('Next: ppctl connector list --help')

    const verb = await term.run('ppctl connector lst')
    expect(verb.status).to.equal(2)
    expect(said(verb.lines)).to.include('Did you mean "ppctl connector list"?')

    const flag = await term.run('ppctl connector list --teir premium')
    expect(flag.status).to.equal(2)
    const flagText = said(flag.lines)
    expect(flagText).to.include('--tier').and.include('ppctl connector list --tier premium')
    expect(flagText).not.to.match(/Nonexistent flag|at .*\.js:\d+/)
    for (const r of [topic, verb, flag]) noLineWiderThanTheTerminal(r.lines)
  })

  it('`ppctl help connector` prints the topic at the terminal, exit 0, every line within 80 columns', async () => {
    const help = await term.run('ppctl help connector')
    expect(help.status).to.equal(0)
    const shown = help.lines.join('\n')
    expect(shown).to.include('connector list').and.include('connector block')
    noLineWiderThanTheTerminal(help.lines)
  })

  it('bare `ppctl` ends with the "Start here" lines', async () => {
    const bare = await term.run('ppctl')
    expect(bare.status).to.equal(0)
    expect(bare.lines.join('\n')).to.match(/START HERE/)
    noLineWiderThanTheTerminal(bare.lines)
  })

  it('a command on a file-kept profile warns once, and PPCTL_NO_WARNINGS=1 silences it', async () => {
    const list = await term.run('ppctl connector list --search sql')
    expect(list.status, list.lines.join('\n')).to.equal(0)
    expect(warnings(list.lines), said(list.lines)).to.equal(1)
    // Wrapped at spaces to the terminal, like errors: no line of it wider than the window.
    noLineWiderThanTheTerminal(list.lines.filter((line) => !line.includes('│') && !line.includes('─')))

    const status = await term.run('ppctl auth status')
    expect(warnings(status.lines), said(status.lines)).to.equal(1)

    const quiet = await term.run('PPCTL_NO_WARNINGS=1 ppctl connector list --search sql')
    expect(quiet.status).to.equal(0)
    expect(warnings(quiet.lines)).to.equal(0)
  })
})
