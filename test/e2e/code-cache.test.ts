// bin/run.js compiles the fast path's bundle with a V8 code cache in ppctl's cache folder: private files, the same
// answers with a cache, without one and with a damaged one, and nothing on disk in CI or in CI mode, where the cache
// the build made (the bundle's top level, in dist/) serves.
import {expect} from 'chai'
import {existsSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import {ROOT, makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'

/** The bundle's content hash, which names its caches (dist/fast-path.json, written by the build). */
const bundleHash = (): string => JSON.parse(readFileSync(join(ROOT, 'dist', 'fast-path.json'), 'utf8')).bundle

describe('the code cache of the fast path (real CLI)', () => {
  const machines: CliEnv[] = []
  after(() => {
    for (const m of machines) m.cleanup()
  })
  const fresh = (extra: NodeJS.ProcessEnv = {}) => {
    const m = makeCliEnv(extra)
    machines.push(m)
    return m
  }
  const codeDir = (m: CliEnv) => join(m.env.PPCTL_CONFIG_DIR!, 'cache', 'code')

  it('on a workstation: one private cache per command, used, and a damaged one replaced, with the same answers', async () => {
    const m = fresh()
    const {CI: _ci, ...env} = m.env
    // Not signed in: the fast path answers (exit 4) without any platform.
    const first = await runCli(['auth', 'token'], env)
    expect(first.code).to.equal(4)
    expect(first.stderr).to.match(/^Error: .*not signed in/im)
    const files = readdirSync(codeDir(m))
    expect(files).to.have.length(1)
    expect(files[0]).to.equal(`fast-path-${process.version}-${bundleHash()}.auth-token.v8`)
    const file = join(codeDir(m), files[0])
    expect(statSync(codeDir(m)).mode & 0o777).to.equal(0o700)
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    const made = statSync(file).mtimeMs
    const second = await runCli(['auth', 'token'], env)
    expect(second).to.deep.equal(first)
    expect(statSync(file).mtimeMs, 'a usable cache is not written again').to.equal(made)
    writeFileSync(file, 'not a V8 code cache')
    const damaged = await runCli(['auth', 'token'], env)
    expect(damaged).to.deep.equal(first)
    expect(statSync(file).size, 'replaced by a real cache').to.be.greaterThan(1000)
    // Another command has its own; a command oclif runs (config list) writes none.
    expect((await runCli(['route', 'show'], env)).code).to.equal(4)
    expect((await runCli(['config', 'list'], env)).code).to.equal(0)
    expect(readdirSync(codeDir(m)).sort()).to.deep.equal([files[0], files[0].replace('auth-token', 'route-show')].sort())
  })

  it('CI=1 and CI mode (a certificate in the environment) leave no cache', async () => {
    const ci = fresh()
    expect((await runCli(['auth', 'token'], ci.env)).code).to.equal(4)
    expect(existsSync(codeDir(ci))).to.equal(false)
    const ciMode = fresh()
    const {CI: _ci, ...env} = ciMode.env
    const res = await runCli(['auth', 'token'], {
      ...env,
      PPCTL_CLIENT_ID: 'ci-client',
      PPCTL_TENANT_ID: 'contoso',
      PPCTL_CERTIFICATE_PATH: join(ciMode.home, 'missing.pem'),
    })
    expect(res.code, res.stderr).to.not.equal(0)
    expect(existsSync(codeDir(ciMode))).to.equal(false)
  })

  it("in CI the build's cache serves: the bundle's own (V8 takes it), and anything else in its place changes nothing", async () => {
    const hash = bundleHash()
    expect(hash).to.match(/^[0-9a-f]{16}$/)
    const dist = join(ROOT, 'dist')
    // Only the current bundle's cache is in dist/.
    expect(readdirSync(dist).filter((f) => f.endsWith('.v8'))).to.deep.equal([`fast-path.${hash}.v8`])
    const ci = fresh()
    const probe = join(ci.home, 'probe.txt')
    const probed = {...ci.env, NODE_OPTIONS: `--require=${join(ROOT, 'test', 'helpers', 'code-cache-probe.cjs')}`, PROBE_CODE_CACHE_FILE: probe}
    const first = await runCli(['auth', 'token'], probed)
    expect(first.code).to.equal(4)
    expect(readFileSync(probe, 'utf8')).to.equal('taken\n')
    expect(existsSync(codeDir(ci)), 'a CI run writes no cache').to.equal(false)
    // Another file in its place (handed to the loader directly: dist/ is shared by the tests): refused, the same module.
    const file = join(dist, 'fast-path.bundle.cjs')
    const {runBundle} = createRequire(import.meta.url)(join(dist, 'fast-path-loader.cjs'))
    const loaded = runBundle(file, readFileSync(file, 'utf8'), Buffer.from('not a V8 code cache'))
    expect(loaded.script.cachedDataRejected).to.equal(true)
    expect(loaded.exports.tryFastPath).to.be.a('function')
  })
})
