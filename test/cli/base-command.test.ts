// The base command runs in a context handed in by the test: fake streams and paths, no process globals patched.
import {Config} from '@oclif/core'
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import ConfigGet from '../../src/commands/config/get.js'
import ConfigList from '../../src/commands/config/list.js'
import {createContext} from '../../src/lib/context.js'
import type {IO} from '../../src/lib/io/io.js'
import {ROOT} from '../helpers/cli.js'
import {fakeIO} from '../helpers/fake-io.js'

describe('BaseCommand with an injected context', () => {
  let dir: string
  let config: Config
  const savedExitCode = process.exitCode

  before(async () => {
    config = await Config.load(ROOT)
  })
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ppctl-base-'))))
  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
    process.exitCode = savedExitCode
  })

  const contextFor = ({io}: {io: IO}, env: NodeJS.ProcessEnv = {}) =>
    createContext({version: '0.0.0-test', io, env, paths: {config: join(dir, 'config'), cache: join(dir, 'cache'), data: join(dir, 'data')}})

  it('prints --json results to the context stdout and nothing to stderr', async () => {
    const io = fakeIO({columns: 100})
    const result = await new ConfigList(['--json'], config).useContext(contextFor(io, {PPCTL_TENANT_ID: 'contoso'})).invoke()
    expect(JSON.parse(io.stdoutText())).to.deep.equal(JSON.parse(JSON.stringify(result)))
    const tenant = (result as {items: Array<{key: string; value: unknown; source: string}>}).items.find((k) => k.key === 'tenant')
    expect(tenant).to.include({value: 'contoso', source: 'env'})
    expect(io.stderrText()).to.equal('')
  })

  it('reports a typed error on the context stderr with its exit code', async () => {
    const io = fakeIO({columns: 100})
    await new ConfigGet(['authority'], config).useContext(contextFor(io)).invoke()
    expect(process.exitCode).to.equal(6)
    expect(io.stderrText()).to.match(/^Error: .*authority.*\n {2}Next: /)
    expect(io.stdoutText()).to.equal('')
  })

  it('reports errors as JSON on the context stdout under --json', async () => {
    const io = fakeIO({columns: 100})
    await new ConfigGet(['authority', '--json'], config).useContext(contextFor(io)).invoke()
    const {error} = JSON.parse(io.stdoutText()) as {error: {code: string; exitCode: number}}
    expect(error.exitCode).to.equal(6)
    expect(error.code)
      .to.be.a('string')
      .that.matches(/^[A-Z_]+$/)
  })
})
