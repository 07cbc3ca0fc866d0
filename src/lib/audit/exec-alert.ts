// Runs the --exec command of `audit watch` for one alert: no shell, the alert as JSON on stdin, never in argv.
import {spawn} from 'node:child_process'
import {constants} from 'node:fs'
import {access, stat} from 'node:fs/promises'
import {delimiter, isAbsolute, join, resolve} from 'node:path'

import {UsageError} from '../errors/index.js'
import type {Alert, WatchedEvent} from './detectors/types.js'

/**
 * Splits a command line into argv without a shell: whitespace separates, '…' and "…" quote, \ escapes in "…" and
 * outside quotes. No globbing, variables or pipes: for those, name a script (`--exec ./on-alert.sh`).
 */
export function splitCommand(line: string): string[] {
  const argv: string[] = []
  let cur = ''
  let has = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quote === "'") {
      if (c === "'") quote = undefined
      else cur += c
    } else if (quote === '"') {
      if (c === '"') quote = undefined
      else if (c === '\\' && i + 1 < line.length) cur += line[++i]
      else cur += c
    } else if (c === "'" || c === '"') {
      quote = c
      has = true
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i]
      has = true
    } else if (/\s/.test(c)) {
      if (has || cur) argv.push(cur)
      cur = ''
      has = false
    } else {
      cur += c
    }
  }
  if (quote)
    throw new UsageError('INVALID_EXEC', `--exec has an unclosed ${quote} quote.`, {
      nextStep: 'Close the quote, or put the command in a script and name the script.',
    })
  if (has || cur) argv.push(cur)
  if (argv.length === 0) throw new UsageError('INVALID_EXEC', '--exec is empty.', {nextStep: 'Name a program: --exec ./on-alert.sh'})
  return argv
}

/**
 * Checked at start, before any event is read: a program that is missing or not executable would otherwise fail at
 * every alert, long after the person left. A name without a slash is looked up on PATH, as spawn would.
 */
export async function assertExecutable(program: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): Promise<string> {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolve(cwd, program)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program))
  let found: string | undefined
  for (const file of candidates) {
    const info = await stat(file).catch(() => undefined)
    if (!info?.isFile()) continue
    found ??= file
    if (
      await access(file, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return file
  }
  if (found) {
    throw new UsageError('INVALID_EXEC', `--exec: ${found} is not executable.`, {nextStep: `Make it executable: chmod +x ${found}`})
  }
  throw new UsageError('INVALID_EXEC', `--exec: no program "${program}" ${program.includes('/') ? `(${candidates[0]} does not exist)` : 'on PATH'}.`, {
    nextStep: 'Check the path (relative paths start from the current folder), e.g. --exec ./on-alert.sh',
  })
}

export interface ExecResult {
  code: number | null
  error?: string
}

/** Runs argv with `json` on stdin; its stdout and stderr go to ppctl's stderr, so stdout keeps only alerts. */
export function execAlert(argv: readonly string[], json: string, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {shell: false, stdio: ['pipe', 'pipe', 'pipe'], env})
    child.stdout.on('data', (d: Buffer) => stderr.write(d))
    child.stderr.on('data', (d: Buffer) => stderr.write(d))
    child.stdin.on('error', () => {})
    child.on('error', (err) => resolve({code: null, error: (err as NodeJS.ErrnoException).code ?? err.message}))
    child.on('close', (code) => resolve({code}))
    child.stdin.end(json + '\n')
  })
}

/** What `--exec` arguments may name: the alert's own fields, and the fields of the event that raised it. */
const PLACEHOLDERS = ['detector', 'subject', 'time', 'count', 'seq', 'tenantId', 'clientIp', 'actor.type', 'actor.id', 'actor.upn', 'actor.appId'] as const
type Placeholder = (typeof PLACEHOLDERS)[number]
const PLACEHOLDER = /\{([A-Za-z][A-Za-z.]*)\}/g

/** Refuses, at start, a `{name}` that is not a placeholder (a typo would otherwise reach the program verbatim at every alert). */
export function checkPlaceholders(argv: readonly string[]): void {
  for (const arg of argv) {
    for (const [, name] of arg.matchAll(PLACEHOLDER)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(name))
        throw new UsageError('INVALID_EXEC', `--exec: {${name}} is not a placeholder.`, {
          nextStep: `Use one of: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
        })
    }
  }
}

function valueOf(name: Placeholder, alert: Alert, event: WatchedEvent): string | number | undefined {
  switch (name) {
    case 'detector':
    case 'subject':
    case 'time':
    case 'count':
      return alert[name]
    case 'seq':
      return event.seq
    case 'tenantId':
      return event.tenantId
    case 'clientIp':
      return event.clientIp
    default:
      return event.actor?.[name.slice('actor.'.length) as 'type' | 'id' | 'upn' | 'appId']
  }
}

/**
 * The argv for one alert, each placeholder replaced inside its own argument (a value never becomes two arguments, and
 * no shell reads it). Platform text can be anyone's (a failed sign-in's UPN is what was typed): a value that is empty,
 * holds control characters or starts with "-" (it would read as an option) is not passed, and the run is skipped.
 */
export function expandPlaceholders(argv: readonly string[], alert: Alert, event: WatchedEvent): {argv: string[]} | {skipped: string} {
  const out: string[] = []
  for (const arg of argv) {
    let problem: string | undefined
    const expanded = arg.replace(PLACEHOLDER, (whole, name: string) => {
      const value = valueOf(name as Placeholder, alert, event)
      const text = value === undefined ? '' : String(value)
      if (text === '') problem ??= `the alert has no ${whole}`
      else if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) problem ??= `${whole} holds control characters`
      else if (arg.startsWith(whole) && text.startsWith('-')) problem ??= `${whole} starts with "-" and would read as an option`
      return text
    })
    if (problem) return {skipped: problem}
    out.push(expanded)
  }
  return {argv: out}
}
