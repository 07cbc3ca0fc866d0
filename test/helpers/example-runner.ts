// Runs documented examples in bash as a reader would, with `ppctl` on PATH, and checks their exit codes and shown output.
import {execFile} from 'node:child_process'
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {expect} from 'chai'

import {BIN, type CliEnv} from './cli.js'
import {startTestPlatform, type TestPlatform} from './platform.js'
import {matchesSample, type Step} from './readme-blocks.js'
import {signedInMachines} from './sign-in.js'

const SHIM = `#!/usr/bin/env bash
# ppctl for the README's examples: this checkout's bin/run.js; \`sandbox start\` without --port takes a free port.
if [[ "$1 $2" == "sandbox start" && " $* " != *" --port"* ]]; then set -- "$@" --port 0; fi
exec '${process.execPath}' '${BIN}' "$@"
`

const PRELUDE = `set -o pipefail
npm() {
  case "$*" in
    ci|"run build") return 0 ;;
    *) echo "npm $* is not run by the README test" >&2; return 1 ;;
  esac
}
`

export interface Machine {
  env: NodeJS.ProcessEnv
  cwd: string
}

/** PATH with the shim, a working folder with ./bin/run.js, warnings about the file store silenced. */
export function prepare(cli: CliEnv): Machine {
  const shims = join(cli.home, 'shims')
  const cwd = join(cli.home, 'work')
  mkdirSync(shims, {recursive: true})
  mkdirSync(join(cwd, 'bin'), {recursive: true})
  writeFileSync(join(shims, 'ppctl'), SHIM, {mode: 0o755})
  writeFileSync(join(cwd, 'bin', 'run.js'), SHIM, {mode: 0o755})
  const env = {...cli.env, PATH: `${shims}:${cli.env.PATH ?? ''}`, PPCTL_CREDENTIAL_STORE: 'file', PPCTL_NO_WARNINGS: '1', PPCTL_OUTPUT: 'table'}
  return {env, cwd}
}

interface StepResult {
  step: Step
  code: number
  stdout: string
}

/**
 * A command that runs until Ctrl-C: in a process group of its own (job control on, so it does not ignore SIGINT as a
 * background job would), its stdout through a FIFO; once its first line has arrived, SIGINT to the group, as Ctrl-C.
 */
function interrupted(command: string): string {
  return `__fifo="$(mktemp -u)" && mkfifo "$__fifo"
set -m
( ${command}
) >"$__fifo" &
__pid=$!
set +m
exec 3<"$__fifo"
IFS= read -r __first <&3 && printf '%s\\n' "$__first"
kill -INT -- -"$__pid"
cat <&3
wait "$__pid"
__waited=$?
exec 3<&-
rm -f "$__fifo"
(exit "$__waited")`
}

/** Runs the setup, then each step, in one bash; a record separator line after each step carries its exit status. */
export function runSteps(machine: Machine, setup: string, list: Step[]): Promise<{results: StepResult[]; stderr: string; stdout: string; code: number}> {
  const script = [
    PRELUDE,
    setup ? `set -e\n${setup}\nset +e` : '',
    ...list.map((s, i) => `${s.interrupt ? interrupted(s.command) : s.command}\n__rc=$?; printf '\\n\\036%d %d\\n' ${i} "$__rc"`),
  ].join('\n')
  return new Promise((resolve) => {
    const child = execFile(
      'bash',
      ['-c', script],
      {env: machine.env, cwd: machine.cwd, timeout: 240_000, maxBuffer: 16 * 1024 * 1024},
      (_err, stdout, stderr) => {
        const results: StepResult[] = []
        let rest = stdout
        for (const [i, s] of list.entries()) {
          const marker = new RegExp(`\\n\\x1e${i} (\\d+)\\n`).exec(rest)
          if (!marker) break
          results.push({step: s, code: Number(marker[1]), stdout: rest.slice(0, marker.index)})
          rest = rest.slice(marker.index + marker[0].length)
        }
        resolve({results, stderr, stdout, code: child.exitCode ?? 1})
      },
    )
    child.stdin?.end()
  })
}

/** Private keys never land in the working folder (a checkout), where a `git add .` would publish them. */
export function expectNoKeysIn(where: string, cwd: string) {
  const keys = readdirSync(cwd, {recursive: true, encoding: 'utf8'}).filter((f) => /\.(pem|pfx|p12|key)$/i.test(f))
  expect(keys, `${where} wrote private keys into the working folder`).to.deep.equal([])
}

export function expectSteps(where: string, run: Awaited<ReturnType<typeof runSteps>>, list: Step[]) {
  const context = `${where}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`
  expect(run.code, `the setup failed or bash exited early (${run.code})\n${context}`).to.equal(0)
  expect(run.results.length, `not every step ran\n${context}`).to.equal(list.length)
  for (const r of run.results) {
    expect(r.code, `\`${r.step.command}\` exited ${r.code}, the documentation says ${r.step.exit}\n${context}`).to.equal(r.step.exit)
    if (r.step.expected !== undefined) {
      const m = matchesSample(r.stdout, r.step.expected, {reflow: r.step.reflow})
      if (!m.ok) expect.fail(`\`${r.step.command}\` printed, at line ${m.line}:\n  ${m.actual}\nthe documentation shows:\n  ${m.expected}\n${context}`)
    }
  }
}

/**
 * A fresh platform, signed in as admin@contoso.example with the device flow (approved with `sandbox approve`); with
 * encryption at rest, as `ppctl sandbox start` runs it for a reader.
 */
export async function signedIn(): Promise<{platform: TestPlatform; cli: CliEnv}> {
  const platform = await startTestPlatform({PPCTL_SANDBOX_ENCRYPTION: 'on'})
  const [cli] = await signedInMachines(platform, ['admin@contoso.example'])
  return {platform, cli}
}
