// Completion answers from the real oclif.manifest.json: topics, commands, flags, option values, profile names, and nothing hidden.
import {expect} from 'chai'
import {mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {complete, formatAnswer, type CompletionSources, type CompletionSpec} from '../../../src/lib/completion/complete.js'
import {localProfileNames, specFromManifest} from '../../../src/lib/completion/sources.js'
import {ROOT} from '../../helpers/cli.js'

const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {oclif: {topics: Record<string, {description?: string}>}}
const spec = specFromManifest(new URL('../../../oclif.manifest.json', import.meta.url), pjson.oclif.topics) as CompletionSpec

const sources: CompletionSources = {profiles: () => ['alpha', 'beta-work'], configKeys: () => ['authority', 'tenant']}
const valuesOf = async (...words: string[]) => (await complete(spec, words, sources)).candidates.map((c) => c.value)

describe('completion answers (real manifest)', () => {
  it('reads the manifest and the topics of package.json', () => {
    expect(spec, 'oclif.manifest.json is readable').to.not.equal(undefined)
    expect(spec.commands.map((c) => c.id)).to.include('connector:list')
    expect(spec.topics.map((t) => t.name)).to.include('sandbox:sp')
  })

  it('completes a topic from its first letters, with its description', async () => {
    const answer = await complete(spec, ['conn'], sources)
    expect(answer.candidates).to.deep.equal([{value: 'connector', description: answer.candidates[0].description}])
    expect(answer.candidates[0].description).to.match(/^List, block and explain access to connectors/)
  })

  it('lists the topics and visible commands at the root, never a hidden command', async () => {
    const root = await valuesOf('')
    expect(root).to.include.members([
      'audit',
      'auth',
      'completion',
      'config',
      'connector',
      'firewall',
      'help',
      'isolation',
      'keys',
      'license',
      'route',
      'sandbox',
      'signin-policy',
      'user',
    ])
    expect(root).to.not.include('__complete')
    expect(await valuesOf('_')).to.deep.equal([])
  })

  it('completes the commands of a topic, as the space-separated words the CLI takes', async () => {
    expect(await valuesOf('connector', 'l')).to.deep.equal(['list'])
    expect(await valuesOf('connector', '')).to.deep.equal(['access', 'block', 'create', 'delete', 'list', 'show', 'unblock'])
    expect(await valuesOf('sandbox', 'sp', '')).to.deep.equal(['create', 'federate'])
    expect(await valuesOf('sandbox', 'sp', 'federate', '')).to.deep.equal(['add', 'list', 'remove'])
    expect(await valuesOf('help', 'connector', 'bl')).to.deep.equal(['block'])
  })

  it("completes a command's flags, without those already given", async () => {
    expect(await valuesOf('connector', 'list', '--t')).to.deep.equal(['--tier'])
    const all = await valuesOf('connector', 'list', '--tier', 'premium', '--')
    expect(all).to.include.members(['--blocked', '--allowed', '--search', '--profile', '--json', '--debug', '--help'])
    expect(all).to.not.include('--tier')
  })

  it('offers the allowed values of an option flag, after a space or an =', async () => {
    expect(await valuesOf('connector', 'list', '--tier', '')).to.deep.equal(['standard', 'premium', 'custom'])
    expect(await valuesOf('connector', 'list', '--tier', 'p')).to.deep.equal(['premium'])
    expect(await valuesOf('connector', 'list', '--tier=p')).to.deep.equal(['--tier=premium'])
    // A flag given by its short name (-o is --output): its values, whatever they are in the manifest.
    const output = spec.commands.find((c) => c.id === 'audit:stream')!.flags.output
    expect(output.options, 'audit stream --output has options').to.have.length.above(1)
    expect(await valuesOf('audit', 'stream', '-o', '')).to.deep.equal(output.options)
    expect(await valuesOf('connector', 'access', 'x', '--as', '')).to.deep.equal(['maker', 'app-user'])
  })

  it('offers the profile names for --profile, auth login --from and auth switch', async () => {
    expect(await valuesOf('connector', 'list', '--profile', '')).to.deep.equal(['alpha', 'beta-work'])
    expect(await valuesOf('auth', 'logout', '--profile', 'b')).to.deep.equal(['beta-work'])
    expect(await valuesOf('auth', 'login', '--from', '')).to.deep.equal(['alpha', 'beta-work'])
    expect(await valuesOf('auth', 'switch', '')).to.deep.equal(['alpha', 'beta-work'])
    // Only the first argument of auth switch is a profile.
    expect(await valuesOf('auth', 'switch', 'alpha', '')).to.deep.equal([])
  })

  it('offers the values of positional arguments ppctl knows: config keys, shells, fault actions', async () => {
    expect(await valuesOf('config', 'get', '')).to.deep.equal(['authority', 'tenant'])
    expect(await valuesOf('completion', '')).to.deep.equal(['bash', 'zsh', 'fish', 'powershell'])
    expect(await valuesOf('sandbox', 'fault', 'd')).to.deep.equal(['down'])
  })

  it('leaves path flags to the shell, and offers nothing for free values or unknown words', async () => {
    expect(await complete(spec, ['sandbox', 'start', '--data-dir', ''], sources)).to.deep.equal({candidates: [], files: true})
    expect(await complete(spec, ['connector', 'create', '--file', ''], sources)).to.deep.equal({candidates: [], files: true})
    expect(await complete(spec, ['connector', 'list', '--search', ''], sources)).to.deep.equal({candidates: [], files: false})
    expect(await valuesOf('nosuch', '')).to.deep.equal([])
    expect(await valuesOf('connector', 'list', '--', '--t')).to.deep.equal([])
  })

  it('prints one candidate a line, a tab before its description, and the file directive last', () => {
    expect(formatAnswer({candidates: [{value: 'list', description: 'List them'}, {value: 'show'}], files: false})).to.equal('list\tList them\nshow\n:0\n')
    expect(formatAnswer({candidates: [], files: true})).to.equal(':1\n')
  })
})

describe('profile names for completion (local configuration file)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-completion-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  const write = (text: string) => {
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'config.json'), text)
  }

  it('reads the profile names, sorted, and drops names ppctl would refuse (terminal escapes, spaces)', () => {
    write(JSON.stringify({version: 1, profiles: {work: {}, 'a\u001b[31m': {}, 'two words': {}, alpha: {tenant: 'x'}}}))
    expect(localProfileNames({PPCTL_CONFIG_DIR: dir})).to.deep.equal(['alpha', 'work'])
  })

  it('answers no names for a missing or corrupt file, without throwing', () => {
    expect(localProfileNames({PPCTL_CONFIG_DIR: join(dir, 'none')})).to.deep.equal([])
    write('{not json')
    expect(localProfileNames({PPCTL_CONFIG_DIR: dir})).to.deep.equal([])
    write(JSON.stringify({profiles: ['a']}))
    expect(localProfileNames({PPCTL_CONFIG_DIR: dir})).to.deep.equal([])
  })
})
