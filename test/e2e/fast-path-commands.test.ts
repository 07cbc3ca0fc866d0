// The fast path's hot commands (src/cli/fast-commands.ts) answer exactly as oclif does: connector list, license list,
// user list and auth token against a real platform, in every output format, and when things go wrong (an expired
// token refreshed, a token the platform refuses, a cluster that cannot be reached, a flag the fast path hands over).
import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {FileStore} from '../../src/lib/credentials/file-store.js'
import {ROOT, runCli, type CliEnv, type CliResult} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {signedInMachines} from '../helpers/sign-in.js'

describe('fast path = oclif for connector list, license list, user list, auth token (real CLI, real platform)', function () {
  let platform: TestPlatform
  let admin: CliEnv
  let probeDir: string
  let probes = 0

  before(async () => {
    platform = await startTestPlatform()
    ;[admin] = await signedInMachines(platform, ['admin@contoso.example'])
    // Warm: the route cached, as the fast path's case is.
    const route = await runCli(['route', 'show'], admin.env)
    expect(route.code, route.stderr).to.equal(0)
    probeDir = mkdtempSync(join(tmpdir(), 'ppctl-probe-'))
  })
  after(async () => {
    admin?.cleanup()
    await platform?.stop()
    if (probeDir) rmSync(probeDir, {recursive: true, force: true})
  })

  const store = (cli: CliEnv) => new FileStore(cli.env.PPCTL_CONFIG_DIR!, 'sandbox')

  /**
   * The same argv through the fast path, then through oclif (PPCTL_NO_FAST_PATH=1), `prepare` run before each; a
   * probe preloaded into each child says whether @oclif/core was loaded, so a fast path that handed over cannot
   * pass as one. `expected` is which paths answered (the fast path hands a flag it does not take to oclif).
   */
  const both = async (
    args: string[],
    options: {env?: NodeJS.ProcessEnv; prepare?: () => Promise<void>; expected?: string} = {},
  ): Promise<{fast: CliResult; oclif: CliResult}> => {
    const env = options.env ?? admin.env
    const probe = join(probeDir, `${++probes}.txt`)
    const probed = {...env, NODE_OPTIONS: `--import=${join(ROOT, 'test', 'helpers', 'oclif-probe.mjs')}`, PROBE_OCLIF_FILE: probe}
    await options.prepare?.()
    const fast = await runCli(args, probed)
    await options.prepare?.()
    const oclif = await runCli(args, {...probed, PPCTL_NO_FAST_PATH: '1'})
    expect(readFileSync(probe, 'utf8'), `which path answered ${args.join(' ')}: the first run, then oclif`).to.equal(options.expected ?? 'fast\noclif\n')
    expect(fast.code, `exit code of ${args.join(' ')}`).to.equal(oclif.code)
    return {fast, oclif}
  }
  // What may differ between two runs: correlation ids, times, durations, and a token renewed by each run.
  const stable = (text: string) =>
    text
      .replace(/[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}/g, 'UUID')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')
      .replace(/\d+(\.\d+)? ?ms\b/g, 'N ms')
      .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, 'JWT')
  const expectSame = (r: {fast: CliResult; oclif: CliResult}, what: string) => {
    expect(stable(r.fast.stdout), `${what}: stdout`).to.equal(stable(r.oclif.stdout))
    expect(stable(r.fast.stderr), `${what}: stderr`).to.equal(stable(r.oclif.stderr))
  }

  it('--json, and the human, tsv, csv, yaml and --query outputs of each command', async () => {
    for (const args of [
      ['connector', 'list', '--json'],
      ['connector', 'list'],
      ['connector', 'list', '-o', 'tsv', '--no-headers'],
      ['connector', 'list', '--tier', 'premium', '--allowed', '-o', 'csv'],
      ['connector', 'list', '--search', 'sql', '-o', 'yaml'],
      ['connector', 'list', '--query', "items[?tier=='premium'].id"],
      ['license', 'list', '--json'],
      ['license', 'list'],
      ['license', 'list', '--query', 'items[0].seats', '-o', 'json'],
      ['user', 'list', '--json'],
      ['user', 'list', '--search', 'megan', '-o', 'tsv'],
      ['auth', 'token'],
      ['auth', 'token', '--json'],
      ['auth', 'token', '--query', 'tokenType'],
    ]) {
      const r = await both(args)
      expect(r.fast.code, `${args.join(' ')}: ${r.fast.stderr}`).to.equal(0)
      expectSame(r, args.join(' '))
    }
    const list = JSON.parse((await runCli(['connector', 'list', '--json'], admin.env)).stdout) as {count: number; items: unknown[]}
    expect(list.count).to.be.greaterThan(0).and.to.equal(list.items.length)
    expect((await both(['auth', 'token', '--query', 'tokenType'])).fast.stdout).to.equal('Bearer\n')
  })

  it("the fast path's requests go through the bundle's undici: Node's built-in fetch (a second undici) is never loaded", async () => {
    const probe = join(probeDir, `${++probes}.txt`)
    const fetchProbe = join(probeDir, `${probes}-fetch.txt`)
    const probed = {
      ...admin.env,
      NODE_OPTIONS: `--import=${join(ROOT, 'test', 'helpers', 'oclif-probe.mjs')}`,
      PROBE_OCLIF_FILE: probe,
      PROBE_FETCH_FILE: fetchProbe,
    }
    for (const args of [
      ['connector', 'list', '--json'],
      ['license', 'list'],
    ]) {
      const fast = await runCli(args, probed)
      expect(fast.code, fast.stderr).to.equal(0)
      // oclif's path uses Node's fetch (the one nock intercepts in the in-process tests): the probe tells them apart.
      const oclif = await runCli(args, {...probed, PPCTL_NO_FAST_PATH: '1'})
      expect(oclif.code, oclif.stderr).to.equal(0)
      expect(stable(fast.stdout)).to.equal(stable(oclif.stdout))
    }
    expect(readFileSync(probe, 'utf8')).to.equal('fast\noclif\nfast\noclif\n')
    expect(readFileSync(fetchProbe, 'utf8')).to.equal('no built-in fetch\nbuilt-in fetch\n'.repeat(2))
  })

  it('a warm command loads no ES module (bin/run.js and what it needs before the bundle are CommonJS); oclif does', async () => {
    const probe = join(probeDir, `${++probes}-esm.txt`)
    const probed = {...admin.env, NODE_OPTIONS: `--require=${join(ROOT, 'test', 'helpers', 'esm-probe.cjs')}`, PROBE_ESM_FILE: probe}
    for (const args of [['--version'], ['route', 'show'], ['connector', 'list', '--json'], ['auth', 'token'], ['config', 'list']]) {
      const res = await runCli(args, probed)
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).to.equal(0)
    }
    // oclif's commands are ES modules (dist/commands): the probe tells the two apart.
    expect(readFileSync(probe, 'utf8')).to.equal('no esm\n'.repeat(4) + 'esm\n')
  })

  it('an expired access token: each path renews it once, then answers the same', async () => {
    const expire = async () => {
      const creds = await store(admin).get('sandbox')
      await store(admin).set('sandbox', {...creds, accessTokenExpiresAt: Date.now() - 1000})
    }
    for (const args of [
      ['connector', 'list', '--json'],
      ['auth', 'token', '--json'],
    ]) {
      const before = (await store(admin).get('sandbox'))?.accessToken
      const r = await both(args, {prepare: expire})
      expect(r.fast.code, r.fast.stderr).to.equal(0)
      expectSame(r, args.join(' '))
      const after = await store(admin).get('sandbox')
      expect(after?.accessToken, 'renewed').to.be.a('string').and.not.equal(before)
      expect(after?.accessTokenExpiresAt).to.be.greaterThan(Date.now())
    }
  })

  it('an access token the platform refuses (401): the same error and exit code by either path', async () => {
    const [other] = await signedInMachines(platform, ['admin@contoso.example'])
    try {
      expect((await runCli(['route', 'show'], other.env)).code).to.equal(0)
      const creds = await store(other).get('sandbox')
      // A token that looks current but is not the platform's: the gateway answers 401.
      const forged = `${creds!.accessToken!.slice(0, -8)}AAAAAAAA`
      const forge = () => store(other).set('sandbox', {...creds, accessToken: forged, accessTokenExpiresAt: Date.now() + 3_600_000})
      for (const args of [
        ['license', 'list', '--json'],
        ['user', 'list'],
      ]) {
        const r = await both(args, {env: other.env, prepare: forge})
        expect(r.fast.code, `${args.join(' ')}: ${r.fast.stdout}${r.fast.stderr}`).to.not.equal(0)
        expectSame(r, args.join(' '))
      }
    } finally {
      other.cleanup()
    }
  })

  it('a cluster that cannot be reached: the same network error and exit code by either path', async () => {
    const [other] = await signedInMachines(platform, ['admin@contoso.example'])
    try {
      expect((await runCli(['route', 'show'], other.env)).code).to.equal(0)
      // The cached route names the home cluster at a port nothing listens on (port 1 of the loopback), and so does the
      // global service ppctl asks again when the home cannot be reached (PPCTL_GLOBAL_URL).
      const routes = join(other.env.PPCTL_CONFIG_DIR!, 'cache', 'sandbox', 'routes.json')
      const cached = readFileSync(routes, 'utf8')
      writeFileSync(routes, cached.replace(/(clusters\.sandbox\.localhost):\d+/g, '$1:1'))
      expect(readFileSync(routes, 'utf8'), 'the cached route changed').to.not.equal(cached)
      const global = new URL(platform.urls.global)
      global.port = '1'
      const env = {...other.env, PPCTL_GLOBAL_URL: global.href}
      const r = await both(['connector', 'list', '--json'], {env})
      expect(r.fast.code).to.equal(8)
      expect(JSON.parse(r.fast.stdout).error.code).to.match(/^(UNREACHABLE|CONNECTION_REFUSED|TIMEOUT)$/)
      expectSame(r, 'connector list --json, unreachable')
      const human = await both(['connector', 'list'], {env})
      expect(human.fast.stderr).to.match(/^Error: /m)
      expectSame(human, 'connector list, unreachable')
    } finally {
      other.cleanup()
    }
  })

  it('a flag or value the fast path does not take goes to oclif: the same usage errors', async () => {
    for (const args of [
      ['connector', 'list', '--bogus'],
      ['connector', 'list', '--tier', 'gold'],
      ['connector', 'list', '--blocked', '--allowed'],
      ['user', 'list', '--search'],
      ['license', 'list', 'extra'],
      ['auth', 'token', '--force-refresh=yes'],
      ['connector', 'list', '--help'],
    ]) {
      const r = await both(args, {expected: 'oclif\noclif\n'})
      expectSame(r, args.join(' '))
      if (!args.includes('--help')) expect(r.fast.code, args.join(' ')).to.equal(2)
    }
  })
})
