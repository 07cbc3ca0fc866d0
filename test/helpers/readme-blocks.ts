// Finds the README's example blocks marked for testing, splits them into steps, and compares shown output with real output.

/** A fenced block of README.md preceded by a `<!-- readme-test: … -->` marker (see test/e2e/readme-examples.test.ts). */
export interface MarkedBlock {
  kind: 'run' | 'sample'
  /** The 1-based line of the marker in README.md. */
  line: number
  /** `platform=none`, `exit=7`, `stderr`, `reflow` … from the marker's first line. */
  options: Record<string, string>
  /** A sample's command: the rest of the marker's first line. */
  command: string
  /** Lines of the marker after its first one: run before the block, not shown to readers. */
  setup: string
  body: string
}

export interface Step {
  /** The command as bash reads it, continuation lines included. */
  command: string
  /** The exit status the block says it has: `(exit N)` in the command's comment, else 0. */
  exit: number
  /** Output shown under the command as `#   …` lines, if any. */
  expected?: string
  /** Compare the words of the output in order, wherever its lines break (output wrapped to the width). */
  reflow?: boolean
  /** `until Ctrl-C` in its comment: it runs until interrupted; it gets SIGINT once it has printed a line. */
  interrupt?: boolean
}

const MARKER = /^<!-- readme-test: (run|sample)\b(.*)$/

export function markedBlocks(readme: string): MarkedBlock[] {
  const lines = readme.split('\n')
  const blocks: MarkedBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i])
    if (!m) continue
    const line = i + 1
    let first = m[2]
    const setup: string[] = []
    if (first.trimEnd().endsWith('-->')) first = first.trimEnd().slice(0, -3)
    else {
      for (i++; i < lines.length && lines[i].trim() !== '-->'; i++) setup.push(lines[i])
    }
    const fence = lines[i + 1] ?? ''
    if (!fence.startsWith('```')) throw new Error(`README.md:${line}: a readme-test marker must be right before a fenced block`)
    const body: string[] = []
    for (i += 2; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i])
    const options: Record<string, string> = {}
    const words: string[] = []
    for (const word of first.trim().split(/\s+/).filter(Boolean)) {
      const opt = /^(platform|exit|stderr|reflow)(?:=(\S+))?$/.exec(word)
      if (opt && words.length === 0) options[opt[1]] = opt[2] ?? 'yes'
      else words.push(word)
    }
    blocks.push({kind: m[1] as 'run' | 'sample', line, options, command: words.join(' '), setup: setup.join('\n'), body: body.join('\n')})
  }
  return blocks
}

/** The steps of a `run` block: each command line with its continuations, and the `#   ` output lines right after it. */
export function steps(body: string): Step[] {
  const result: Step[] = []
  const current: string[] = []
  for (const line of body.split('\n')) {
    const last = result.at(-1)
    if (current.length > 0) {
      current.push(line)
      if (!line.endsWith('\\')) result.push(step(current.splice(0)))
      continue
    }
    if (/^# {3}/.test(line) && last) {
      last.expected = last.expected === undefined ? line.slice(4) : `${last.expected}\n${line.slice(4)}`
      continue
    }
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    current.push(line)
    if (!line.endsWith('\\')) result.push(step(current.splice(0)))
  }
  if (current.length > 0) result.push(step(current))
  return result
}

function step(lines: string[]): Step {
  const command = lines.join('\n')
  const exit = /#.*\(exit (\d+)\)/.exec(command)
  // Ctrl-C ends a command with 130 (INTERRUPTED) unless its comment says otherwise.
  if (/#.*\buntil Ctrl-C\b/.test(command)) return {command, exit: exit ? Number(exit[1]) : 130, interrupt: true}
  return {command, exit: exit ? Number(exit[1]) : 0}
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Whether real output matches the sample shown: line by line, where a run of digits matches any digits, a run of
 * blanks any blanks, and `…` any text (ids, times, paths). Trailing blank lines do not count.
 */
export function matchesSample(
  actual: string,
  sample: string,
  options: {reflow?: boolean} = {},
): {ok: true} | {ok: false; line: number; expected: string; actual: string} {
  // reflow: output wrapped to the terminal's width, where a host name or port of another length moves the breaks —
  // the words are compared in order, wherever the lines break.
  const clean = (s: string) => (options.reflow ? [s.replace(/\s+/g, ' ').trim()] : s.replace(/\s+$/, '').split('\n'))
  const want = clean(sample)
  const got = clean(actual)
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i]
    const g = got[i]
    if (w === undefined || g === undefined) return {ok: false, line: i + 1, expected: w ?? '(nothing)', actual: g ?? '(nothing)'}
    const pattern = w
      .trim()
      .split(/(\d+|\s+|…)/)
      .map((part) => (/^\d+$/.test(part) ? '\\d+' : /^\s+$/.test(part) ? '\\s+' : part === '…' ? '.*?' : escape(part)))
      .join('')
    if (!new RegExp(`^\\s*${pattern}$`, 'u').test(g.trimEnd())) return {ok: false, line: i + 1, expected: w, actual: g}
  }
  return {ok: true}
}
