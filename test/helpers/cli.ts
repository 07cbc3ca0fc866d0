// Runs the real CLI (bin/run.js, built dist/) in a child process with a private config folder.
import {execFile, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {checkCommandJson, commandIdOf, printsJsonDocument} from './command-schema.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface CliEnv {
  /** Private home and config folder for this CLI "machine". */
  home: string
  env: NodeJS.ProcessEnv
  cleanup(): void
}

/** A fresh HOME and PPCTL_CONFIG_DIR, non-interactive (CI=1), no proxies, colours off. */
export function makeCliEnv(extra: NodeJS.ProcessEnv = {}): CliEnv {
  const home = mkdtempSync(join(tmpdir(), 'ppctl-test-'))
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    PPCTL_CONFIG_DIR: join(home, 'config'),
    CI: '1',
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    ...extra,
  }
  return {home, env, cleanup: () => rmSync(home, {recursive: true, force: true})}
}

/**
 * Runs `ppctl ...args` and resolves with its exit code and output (never rejects on a non-zero exit). A --json run
 * whose stdout breaks the command's schema (schemas/<id>.json, or error.json after a failure) rejects.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BIN, ...args], {env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000}, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code !== 'number' && child.exitCode === null) {
        reject(err)
        return
      }
      const code = child.exitCode ?? 1
      const id = printsJsonDocument(args) ? commandIdOf(args) : undefined
      try {
        if (id) checkCommandJson(id, {json: true, code, stdout, result: undefined})
      } catch (mismatch) {
        reject(mismatch instanceof Error ? new Error(`${mismatch.message}\n${stderr}`) : mismatch)
        return
      }
      resolve({code, stdout, stderr})
    })
    child.stdin?.end(input ?? '')
  })
}

/** Spawns `ppctl ...args` without waiting, for tests that signal or race processes. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv) {
  return spawn(process.execPath, [BIN, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
}
