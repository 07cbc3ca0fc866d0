// Commands print only through renderers: a scan of src/commands for other paths, and type errors for plain strings.
import {expect} from 'chai'
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {BaseCommand} from '../../src/cli/base-command.js'
import {text} from '../../src/lib/output/render.js'
import {ROOT} from '../helpers/cli.js'

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** What a command must not do: each path bypasses the renderers (or sanitizes by hand, which they do already). */
const FORBIDDEN_IN_COMMANDS: Array<[RegExp, string]> = [
  [/\.write\(/, 'writes to a stream itself (use this.out / this.note / this.noteJson)'],
  [/process\.(stdout|stderr)/, 'uses process.stdout/stderr'],
  [/console\./, 'uses console'],
  [/JSON\.stringify/, 'serializes JSON itself (--json goes through logJson, a JSON line on stderr through noteJson)'],
  [/output\/sanitize\.js/, 'sanitizes by hand (the renderers sanitize every value)'],
  [/this\.(log|logToStderr|warn)\(/, "prints through oclif's string methods"],
  [/\bas (unknown as )?Rendered\b|<Rendered>/, 'casts to Rendered'],
  [/new Rendered\(/, 'makes a Rendered value itself'],
]

describe('commands print only through renderers', () => {
  it('no command (nor a command helper in src/cli) writes, logs, serializes or sanitizes by hand', () => {
    const found: string[] = []
    // BaseCommand is where out(), note() and logJson() do write; every other file of src/cli must go through them.
    const helpers = sources(join(ROOT, 'src', 'cli')).filter((file) => file !== join(ROOT, 'src', 'cli', 'base-command.ts'))
    for (const file of [...sources(join(ROOT, 'src', 'commands')), ...helpers]) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [pattern, why] of FORBIDDEN_IN_COMMANDS) if (pattern.test(line)) found.push(`${relative(ROOT, file)}:${i + 1} ${why}: ${line.trim()}`)
        })
    }
    expect(found).to.deep.equal([])
  })

  it('only src/lib/output constructs Rendered values', () => {
    const found = sources(join(ROOT, 'src'))
      .filter((file) => !file.startsWith(join(ROOT, 'src', 'lib', 'output')))
      .filter((file) => /new Rendered\(|\bas (unknown as )?Rendered\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file))
    expect(found).to.deep.equal([])
  })

  it('out() and note() take renderer output only: a plain string is a type error (checked by npm run typecheck)', () => {
    class Probe extends BaseCommand<typeof Probe> {
      async run(): Promise<void> {
        this.out(text`fine: ${'value'}`)
        // @ts-expect-error a plain string is not renderer output
        this.out('plain')
        // @ts-expect-error nor is a template literal with platform text in it
        this.note(`x ${String(process.pid)}`)
      }
    }
    expect(Probe.prototype.run).to.be.a('function')
  })
})
