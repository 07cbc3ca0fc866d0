// Every command is a file of its own: it extends BaseCommand directly, and shows only the flags it uses.
import {expect} from 'chai'
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {pathToFileURL} from 'node:url'

import {ROOT, makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'

const sources = (dir: string): string[] =>
  readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

describe('standalone commands', () => {
  it('no command inherits another command: each extends BaseCommand itself', async () => {
    const inheriting: string[] = []
    for (const file of sources(join(ROOT, 'src', 'commands'))) {
      const {default: command} = (await import(pathToFileURL(file).href)) as {default: object}
      // By name: a loader may hand the test and the commands separate instances of the module.
      const parent = Object.getPrototypeOf(command) as {name: string}
      if (parent.name !== 'BaseCommand') inheriting.push(`${relative(ROOT, file)} extends ${parent.name}`)
    }
    expect(inheriting).to.deep.equal([])
  })

  it('license assign has no --yes (it never asks); license revoke keeps it', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>}
    expect(manifest.commands['license:assign'].flags).not.to.have.property('yes')
    expect(manifest.commands['license:revoke'].flags).to.have.property('yes')
    expect(manifest.commands['connector:block'].flags).to.have.property('yes')
    expect(manifest.commands['connector:unblock'].flags).to.have.property('yes')
  })

  describe('on the command line', () => {
    let cli: CliEnv
    before(() => (cli = makeCliEnv()))
    after(() => cli.cleanup())

    it('license assign --yes is a usage error (exit 2), before anything is sent', async () => {
      const res = await runCli(['license', 'assign', '--user', 'lee.gu@contoso.example', '--sku', 'POWERAPPS_PER_USER', '--yes'], cli.env)
      expect(res.code).to.equal(2)
      expect(res.stderr).to.contain('--yes')
    })
  })
})
