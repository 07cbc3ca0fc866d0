// A progress spinner on stderr: animated only on a terminal, silent elsewhere; always leaves the line and cursor clean.
import type {IO} from '../io/io.js'
import {sanitizeOneLine} from './sanitize.js'

export interface Spinner {
  /** Whether it animates (stderr is a terminal). */
  readonly animated: boolean
  start(text: string): void
  update(text: string): void
  /** Clears the line; prints nothing else. */
  stop(): void
  /** Clears the line and prints "✔ text" (or the plain text when not a terminal). */
  succeed(text: string): void
  /** Clears the line and prints "✖ text" (or the plain text when not a terminal). */
  fail(text: string): void
}

/** What the spinner needs from the process: a place to hook "exit" and the signals, so it can clean up. */
export interface ExitHooks {
  on(event: 'exit' | 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  removeListener(event: 'exit' | 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  listenerCount(event: 'exit' | 'SIGINT' | 'SIGTERM'): number
  kill(pid: number, signal: NodeJS.Signals): unknown
  readonly pid: number
}

export interface SpinnerOptions {
  intervalMs?: number
  /** Defaults to `process`; tests pass an EventEmitter. */
  hooks?: ExitHooks
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const CLEAR_LINE = '\r\x1b[2K'
const HIDE_CURSOR = '\x1b[?25l'
const SHOW_CURSOR = '\x1b[?25h'

export function createSpinner(io: Pick<IO, 'stderr' | 'stderrIsTTY' | 'columns'>, options: SpinnerOptions = {}): Spinner {
  const animated = io.stderrIsTTY
  const hooks = options.hooks ?? (process as unknown as ExitHooks)
  const intervalMs = options.intervalMs ?? 80
  let timer: NodeJS.Timeout | undefined
  let text = ''
  let frame = 0
  let active = false

  // Longer than the line, the text would wrap and "\r" could no longer clear it.
  const fit = (t: string) => {
    const chars = [...sanitizeOneLine(t)]
    const max = Math.max(1, io.columns - 3)
    return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : chars.join('')
  }
  const render = () => {
    io.stderr.write(`${CLEAR_LINE}${FRAMES[frame]} ${text}`)
    frame = (frame + 1) % FRAMES.length
  }

  // Synchronous cleanup for exit and signals: the terminal must not be left without a cursor.
  const restore = () => {
    if (!active) return
    active = false
    if (timer) clearInterval(timer)
    timer = undefined
    io.stderr.write(CLEAR_LINE + SHOW_CURSOR)
    hooks.removeListener('exit', restore)
    hooks.removeListener('SIGINT', onSignal)
    hooks.removeListener('SIGTERM', onSignal)
  }
  function onSignal(signal?: NodeJS.Signals) {
    restore()
    // Our listener replaced the default action; re-raise so the process still ends unless someone else handles it.
    const name = signal ?? 'SIGINT'
    if (hooks.listenerCount(name === 'SIGTERM' ? 'SIGTERM' : 'SIGINT') === 0) hooks.kill(hooks.pid, name)
  }

  const finish = (symbol: string, message: string | undefined) => {
    if (animated) restore()
    if (message === undefined) return
    io.stderr.write(animated ? `${symbol} ${fit(message)}\n` : `${sanitizeOneLine(message)}\n`)
  }

  return {
    animated,
    start(t) {
      text = fit(t)
      if (!animated || active) {
        if (active) render()
        return
      }
      active = true
      hooks.on('exit', restore)
      hooks.on('SIGINT', onSignal)
      hooks.on('SIGTERM', onSignal)
      io.stderr.write(HIDE_CURSOR)
      render()
      timer = setInterval(render, intervalMs)
      timer.unref()
    },
    update(t) {
      text = fit(t)
      if (active) render()
    },
    stop: () => finish('', undefined),
    succeed: (message) => finish('✔', message),
    fail: (message) => finish('✖', message),
  }
}
