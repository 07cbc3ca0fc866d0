// One name and one short flag per concept across the commands, read from the built manifest (what --help shows).
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {makeCliEnv, ROOT, runCli} from '../helpers/cli.js'

interface ManifestFlag {
  name: string
  char?: string
  hidden?: boolean
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, ManifestFlag>}>
}
const commands = Object.entries(manifest.commands)
const shown = (id: string) => Object.values(manifest.commands[id].flags).filter((f) => !f.hidden)
const sourceOf = (id: string) => readFileSync(join(ROOT, 'src', 'commands', `${id.replaceAll(':', '/')}.ts`), 'utf8')

describe('flags across commands (manifest)', () => {
  it('a flag has the same short form on every command that shows it, or none anywhere', () => {
    const chars = new Map<string, Set<string>>()
    for (const [id] of commands) for (const f of shown(id)) chars.set(f.name, (chars.get(f.name) ?? new Set()).add(f.char ? `-${f.char}` : `none (${id})`))
    const uneven = [...chars].filter(([, c]) => c.size > 1 && [...c].some((x) => x.startsWith('-')))
    expect(Object.fromEntries(uneven.map(([name, c]) => [name, [...c]]))).to.deep.equal({})
  })

  it("a short form stands for one flag name only (but on `api`, whose -f/-F/-H/-i are gh api's, for the fingers that know them)", () => {
    const names = new Map<string, Set<string>>()
    for (const [id] of commands) if (id !== 'api') for (const f of shown(id)) if (f.char) names.set(f.char, (names.get(f.char) ?? new Set()).add(f.name))
    expect(manifest.commands.api.flags['raw-field'].char).to.equal('f')
    expect([...names].filter(([, n]) => n.size > 1)).to.deep.equal([])
  })

  it('--follow is -f on both audit stream and audit watch; -t is not on the sandbox commands alone', () => {
    expect(manifest.commands['audit:stream'].flags.follow.char).to.equal('f')
    expect(manifest.commands['audit:watch'].flags.follow.char).to.equal('f')
    for (const id of ['sandbox:failover', 'sandbox:resync']) expect(manifest.commands[id].flags.tenant.char).to.equal(undefined)
  })

  it('-t still works on sandbox failover (a hidden alias, for scripts): parsed as --tenant, not a usage error', async () => {
    const cli = makeCliEnv()
    try {
      const res = await runCli(['sandbox', 'failover', '-t', 'contoso', '--data-dir', join(cli.home, 'none')], cli.env)
      expect(res.code, res.stderr).to.equal(8)
      expect(res.stderr).to.contain('The local platform is not running')
    } finally {
      cli.cleanup()
    }
  })

  it('--yes only where the command asks for confirmation (license assign never asks, so it has none)', () => {
    expect(manifest.commands['license:assign'].flags).not.to.have.property('yes')
    const withYes = commands.filter(([, c]) => c.flags.yes && !c.flags.yes.hidden).map(([id]) => id)
    expect(withYes).to.include('license:revoke')
    for (const id of withYes) expect(sourceOf(id), `${id} shows --yes`).to.match(/flags\.yes/)
  })

  it('a UPN is --user on every command that takes one', () => {
    const upnFlags = commands.flatMap(([id]) =>
      shown(id)
        .filter((f) => /^(upn|email|account|principal|user-?name)$/.test(f.name))
        .map((f) => `${id} --${f.name}`),
    )
    expect(upnFlags).to.deep.equal([])
    for (const id of ['license:assign', 'license:revoke', 'license:show', 'connector:access', 'sandbox:approve'])
      expect(manifest.commands[id].flags).to.have.property('user')
  })

  it('the sandbox commands (always the "sandbox" profile) and auth switch (its argument) do not show --profile, still accepted', () => {
    const sandbox = commands.filter(([id]) => id.startsWith('sandbox:'))
    expect(sandbox.length).to.be.greaterThan(5)
    for (const [id, c] of [...sandbox, ['auth:switch', manifest.commands['auth:switch']] as const]) expect(c.flags.profile, id).to.include({hidden: true})
    expect(manifest.commands['connector:list'].flags.profile.hidden ?? false).to.equal(false)
  })
})
