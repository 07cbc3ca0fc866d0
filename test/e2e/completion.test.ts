// Shell completion through the real bin/run.js: the bash script loads, __complete answers offline and silently, hidden commands stay hidden.
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'

import {BIN, makeCliEnv, ROOT, runCli, type CliEnv} from '../helpers/cli.js'

const sh = (script: string, env: NodeJS.ProcessEnv): Promise<{code: number; stdout: string; stderr: string}> =>
  new Promise((resolve) => {
    execFile('bash', ['--norc', '--noprofile', '-c', script], {env, timeout: 60_000}, (err, stdout, stderr) =>
      resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, stdout, stderr}),
    )
  })

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('shell completion (real CLI)', function () {
  this.timeout(120_000)
  let m: CliEnv

  before(async () => {
    m = makeCliEnv()
    // Two profiles, written the way people create them.
    for (const [profile, tenant] of [
      ['work', 'contoso.example'],
      ['home-lab', 'fabrikam.example'],
    ]) {
      const set = await runCli(['config', 'set', 'tenant', tenant, '--profile', profile], m.env)
      if (set.code !== 0) throw new Error(`config set --profile ${profile}: ${set.stderr}`)
    }
  })
  after(() => m?.cleanup())

  it('`source <(ppctl completion bash); complete -p ppctl` shows the completion function', async () => {
    const env = {...m.env, PATH: `${join(m.home, 'bin')}:${m.env.PATH}`}
    const bin = join(m.home, 'bin')
    await sh(`mkdir -p '${bin}' && printf '#!/bin/sh\\nexec "%s" "%s" "$@"\\n' '${process.execPath}' '${BIN}' > '${bin}/ppctl' && chmod +x '${bin}/ppctl'`, env)
    const result = await sh('source <(ppctl completion bash) && complete -p ppctl && type -t _ppctl_completion', env)
    expect(result.stderr).to.equal('')
    expect(result.code).to.equal(0)
    expect(result.stdout).to.equal('complete -F _ppctl_completion ppctl\nfunction\n')
  })

  it("prints each shell's script; an unknown shell is a usage error (exit 2) with a Next: line", async () => {
    for (const shell of ['zsh', 'fish', 'powershell']) {
      const result = await runCli(['completion', shell], m.env)
      expect(result.code, `${shell}: ${result.stderr}`).to.equal(0)
      expect(result.stdout).to.contain('ppctl __complete --')
    }
    const bad = await runCli(['completion', 'tcsh'], m.env)
    expect(bad.code).to.equal(2)
    expect(bad.stdout).to.equal('')
    expect(bad.stderr).to.equal(
      'Error: ppctl cannot write a completion script for "tcsh": it knows bash, zsh, fish, powershell.\n' +
        '  Next: ppctl completion bash   (or zsh, fish, powershell; see ppctl completion --help)\n',
    )
  })

  it('answers from the local files only: no connection at all, nothing on stderr, with a dead proxy, an unreachable platform and the TLS override set', async () => {
    const port = await closedPort()
    // Any connection or name lookup in the process ends it with exit 99 and says so.
    const tripwire = join(m.home, 'no-network.mjs')
    writeFileSync(
      tripwire,
      [
        "import net from 'node:net'",
        "import dns from 'node:dns'",
        "import {writeSync} from 'node:fs'",
        'const trip = (what) => { writeSync(2, `NETWORK: ${what}\\n`); process.exit(99) }',
        "net.Socket.prototype.connect = function () { trip('connect') }",
        "dns.lookup = () => trip('dns.lookup')",
        "dns.promises.lookup = async () => trip('dns.promises.lookup')",
      ].join('\n'),
    )
    const hostile = {
      ...m.env,
      NODE_OPTIONS: `--import=${tripwire}`,
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
      HTTP_PROXY: `http://127.0.0.1:${port}`,
      PPCTL_GLOBAL_URL: 'https://global.unreachable.invalid',
      PPCTL_CREDENTIAL_STORE: 'file',
      NODE_TLS_REJECT_UNAUTHORIZED: '0',
    }
    // The tripwire does trip, and this environment does make ppctl warn, when something connects or runs normally.
    const control = await new Promise<{code: number | null; stderr: string}>((resolve) => {
      const child = execFile(process.execPath, ['-e', `require('node:net').connect(${port}, '127.0.0.1')`], {env: hostile}, (_err, _out, stderr) =>
        resolve({code: child.exitCode, stderr}),
      )
    })
    expect(control).to.deep.equal({code: 99, stderr: 'NETWORK: connect\n'})
    const warned = await runCli(['config', 'list', '--profile', 'work'], hostile)
    expect(warned.stderr).to.match(/NODE_TLS_REJECT_UNAUTHORIZED/)

    for (const fast of [true, false]) {
      const env = fast ? hostile : {...hostile, PPCTL_NO_FAST_PATH: '1'}
      const profiles = await runCli(['__complete', '--', 'connector', 'list', '--profile', ''], env)
      expect(profiles, fast ? 'fast path' : 'oclif').to.deep.equal({code: 0, stdout: 'home-lab\nwork\n:0\n', stderr: ''})
      const tier = await runCli(['__complete', '--', 'connector', 'list', '--tier', ''], env)
      expect(tier).to.deep.equal({code: 0, stdout: 'standard\npremium\ncustom\n:0\n', stderr: ''})
      const topic = await runCli(['__complete', '--', 'conn'], env)
      expect(topic.stderr).to.equal('')
      expect(topic.stdout).to.match(/^connector\tList, block and explain access to connectors[^\n]*\n:0\n$/)
      // Words oclif would take for its own flags are only words to complete.
      const help = await runCli(['__complete', '--', 'connector', 'list', '--h'], env)
      expect(help).to.deep.equal({code: 0, stdout: '--help\tShow help\n:0\n', stderr: ''})
    }
  })

  it('keeps __complete out of help, the README command reference and did-you-mean', async () => {
    const help = await runCli(['--help'], m.env)
    expect(help.stdout).to.contain('completion')
    expect(help.stdout).to.not.contain('__complete')
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).to.not.match(/## `ppctl __complete/)
    const typo = await runCli(['_complete'], m.env)
    expect(typo.code).to.equal(2)
    expect(typo.stderr).to.equal('Error: "_complete" is not a ppctl command.\n  Next: See the commands: ppctl --help\n')
    // A visible command is still suggested.
    const close = await runCli(['completio', 'bash'], m.env)
    expect(close.stderr).to.contain('Did you mean "ppctl completion"?')
  })
})
