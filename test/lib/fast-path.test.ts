// The fast path accepts exactly the flags oclif's commands define, reads them as oclif does, and leaves everything else to oclif.
import {Flags, Parser, type Interfaces} from '@oclif/core'
import {expect} from 'chai'

import AuthToken from '../../src/commands/auth/token.js'
import ConnectorList from '../../src/commands/connector/list.js'
import LicenseList from '../../src/commands/license/list.js'
import RouteShow from '../../src/commands/route/show.js'
import UserList from '../../src/commands/user/list.js'
import {FAST_COMMANDS, fastFlagDefs, parseFast, tryFastPath, type FastCommand} from '../../src/fast-path.js'
import type {FlagDef} from '../../src/lib/flag-defs.js'

const routeShow = FAST_COMMANDS.find((c) => c.id === 'route:show')!

type OclifFlag = Interfaces.Flag<unknown>

/** What must agree between a fast-path definition and an oclif flag for the fast path to parse argv as oclif does. */
function differences(fast: Readonly<Record<string, FlagDef>>, oclif: Record<string, OclifFlag>): string[] {
  const diffs: string[] = []
  const names = new Set([...Object.keys(fast), ...Object.keys(oclif)])
  const defaultParse = {option: Flags.string({}).parse.toString(), boolean: Flags.boolean({}).parse.toString()}
  for (const name of names) {
    const f = fast[name] as (FlagDef & Record<string, unknown>) | undefined
    const o = oclif[name] as (OclifFlag & Record<string, unknown>) | undefined
    if (!f || !o) {
      diffs.push(`${name}: ${f ? 'only in the fast path' : 'only in oclif'}`)
      continue
    }
    for (const key of ['type', 'char', 'env', 'default', 'options', 'exclusive', 'dependsOn', 'required'] as const) {
      if (JSON.stringify(f[key]) !== JSON.stringify(o[key])) diffs.push(`${name}.${key}: fast ${JSON.stringify(f[key])}, oclif ${JSON.stringify(o[key])}`)
    }
    // Kinds and options the fast parser does not read must not be on the oclif flag either (or the fast path would misread it).
    for (const key of ['multiple', 'allowNo', 'relationships', 'combinable', 'exactlyOne', 'atLeastOne', 'delimiter', 'aliases', 'charAliases']) {
      const value = o[key]
      if (value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0)) diffs.push(`${name}.${key}: set on the oclif flag only`)
    }
    if (o.parse.toString() !== defaultParse[o.type as 'option' | 'boolean']) diffs.push(`${name}.parse: a custom parse on the oclif flag`)
  }
  return diffs
}

/** The flags oclif parses for a BaseCommand: its json flag (enableJsonFlag), the base flags, the command's own. */
function oclifFlagsOf(command: {enableJsonFlag: boolean; baseFlags: object; flags: object}): Record<string, OclifFlag> {
  const json = command.enableJsonFlag ? {json: Flags.boolean({description: 'Format output as json.', helpGroup: 'GLOBAL'})} : {}
  return {...json, ...command.baseFlags, ...command.flags} as Record<string, OclifFlag>
}

/** oclif's own parse of argv (after the command's words), or 'error' when oclif refuses it. */
async function oclifParse(argv: string[], flags: Record<string, OclifFlag>): Promise<Record<string, unknown> | 'error'> {
  try {
    const parsed = await Parser.parse(argv, {flags: flags as Interfaces.FlagInput, strict: true, args: {}})
    return Object.fromEntries(Object.entries(parsed.flags).filter(([, v]) => v !== undefined))
  } catch {
    return 'error'
  }
}

/** For every argv: when oclif refuses it the fast path hands it over, and when the fast path takes it, it reads what oclif reads. */
async function expectSameReading(command: Pick<FastCommand, 'id' | 'flags'>, oclif: Record<string, OclifFlag>, argvs: string[][]) {
  const words = command.id.split(':')
  let taken = 0
  for (const rest of argvs) {
    const fast = parseFast([...words, ...rest], command)
    const slow = await oclifParse(rest, oclif)
    if (slow === 'error') expect(fast, `oclif refuses ${rest.join(' ')}`).to.equal(undefined)
    else if (fast) {
      taken++
      expect(Object.fromEntries(Object.entries(fast).filter(([, v]) => v !== undefined)), rest.join(' ')).to.deep.equal(slow)
    }
  }
  expect(taken, 'argv lists the fast path takes').to.be.greaterThan(0)
}

/** The oclif class of every command the fast path runs. */
const OCLIF_CLASSES: Record<string, typeof RouteShow | typeof ConnectorList | typeof LicenseList | typeof UserList | typeof AuthToken> = {
  'route:show': RouteShow,
  'connector:list': ConnectorList,
  'license:list': LicenseList,
  'user:list': UserList,
  'auth:token': AuthToken,
}

describe('fast path (flags from the command definitions)', () => {
  it('runs exactly the shared commands, each with the flags of its oclif class and no arguments', () => {
    expect(FAST_COMMANDS.map((c) => c.id)).to.have.members(Object.keys(OCLIF_CLASSES))
    for (const command of FAST_COMMANDS) {
      const oclif = OCLIF_CLASSES[command.id]
      expect(differences(fastFlagDefs(command), oclifFlagsOf(oclif)), command.id).to.deep.equal([])
      expect(Object.keys(oclif.args ?? {}), `${command.id} takes no arguments (the fast path reads none)`).to.deep.equal([])
      expect(oclif.enableJsonFlag, command.id).to.equal(true)
    }
  })

  it("reads every fast command's argv as oclif does, or hands it over", async () => {
    const common = [[], ['--json'], ['-o', 'tsv', '--no-headers'], ['--query', 'items[0]'], ['--bogus'], ['--json', '--json'], ['extra'], ['--profile']]
    const own: Record<string, string[][]> = {
      'connector:list': [
        ['--tier', 'premium', '--blocked'],
        ['--tier=gold'],
        ['--blocked', '--allowed'],
        ['--search', 'sql', '--env', 'Default', '-o', 'csv'],
        ['--allowed', '--search'],
      ],
      'user:list': [['--search', 'megan'], ['--search=']],
      'auth:token': [['--force-refresh'], ['--force-refresh=true'], ['--force-refresh', '--json']],
      'license:list': [['--tier', 'x']],
      'route:show': [['--tenant', 'fabrikam', '--refresh']],
    }
    for (const command of FAST_COMMANDS) await expectSameReading(command, oclifFlagsOf(OCLIF_CLASSES[command.id]), [...common, ...own[command.id]])
  })

  it("accepts exactly route show's flags with the base flags: names, char, env, default, options, exclusive, dependsOn", () => {
    expect(differences(fastFlagDefs(routeShow), oclifFlagsOf(RouteShow))).to.deep.equal([])
    expect(Object.keys(RouteShow.args ?? {}), 'route show takes no arguments (the fast path reads none)').to.deep.equal([])
  })

  it('notices when the two differ', () => {
    const oclif = oclifFlagsOf(RouteShow)
    const changed = (extra: Partial<OclifFlag>, name = 'tenant') =>
      differences(fastFlagDefs(routeShow), {...oclif, [name]: {...oclif[name], ...extra} as OclifFlag})
    expect(changed({char: 't'})).to.deep.equal(['tenant.char: fast undefined, oclif "t"'])
    expect(changed({env: 'PPCTL_TENANT'})).to.have.length(1)
    expect(changed({default: 'contoso'})).to.have.length(1)
    expect(changed({options: ['a']} as Partial<OclifFlag>)).to.have.length(1)
    expect(changed({exclusive: ['refresh']})).to.have.length(1)
    expect(changed({allowNo: true} as Partial<OclifFlag>, 'refresh')).to.have.length(1)
    expect(changed(Flags.integer({description: 'x'}) as unknown as Partial<OclifFlag>)).to.not.deep.equal([])
    expect(differences(fastFlagDefs(routeShow), {...oclif, extra: Flags.boolean({description: 'x'})})).to.deep.equal(['extra: only in oclif'])
  })

  it("reads route show's argv as oclif does, or hands it over", async () => {
    await expectSameReading(routeShow, oclifFlagsOf(RouteShow), [
      [],
      ['--json', '--tenant', 'fabrikam', '--profile=prod'],
      ['--tenant=contoso', '--debug', '--refresh'],
      ['--refresh', '--json'],
      ['--bogus'],
      ['--json', '--json'],
      ['--tenant'],
      ['--json=true'],
      ['extra'],
      ['-t', 'x'],
      ['-o', 'yaml', '--query', 'home.clusterId'],
      ['--output=tsv', '--no-headers'],
      ['-o', 'xml'],
      ['-o'],
      ['--no-headers=yes'],
    ])
  })

  it('reads env, default, options, char, exclusive and dependsOn as oclif does, or hands over', async () => {
    const defs = {
      mode: {type: 'option', description: 'm', options: ['fast', 'slow'], env: 'FAST_PATH_TEST_MODE', char: 'm'},
      level: {type: 'option', description: 'l', default: 'info'},
      quiet: {type: 'boolean', description: 'q', env: 'FAST_PATH_TEST_QUIET', exclusive: ['loud']},
      loud: {type: 'boolean', description: 'l'},
      since: {type: 'option', description: 's', dependsOn: ['mode']},
    } satisfies Record<string, FlagDef>
    const command = {id: 'route:show', flags: defs}
    const {tenant: _t, refresh: _r, ...base} = oclifFlagsOf(RouteShow)
    const oclif = {
      ...base,
      ...Object.fromEntries(
        Object.entries(defs).map(([name, def]) => [name, def.type === 'boolean' ? Flags.boolean(def) : Flags.string(def as {description: string})]),
      ),
    } as Record<string, OclifFlag>
    expect(differences(fastFlagDefs(command), oclif)).to.deep.equal([])
    const argvs = [
      [],
      ['--mode', 'fast'],
      ['-m', 'slow'],
      ['--mode', 'medium'],
      ['--level', 'debug'],
      ['--quiet', '--loud'],
      ['--since', '1h'],
      ['--since', '1h', '--mode=fast'],
      ['--loud'],
    ]
    const saved = {mode: process.env.FAST_PATH_TEST_MODE, quiet: process.env.FAST_PATH_TEST_QUIET}
    try {
      for (const env of [{}, {FAST_PATH_TEST_MODE: 'slow', FAST_PATH_TEST_QUIET: 'yes'}, {FAST_PATH_TEST_MODE: 'medium', FAST_PATH_TEST_QUIET: '0'}]) {
        delete process.env.FAST_PATH_TEST_MODE
        delete process.env.FAST_PATH_TEST_QUIET
        Object.assign(process.env, env)
        await expectSameReading(command, oclif, argvs)
      }
    } finally {
      for (const [key, value] of [
        ['FAST_PATH_TEST_MODE', saved.mode],
        ['FAST_PATH_TEST_QUIET', saved.quiet],
      ] as const) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
    }
  })

  it('hands over a definition it cannot read (a key it does not know), and help, other commands, short help', () => {
    const unknownKind = {id: 'route:show', flags: {tenant: {type: 'option', description: 't', multiple: true} as unknown as FlagDef}}
    expect(parseFast(['route', 'show'], unknownKind)).to.equal(undefined)
    for (const argv of [
      ['route'],
      ['route', 'diagnose'],
      ['route', 'show', '--help'],
      ['route', 'show', '-h'],
      ['route', 'show', '--tenant', '--json'],
      ['route', 'show', '--'],
      ['show', 'route'],
    ]) {
      expect(parseFast(argv, routeShow), argv.join(' ')).to.equal(undefined)
    }
  })

  it('leaves the command to oclif when oclif would add hooks or plugins, or PPCTL_CONTENT_TYPE asks for JSON', async () => {
    const argv = ['route', 'show']
    expect(await tryFastPath(argv, {version: '0.0.0', oclif: {hooks: {prerun: './dist/hooks/prerun.js'}}}, {})).to.equal(false)
    expect(await tryFastPath(argv, {version: '0.0.0', oclif: {hooks: {init: './x.js'}}}, {})).to.equal(false)
    expect(await tryFastPath(argv, {version: '0.0.0', oclif: {plugins: ['@oclif/plugin-x']}}, {})).to.equal(false)
    expect(await tryFastPath(argv, {version: '0.0.0'}, {PPCTL_CONTENT_TYPE: 'json'})).to.equal(false)
  })
})
