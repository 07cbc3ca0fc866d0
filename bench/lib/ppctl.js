// Shared by the benchmarks that drive the built ppctl against a local platform (admin, bulk, dlp-plan, audit): the
// paths, running ppctl, starting the platform, the device-code sign-in, a seeding client on the same HTTP stack, and
// the median of runs.
import {execFile, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')
/** A module of the built code (dist/). */
export const dist = (path) => import(join(ROOT, 'dist', path))

/** The environment of a benchmark's ppctl: its own HOME and config folder, the file credential store, no colour. */
export const benchEnv = (home) => ({
  PATH: process.env.PATH,
  HOME: home,
  PPCTL_CONFIG_DIR: join(home, 'config'),
  PPCTL_CREDENTIAL_STORE: 'file',
  CI: '1',
  NO_COLOR: '1',
})

/** Runs ppctl; resolves with its exit code and output (a failing exit is not an error here). */
export function run(args, env, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BIN, ...args], {env, maxBuffer: 256 * 1024 * 1024}, (err, stdout, stderr) => {
      if (err && child.exitCode === null) return reject(err)
      resolve({code: child.exitCode, stdout, stderr})
    })
    child.stdin.end(input ?? '')
  })
}

/** `ppctl sandbox start` on a free port in dataDir: what it prints (caFile …). */
export async function startSandbox(env, dataDir) {
  const started = await run(['sandbox', 'start', '--port', '0', '--data-dir', dataDir, '--json'], env)
  if (started.code !== 0) throw new Error(`sandbox start: ${started.stderr}`)
  return JSON.parse(started.stdout)
}

export const stopSandbox = (env, dataDir) => run(['sandbox', 'stop', '--data-dir', dataDir], env).catch(() => undefined)

/** `ppctl auth login` (device code), approved as `upn` with the password `sandbox users` gives. */
export async function signIn(env, dataDir, upn) {
  const child = spawn(process.execPath, [BIN, 'auth', 'login', '--json'], {env, stdio: ['pipe', 'pipe', 'pipe']})
  child.stdin.end()
  let stderr = ''
  const exited = new Promise((resolve) => child.on('close', resolve))
  const code = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d
      const line = stderr.split('\n').find((l) => l.includes('"device_code"'))
      if (line) resolve(JSON.parse(line).userCode)
    })
    void exited.then((c) => reject(new Error(`auth login exited (${c}): ${stderr}`)))
  })
  const users = JSON.parse((await run(['sandbox', 'users', '--data-dir', dataDir, '--json'], env)).stdout).items
  const password = users.find((u) => u.upn === upn).password
  const approved = await run(['sandbox', 'approve', code, '--user', upn, '--data-dir', dataDir], env, `${password}\n`)
  if (approved.code !== 0) throw new Error(`approve failed: ${approved.stderr}`)
  if ((await exited) !== 0) throw new Error(`login failed: ${stderr}`)
}

/** The signed-in profile's access token and the home cluster's URI (`auth token`, `route show`). */
export async function session(env) {
  const token = (await run(['auth', 'token'], env)).stdout.trim()
  const uri = JSON.parse((await run(['route', 'show', '--json'], env)).stdout).home.uri
  return {token, uri}
}

/**
 * A client for fixtures on ppctl's own HTTP stack (dist/lib/http): `call(method, path, body, idempotencyKey)` parses
 * the JSON answer; a throttled request (the gateway allows 50 requests/s per token) is sent again after a second with
 * the same Idempotency-Key, so nothing is created twice.
 */
export async function seedClient({caFile, uri, token}) {
  const {createHttp} = await dist('lib/http/client.js')
  const {createDebugLog} = await dist('lib/io/debug-log.js')
  const http = createHttp({env: process.env, ca: readFileSync(caFile, 'utf8'), userAgent: 'bench-seed', debug: createDebugLog({stderr: process.stderr}, false)})
  const base = uri.endsWith('/') ? uri : `${uri}/`
  const call = async (method, path, body, key) => {
    for (;;) {
      try {
        const res = await http.fetch(new URL(path, base), {
          method,
          headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? {'idempotency-key': key} : {})},
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`)
        return await res.json()
      } catch (err) {
        if (err.code !== 'THROTTLED') throw err
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    }
  }
  return {call, close: () => http.close()}
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
