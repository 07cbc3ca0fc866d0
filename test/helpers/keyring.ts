// A real Secret Service for tests: a private D-Bus session with an unlocked gnome-keyring in a scratch HOME.
import {execFile, execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT} from './cli.js'
import {startTestPlatform, type TestPlatform} from './platform.js'

const TOOLS = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool'] as const
const INSTALL = 'sudo apt-get install dbus gnome-keyring libsecret-tools   (.ci/run installs them)'

/** Throws, never skips, when the Secret Service tools are missing. */
export function assertSecretServiceTools(): void {
  const missing = TOOLS.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'})
      return false
    } catch {
      return true
    }
  })
  if (missing.length > 0) throw new Error(`The keychain tests need a real Secret Service; missing: ${missing.join(', ')}. Install: ${INSTALL}`)
}

export interface KeyringSessionResult {
  code: number
  stdout: string
  stderr: string
  /** `secret-tool search --all service ppctl`, run in the same session after the command. */
  secrets: string
}

export interface ScratchHome {
  home: string
  env: NodeJS.ProcessEnv
  cleanup(): void
}

/** A scratch HOME with its own config folder, and an environment without any D-Bus session. */
export function makeScratchHome(): ScratchHome {
  const home = mkdtempSync(join(tmpdir(), 'ppctl-keyring-'))
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_RUNTIME_DIR: home,
    PPCTL_CONFIG_DIR: join(home, 'config'),
    LANG: 'C.UTF-8',
    CI: '1',
    NO_COLOR: '1',
  }
  return {home, env, cleanup: () => rmSync(home, {recursive: true, force: true})}
}

const SESSION_SCRIPT = [
  'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
  '"$@"',
  'status=$?',
  'echo "@@SECRETS@@"',
  'secret-tool search --all service ppctl 2>&1',
  'exit $status',
].join('; ')

/**
 * Runs `node --import tsx <script> ...args` inside a private D-Bus session with an unlocked login
 * keyring (DESIGN.md's recipe), then lists ppctl's entries with secret-tool in that same session.
 */
export function runInKeyringSession(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<KeyringSessionResult> {
  assertSecretServiceTools()
  return new Promise((resolve, reject) => {
    const child = execFile(
      'dbus-run-session',
      ['--', 'sh', '-c', SESSION_SCRIPT, 'sh', process.execPath, '--import', 'tsx', script, ...args],
      {env, cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 60_000},
      (err, stdout, stderr) => {
        if (err && child.exitCode === null) return reject(err)
        const [out, secrets = ''] = stdout.split('@@SECRETS@@\n')
        resolve({code: child.exitCode ?? 1, stdout: out, stderr, secrets})
      },
    )
  })
}

/** The `username` attributes of ppctl's entries in secret-tool's listing. */
export function secretAccounts(listing: string): string[] {
  return [...listing.matchAll(/^attribute\.username = (.*)$/gm)].map((m) => m[1]).sort()
}

/**
 * Runs a session fixture (a script path under the repository, given the platform's data folder) in a private keyring
 * session; the JSON summary it prints on its last line. A fixture that exits non-zero fails the test with its stderr.
 */
export async function runSessionFixture<T>(fixture: string, dataDir: string, env: NodeJS.ProcessEnv): Promise<{summary: T; result: KeyringSessionResult}> {
  const result = await runInKeyringSession(join(ROOT, fixture), [dataDir], env)
  if (result.code !== 0) throw new Error(`${fixture} exited ${result.code}: ${result.stderr}`)
  return {summary: JSON.parse(result.stdout.trim().split('\n').pop()!) as T, result}
}

/** For a suite of keychain tests: a real platform and a scratch HOME, made before the suite and removed after it. */
export function keychainSuite(): {readonly platform: TestPlatform; readonly scratch: ScratchHome} {
  const world = {} as {platform: TestPlatform; scratch: ScratchHome}
  before(async () => {
    world.platform = await startTestPlatform()
    world.scratch = makeScratchHome()
  })
  after(async () => {
    world.scratch?.cleanup()
    await world.platform?.stop()
  })
  return world
}
