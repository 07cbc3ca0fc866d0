// A real terminal for tests: a private tmux server with a window of a chosen size, a shell in it, and its screen read back.
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN} from './cli.js'

const run = (args: string[], env?: NodeJS.ProcessEnv): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile('tmux', args, {env, timeout: 30_000}, (err, stdout, stderr) =>
      err ? reject(new Error(`tmux ${args[2] ?? ''}: ${stderr || err.message}`)) : resolve(stdout),
    )
  })

export interface TmuxOptions {
  columns: number
  rows?: number
  /** The environment of the shell in the window (PATH gets a `ppctl` that runs this checkout's bin/run.js). */
  env: NodeJS.ProcessEnv
  /** The shell: bash by default (completion tests need it). */
  shell?: string
}

export interface Tmux {
  /** Types the text into the window; `enter` presses Return after it. Keys such as `Tab` or `C-c` go through `keys`. */
  type(text: string, enter?: boolean): Promise<void>
  /** tmux key names (`Tab`, `C-c`, `Enter`). */
  keys(...names: string[]): Promise<void>
  /** The visible screen, one string per row, trailing blanks trimmed (what a person sees, without colours). */
  screen(): Promise<string[]>
  /** The whole scroll-back and screen, joined lines as the program wrote them (`-J`), for output longer than the window. */
  history(): Promise<string[]>
  /** Waits until the screen (with its history) matches, and returns its lines; fails after timeoutMs with what it showed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string[]>
  /** Runs a shell command line and waits for it to end; returns its exit status and the lines it printed (joined, as written). */
  run(commandLine: string, timeoutMs?: number): Promise<{status: number; lines: string[]}>
  close(): Promise<void>
}

/**
 * Opens a window of `columns` × `rows` running a shell with `ppctl` on PATH. The server has its own socket, so tests
 * in parallel never see each other's windows; close() ends the server.
 */
export async function openTmux(options: TmuxOptions): Promise<Tmux> {
  const dir = mkdtempSync(join(tmpdir(), 'ppctl-tmux-'))
  writeFileSync(join(dir, 'ppctl'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, {mode: 0o755})
  const socket = join(dir, 'sock')
  const rows = options.rows ?? 40
  const shell = options.shell ?? 'bash'
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    PATH: `${dir}:${options.env.PATH ?? process.env.PATH}`,
    TERM: 'xterm-256color',
    PS1: '$ ',
    HISTFILE: '/dev/null',
  }
  const tmux = (...args: string[]) => run(['-S', socket, ...args], env)
  const shellCommand = shell === 'bash' ? 'bash --norc --noprofile' : shell
  await tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(options.columns), '-y', String(rows), shellCommand)
  await tmux('set-option', '-g', 'history-limit', '20000')
  // tmux 3.x sizes a detached session's window to -x/-y only when told to keep it.
  await tmux('set-window-option', '-g', 'window-size', 'manual').catch(() => {})
  await tmux('resize-window', '-x', String(options.columns), '-y', String(rows)).catch(() => {})

  const capture = async (all: boolean) => {
    const out = await tmux('capture-pane', '-p', ...(all ? ['-J', '-S', '-'] : []))
    return out
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => line.trimEnd())
  }

  const waitFor = async (pattern: RegExp, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const lines = await capture(true)
      if (pattern.test(lines.join('\n'))) return lines
      if (Date.now() > deadline) throw new Error(`The terminal never showed ${pattern}; it shows:\n${lines.join('\n')}`)
      // Polls the screen: tmux has no "wait until the pane shows X", so ask again after a short pause.
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  return {
    type: async (text, enter = false) => {
      await tmux('send-keys', '-l', text)
      if (enter) await tmux('send-keys', 'Enter')
    },
    keys: async (...names) => {
      await tmux('send-keys', ...names)
    },
    screen: () => capture(false),
    history: () => capture(true),
    waitFor,
    run: async (commandLine, timeoutMs) => {
      const marker = randomBytes(6).toString('hex')
      await tmux('send-keys', 'clear && tmux clear-history 2>/dev/null; ' + commandLine + `; echo "=${marker}=$?="`, 'Enter')
      const lines = await waitFor(new RegExp(`^=${marker}=(\\d+)=$`, 'm'), timeoutMs)
      const end = lines.findIndex((line) => line.startsWith(`=${marker}=`))
      const start = lines.findLastIndex((line, i) => i < end && line.includes(marker)) + 1
      return {status: Number(/=(\d+)=$/.exec(lines[end])![1]), lines: lines.slice(start, end)}
    },
    close: async () => {
      await tmux('kill-server').catch(() => {})
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
