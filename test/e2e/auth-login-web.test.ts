// `auth login --web` against the real sign-in pages, driven by headless Chromium: signed in, declined, timed out, interrupted.
import {expect} from 'chai'
import {createHash, X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {chromium, type Browser} from 'playwright-core'

import {runCli, spawnCli, type CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {machine} from '../helpers/sign-in.js'

interface WebLogin {
  url: URL
  redirectUri: URL
  stderr(): string
  stdout(): string
  exited: Promise<number>
  signal(name: NodeJS.Signals): void
}

/** Runs `ppctl auth login --web --no-browser …` and resolves once it printed the address to open (read from its stderr). */
function startWebLogin(env: NodeJS.ProcessEnv, args: string[] = []): Promise<WebLogin> {
  const child = spawnCli(['auth', 'login', '--web', '--no-browser', ...args], env)
  child.stdin.end()
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
  const exited = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1))))
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8')
      const line = /^(https:\/\/login\.sandbox\.localhost:\d+\/auth\?\S+)$/m.exec(stderr)
      if (line) {
        const url = new URL(line[1])
        resolve({
          url,
          redirectUri: new URL(url.searchParams.get('redirect_uri')!),
          stderr: () => stderr,
          stdout: () => stdout,
          exited,
          signal: (name) => child.kill(name),
        })
      }
    })
    void exited.then((code) => reject(new Error(`auth login --web exited (${code}) before printing an address: ${stderr}${stdout}`)))
  })
}

/** Whether anything still listens on the loopback redirect. */
async function listening(uri: URL): Promise<boolean> {
  try {
    await fetch(uri, {signal: AbortSignal.timeout(10_000)})
    return true
  } catch (err) {
    const code = (err as {cause?: {code?: string}}).cause?.code
    if (code === 'ECONNREFUSED') return false
    throw err
  }
}

describe('auth login --web (real platform, real sign-in pages in headless Chromium)', function () {
  this.timeout(180_000)
  let platform: TestPlatform
  let browser: Browser
  const machines: CliEnv[] = []

  before(async () => {
    platform = await startTestPlatform()
    // Chromium trusts exactly the platform's certificate (its public key pinned), never any certificate.
    const cert = new X509Certificate(readFileSync(join(platform.dataDir, 'tls', 'server.pem')))
    const spki = createHash('sha256')
      .update(cert.publicKey.export({type: 'spki', format: 'der'}))
      .digest('base64')
    browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: [`--ignore-certificate-errors-spki-list=${spki}`]})
  })
  after(async () => {
    await browser?.close()
    for (const m of machines) m.cleanup()
    await platform?.stop()
  })

  const newMachine = async () => {
    const m = await machine(platform)
    machines.push(m)
    return m
  }
  const passwordOf = (upn: string) => platform.users.find((u) => u.upn === upn)!.password

  /** The sign-in page, then the consent page, as a person would: returns the page the browser ends on. */
  async function signInInBrowser(url: URL, upn: string, consent: 'Allow' | 'Deny') {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(url.href)
    expect(await page.getAttribute('meta[name="ppctl-page"]', 'content')).to.equal('sign-in')
    await page.fill('#upn', upn)
    await page.fill('#password', passwordOf(upn))
    await page.click('button[type="submit"]')
    await page.waitForSelector('meta[name="ppctl-page"][content="consent"]', {state: 'attached'})
    await page.click(`button:text-is("${consent}")`)
    await page.waitForURL((u) => u.host === `127.0.0.1:${new URL(url.searchParams.get('redirect_uri')!).port}`)
    await page.waitForSelector('h1')
    const result = {url: new URL(page.url()), name: await page.getAttribute('meta[name="ppctl-page"]', 'content'), text: await page.innerText('body')}
    await context.close()
    return result
  }

  it('signs in: PKCE S256, state and nonce, a loopback redirect on a random port; the tab says it can be closed', async () => {
    const m = await newMachine()
    const login = await startWebLogin(m.env)
    expect(login.url.origin).to.equal(platform.urls.authority)
    expect(login.url.searchParams.get('code_challenge_method')).to.equal('S256')
    expect(login.url.searchParams.get('code_challenge')).to.match(/^[A-Za-z0-9_-]{43}$/)
    expect(login.url.searchParams.get('state')).to.match(/^[A-Za-z0-9_-]{20,}$/)
    expect(login.url.searchParams.get('nonce')).to.match(/^[A-Za-z0-9_-]{20,}$/)
    expect(login.redirectUri.origin).to.match(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(login.redirectUri.port).not.to.equal('')

    // An answer that is not this sign-in's (another state) is refused, and the wait goes on.
    const forged = await fetch(`${login.redirectUri.href}?code=forged&state=not-the-state`)
    expect(forged.status).to.equal(400)

    const end = await signInInBrowser(login.url, 'maker@contoso.example', 'Allow')
    expect(end.name, login.stderr()).to.equal('signed-in')
    expect(end.text).to.match(/close this tab/)
    expect(await login.exited, login.stderr()).to.equal(0)
    expect(login.stdout()).to.match(/Signed in to profile "sandbox" as maker@contoso\.example/)
    expect(await listening(login.redirectUri)).to.equal(false)

    const config = JSON.parse(readFileSync(join(m.env.PPCTL_CONFIG_DIR!, 'config.json'), 'utf8')) as {profiles: Record<string, Record<string, unknown>>}
    expect(config.profiles.sandbox).to.include({account: 'maker@contoso.example', authMethod: 'browser'})
    const list = await runCli(['connector', 'list', '--json'], m.env)
    expect(list.code, list.stderr).to.equal(0)
  })

  it('declined at the consent page: exits 3 with what happened and what to do; nothing is stored', async () => {
    const m = await newMachine()
    const login = await startWebLogin(m.env)
    const end = await signInInBrowser(login.url, 'user@contoso.example', 'Deny')
    expect(end.name).to.equal('signin-error')
    expect(end.text).to.match(/declined/)
    expect(end.text).to.match(/close this tab/)
    expect(await login.exited).to.equal(3)
    expect(login.stderr()).to.match(/The sign-in was declined in the browser/)
    expect(login.stderr()).to.match(/Next: .*ppctl auth login --web/)
    expect((await runCli(['auth', 'token'], m.env)).code).to.equal(4)
  })

  it('times out after --timeout: exits 4 with a next step, and the loopback listener is closed', async () => {
    const m = await newMachine()
    const login = await startWebLogin(m.env, ['--timeout', '2s'])
    expect(await login.exited).to.equal(4)
    expect(login.stderr()).to.match(/not completed within 2 s/)
    expect(login.stderr()).to.match(/Next: .*--timeout/)
    expect(await listening(login.redirectUri)).to.equal(false)
  })

  it('Ctrl-C: exits 130 and closes the listener', async () => {
    const m = await newMachine()
    const login = await startWebLogin(m.env)
    expect(await listening(login.redirectUri)).to.equal(true)
    login.signal('SIGINT')
    expect(await login.exited).to.equal(130)
    expect(await listening(login.redirectUri)).to.equal(false)
  })
})
