// Every `ppctl sandbox …` command under --json against a real platform (bin/run.js): each document matches its schema.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {commandIdOf} from '../helpers/command-schema.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {deviceLogin, machine} from '../helpers/sign-in.js'

const ADMIN = 'admin@contoso.example'

describe('sandbox commands under --json (real CLI, real platform)', function () {
  this.timeout(300_000)
  let platform: TestPlatform | undefined

  afterEach(async () => {
    await platform?.stop()
    platform = undefined
  })

  it('every sandbox command prints the document of its schema: status, users, approve, fault, sp create, sp federate, ci-token, failover, resync, stop, start, reset', async () => {
    const p = (platform = await startTestPlatform())
    const dataDir = ['--data-dir', p.dataDir]
    const ran = new Set<string>()
    // runCli rejects a --json run whose stdout breaks schemas/<id>.json (or error.json): each step below is checked.
    const json = async <T = Record<string, unknown>>(args: string[], input?: string): Promise<T> => {
      const res: CliResult = await runCli([...args, ...dataDir, '--json'], p.cli.env, input)
      expect(res.code, `${args.join(' ')}: ${res.stderr}${res.stdout}`).to.equal(0)
      ran.add(commandIdOf(args)!)
      return JSON.parse(res.stdout) as T
    }

    expect(await json(['sandbox', 'status'])).to.include({running: true, healthy: true})
    const users = await json<{count: number; items: Array<{upn: string; password: string}>}>(['sandbox', 'users'])
    expect(users.count).to.equal(users.items.length).and.to.be.greaterThan(0)
    const password = users.items.find((u) => u.upn === ADMIN)!.password

    const m = await machine(p)
    try {
      const login = await deviceLogin(m.env, [], async (device) => {
        expect(await json(['sandbox', 'approve', device.userCode, '--user', ADMIN], `${password}\n`)).to.deep.equal({upn: ADMIN, approved: true})
      })
      expect(login.code, login.stderr).to.equal(0)
    } finally {
      m.cleanup()
    }

    expect(await json(['sandbox', 'fault', 'slow', '50', '--cluster', 'westus-1'])).to.include({cluster: 'westus-1', action: 'slow'})
    expect(await json(['sandbox', 'fault', 'up', '--cluster', 'westus-1'])).to.include({cluster: 'westus-1', action: 'up', fault: null})
    const sp = ['sandbox', 'sp', 'create', '--tenant', 'contoso', '--name', 'json-check', '--out', join(p.cli.home, 'sp')]
    const created = await json<{name: string; clientId: string}>(sp, 'pfx-pass-1\n')
    expect(created).to.include({name: 'json-check'}).and.to.have.property('clientId')
    const federate = ['--client-id', created.clientId, '--name', 'main']
    const subject = ['--subject', 'repo:contoso/app:ref:refs/heads/main']
    expect(await json(['sandbox', 'sp', 'federate', 'add', ...federate, ...subject, '--audience', 'api://ppctl'])).to.include({created: true})
    expect(await json(['sandbox', 'sp', 'federate', 'list', '--client-id', created.clientId])).to.include({count: 1})
    expect(await json(['sandbox', 'ci-token', ...subject, '--audience', 'api://ppctl'])).to.have.property('token')
    expect(await json(['sandbox', 'ci-token', ...subject, '--job'])).to.have.nested.property('env.ACTIONS_ID_TOKEN_REQUEST_URL')
    expect(await json(['sandbox', 'sp', 'federate', 'remove', ...federate])).to.include({name: 'main'})
    expect(await json(['sandbox', 'seed', '--users', '2', '--seats', 'POWERAPPS_PER_USER=50'])).to.be.an('object')
    expect(await json(['sandbox', 'failover', '--tenant', 'fabrikam'])).to.include({tenant: 'fabrikam'})
    expect(await json(['sandbox', 'resync', '--tenant', 'fabrikam'])).to.include({tenant: 'fabrikam'})
    expect(await json(['sandbox', 'stop'])).to.include({status: 'stopped'})
    expect(await json(['sandbox', 'start', '--port', '0'])).to.include({status: 'started'})
    expect(await json(['sandbox', 'stop'])).to.include({status: 'stopped'})
    expect(await json(['sandbox', 'reset', '--yes'])).to.include({wiped: true})

    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    expect([...ran].sort()).to.deep.equal(Object.keys(manifest.commands).filter((id) => id.startsWith('sandbox:')))
  })
})
