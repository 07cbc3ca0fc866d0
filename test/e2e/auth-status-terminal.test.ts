// `auth status` at a real terminal (tmux): it checks with the platform by default, and a platform that never answers is reported within the check's timeout, not waited for.
import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'

import {FileStore} from '../../src/lib/credentials/file-store.js'
import {makeCliEnv, type CliEnv} from '../helpers/cli.js'
import {openTmux, type Tmux} from '../helpers/tmux.js'

describe('auth status at a terminal (tmux)', function () {
  let blackHole: Server
  const sockets: Socket[] = []
  let cli: CliEnv
  let term: Tmux | undefined

  before(async () => {
    // Accepts connections and never says a word: no TLS handshake, no answer.
    blackHole = createServer((s) => void sockets.push(s))
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve))
    const port = (blackHole.address() as {port: number}).port
    cli = makeCliEnv({PPCTL_CREDENTIAL_STORE: 'file'})
    delete cli.env.CI
    const configDir = cli.env.PPCTL_CONFIG_DIR!
    mkdirSync(configDir, {recursive: true, mode: 0o700})
    writeFileSync(
      join(configDir, 'config.json'),
      JSON.stringify({
        version: 1,
        defaultProfile: 'work',
        profiles: {
          work: {
            authority: `https://login.sandbox.localhost:${port}`,
            globalUrl: `https://global.sandbox.localhost:${port}`,
            clientId: 'ppctl',
            authMethod: 'device-code',
            account: 'admin@contoso.example',
            tenantId: '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1',
            credentialStore: 'file',
          },
        },
      }),
      {mode: 0o600},
    )
    await new FileStore(configDir, 'work').set('work', {
      accessToken: 'opaque-access',
      accessTokenExpiresAt: Date.now() + 3600_000,
      refreshToken: 'opaque-refresh',
    })
  })
  after(async () => {
    await term?.close()
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => blackHole?.close(resolve))
    cli?.cleanup()
  })

  it('checks by default; the platform never answering is reported (exit 8) with what to try; --no-check asks nothing (exit 0)', async () => {
    term = await openTmux({columns: 120, env: cli.env})
    const checked = await term.run('ppctl auth status', 120_000)
    expect(checked.status, checked.lines.join('\n')).to.equal(8)
    // Errors may be wrapped to the terminal's width: the words are compared, not the line breaks.
    const screen = checked.lines.join(' ').replace(/\s+/g, ' ')
    expect(screen).to.match(/Signed in: +yes \(not checked: the platform did not answer\)/)
    expect(screen).to.match(/Error: Could not ask the identity provider \(https:\/\/login\.sandbox\.localhost:\d+\) whether the sign-in is still good/)
    expect(screen).to.contain('Next: Try again when the platform answers: ppctl auth status --check --profile work')
    const before = sockets.length
    const skipped = await term.run('ppctl auth status --no-check', 120_000)
    expect(skipped.status, skipped.lines.join('\n')).to.equal(0)
    expect(skipped.lines.join('\n')).to.match(/Signed in: +yes$/m)
    expect(sockets.length).to.equal(before)
  })
})
