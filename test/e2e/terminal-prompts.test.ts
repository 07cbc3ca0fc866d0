// Prompts at a real terminal (a pseudo-terminal from util-linux `script`): a confirmation declined and accepted,
// and a password typed without echo. Without a terminal the same commands need --yes or stdin (tested elsewhere).
import {expect} from 'chai'

import {runCli, type CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {deviceLogin, machine} from '../helpers/sign-in.js'
import {runAtTerminal} from '../helpers/terminal.js'

const ADMIN = 'admin@contoso.example'

describe('prompts at a terminal (real pseudo-terminal)', function () {
  let platform: TestPlatform
  let m: CliEnv
  let password: string

  before(async () => {
    platform = await startTestPlatform()
    m = await machine(platform)
    const users = JSON.parse((await runCli(['sandbox', 'users', '--data-dir', platform.dataDir, '--json'], platform.cli.env)).stdout) as {
      items: Array<{upn: string; password: string}>
    }
    password = users.items.find((u) => u.upn === ADMIN)!.password
  })

  after(async () => {
    await platform?.stop()
    m?.cleanup()
  })

  it('reads the password for `sandbox approve` without echoing it, and the sign-in completes', async () => {
    let approve: {code: number; transcript: string} | undefined
    const login = await deviceLogin(m.env, [], async (device) => {
      approve = await runAtTerminal(['sandbox', 'approve', device.userCode, '--user', ADMIN, '--data-dir', platform.dataDir], platform.cli.env, [
        {after: new RegExp(`Password for ${ADMIN.replace('.', '\\.')}`), send: `${password}\r`},
      ])
    })
    expect(approve?.code, approve?.transcript).to.equal(0)
    expect(approve?.transcript).to.match(/Password for admin@contoso\.example/)
    // The terminal showed a mask, never the password.
    expect(approve?.transcript).not.to.include(password)
    expect(login.code, login.stderr).to.equal(0)
  })

  it('asks before blocking a connector: "n" changes nothing (exit 3), "y" blocks it', async () => {
    const isBlocked = async () => (JSON.parse((await runCli(['connector', 'show', 'shared_dropbox', '--json'], m.env)).stdout) as {blocked: boolean}).blocked
    expect(await isBlocked()).to.equal(false)

    const declined = await runAtTerminal(['connector', 'block', 'shared_dropbox'], m.env, [{after: /for every user and app of the tenant\?/, send: 'n\r'}])
    expect(declined.code, declined.transcript).to.equal(3)
    expect(declined.transcript).to.include('Cancelled; nothing was changed.')
    expect(await isBlocked()).to.equal(false)

    const accepted = await runAtTerminal(['connector', 'block', 'shared_dropbox'], m.env, [{after: /for every user and app of the tenant\?/, send: 'y\r'}])
    expect(accepted.code, accepted.transcript).to.equal(0)
    expect(await isBlocked()).to.equal(true)
  })

  it('never asks without a terminal: the same command says which flag to pass (exit 2)', async () => {
    const out = await runCli(['connector', 'block', 'shared_box'], m.env)
    expect(out.code).to.equal(2)
    expect(out.stderr).to.match(/No terminal to ask on, and --yes was not given/)
  })
})
