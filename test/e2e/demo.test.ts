// `npm run demo` (scripts/demo.sh), unattended, on its own platform: it runs, and the advice it prints still works after it.
import {execFile} from 'node:child_process'
import {join} from 'node:path'

import {expect} from 'chai'

import {ROOT, makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'

function runDemo(env: NodeJS.ProcessEnv): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = execFile('bash', [join(ROOT, 'scripts', 'demo.sh')], {env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024}, (_err, stdout, stderr) =>
      resolve({code: child.exitCode ?? 1, stdout, stderr}),
    )
    child.stdin?.end()
  })
}

describe('the demo (scripts/demo.sh, unattended)', function () {
  this.timeout(300_000)
  let cli: CliEnv
  let env: NodeJS.ProcessEnv

  before(() => {
    cli = makeCliEnv()
    // Port 0 and a data folder of its own; dist/ is built by the suite (a rebuild would race the other test files); the
    // file store, as the demo chooses itself on a machine without a keychain.
    env = {...cli.env, PPCTL_SANDBOX_DIR: join(cli.home, 'platform'), PPCTL_SANDBOX_PORT: '0', PPCTL_DEMO_NO_BUILD: '1', PPCTL_CREDENTIAL_STORE: 'file'}
  })
  after(async () => {
    await runCli(['sandbox', 'stop'], env)
    cli.cleanup()
  })

  it('runs, and the license it advises for user@contoso.example can still be assigned after it ran', async () => {
    const demo = await runDemo(env)
    expect(demo.code, `${demo.stdout}\n${demo.stderr}`).to.equal(0)
    const advice = /^Next: +Assign .*: (ppctl license assign --user user@contoso\.example --sku \S+)$/m.exec(demo.stdout)
    expect(advice, `the demo printed no license advice:\n${demo.stdout}`).to.not.equal(null)
    const args = advice![1].split(' ').slice(1)
    const assigned = await runCli([...args, '--json'], {...env, PPCTL_NO_WARNINGS: '1'})
    expect(assigned.code, `\`${advice![1]}\` after the demo: ${assigned.stdout}${assigned.stderr}`).to.equal(0)
    expect(JSON.parse(assigned.stdout)).to.nested.include({'results[0].outcome': 'assigned'})
  })
})
