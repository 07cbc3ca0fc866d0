// The answers of shell completion: what may come next on a ppctl command line, from the command definitions and local profile names only.
//
// It never touches the network, the credential store or a prompt, and never throws on a line it cannot read: the
// shell asks on every Tab, and an answer it cannot use is no answer.

/** A flag as the oclif manifest (and oclif's loaded commands) describe it: only what completion reads. */
export interface SpecFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  hidden?: boolean
  options?: readonly string[]
  helpValue?: string | readonly string[]
  multiple?: boolean
  allowNo?: boolean
  summary?: string
  description?: string
}

export interface SpecArg {
  name: string
  options?: readonly string[]
  description?: string
}

export interface SpecCommand {
  id: string
  hidden?: boolean
  summary?: string
  description?: string
  flags: Readonly<Record<string, SpecFlag>>
  args: Readonly<Record<string, SpecArg>>
}

export interface SpecTopic {
  name: string
  description?: string
  hidden?: boolean
}

/** The CLI's commands and topics, as oclif.manifest.json and package.json's oclif.topics hold them. */
export interface CompletionSpec {
  commands: readonly SpecCommand[]
  topics: readonly SpecTopic[]
}

/** Where the answers that are not command definitions come from (tests hand in their own). */
export interface CompletionSources {
  /** The names of the profiles in the local configuration file. */
  profiles(): string[] | Promise<string[]>
  /** The keys `ppctl config get|set|unset` take. */
  configKeys(): string[] | Promise<string[]>
}

export interface Candidate {
  value: string
  description?: string
}

export interface CompletionAnswer {
  candidates: Candidate[]
  /** Nothing ppctl knows fits, but a file or folder name does (--file, --data-dir …): the shell completes paths. */
  files: boolean
}

/** The shells `ppctl completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const

/** Flags whose value is a path, beside those whose help value says FILE or DIR. */
const PATH_FLAGS = new Set(['file', 'checkpoint', 'certificate', 'out', 'ca-file', 'data-dir'])

/** Positional arguments whose values ppctl knows without the network, by command id and argument name. */
const ARG_SOURCES: Record<string, (sources: CompletionSources) => string[] | Promise<string[]>> = {
  'auth:switch name': (s) => s.profiles(),
  'config:get key': (s) => s.configKeys(),
  'config:set key': (s) => s.configKeys(),
  'config:unset key': (s) => s.configKeys(),
  'completion shell': () => [...SHELLS],
}

const ROOT_FLAGS: Candidate[] = [
  {value: '--help', description: 'Show help'},
  {value: '--version', description: 'Show the version'},
]

/** One line a shell can show beside a candidate: the summary, or the first sentence of the description, printable. */
function oneLine(text: string | undefined): string | undefined {
  if (!text) return undefined
  const first = text
    .split('\n')[0]
    .replace(/[^\x20-\x7e]/g, ' ')
    .trim()
  const short = first.length > 80 ? `${first.slice(0, 77).replace(/\s+\S*$/, '')}...` : first
  return short || undefined
}

const withPrefix = (candidates: Candidate[], prefix: string) => candidates.filter((c) => c.value.startsWith(prefix))
const values = (list: readonly string[], description?: string): Candidate[] => list.map((value) => ({value, description}))

/**
 * What may replace the last word of `words` (the command line after `ppctl`, the word being completed last, '' when
 * the cursor is after a space).
 */
export async function complete(spec: CompletionSpec, words: readonly string[], sources: CompletionSources): Promise<CompletionAnswer> {
  const none: CompletionAnswer = {candidates: [], files: false}
  const commands = new Map(spec.commands.filter((c) => !c.hidden).map((c) => [c.id, c]))
  const topics = new Map(spec.topics.filter((t) => !t.hidden).map((t) => [t.name, t]))
  const prefixes = new Set([...commands.keys(), ...topics.keys()].flatMap((id) => id.split(':').map((_, i, parts) => parts.slice(0, i + 1).join(':'))))
  const done = words.slice(0, -1)
  const current = words.at(-1) ?? ''

  /** The topics and commands one level below `path`. */
  const children = (path: string[]): Candidate[] => {
    const depth = path.length
    const found = new Map<string, Candidate>()
    for (const id of prefixes) {
      const parts = id.split(':')
      if (parts.length !== depth + 1 || path.some((w, i) => parts[i] !== w)) continue
      const described = commands.get(id) ?? topics.get(id)
      const description = described && 'summary' in described ? (described.summary ?? described.description) : described?.description
      found.set(parts[depth], {value: parts[depth], description: oneLine(description)})
    }
    return [...found.values()].sort((a, b) => (a.value < b.value ? -1 : 1))
  }

  // `ppctl help <topic> <command>`: the same words as the command, nothing else.
  if (done[0] === 'help') {
    const path = done.slice(1)
    if (!path.every((_, i) => prefixes.has(path.slice(0, i + 1).join(':')))) return none
    return {candidates: withPrefix(children(path), current), files: false}
  }

  const path: string[] = []
  let command: SpecCommand | undefined
  let argCount = 0
  let afterDoubleDash = false
  let pending: SpecFlag | undefined
  const given = new Set<string>()
  for (const word of done) {
    if (pending) {
      pending = undefined
      continue
    }
    if (!afterDoubleDash && word === '--') {
      afterDoubleDash = true
      continue
    }
    if (!afterDoubleDash && word.startsWith('-') && word !== '-') {
      // oclif reads flags only after the command's words.
      if (!command) return none
      const flag = findFlag(command, word)
      if (flag) {
        given.add(flag.name)
        if (flag.type === 'option' && !word.includes('=')) pending = flag
      }
      continue
    }
    const next = [...path, word].join(':')
    if (argCount === 0 && !afterDoubleDash && prefixes.has(next)) {
      path.push(word)
      command = commands.get(next)
      continue
    }
    if (!command) return none
    argCount++
  }

  if (pending) return valuesOf(pending, '', current, sources)
  if (command && !afterDoubleDash && current.startsWith('--') && current.includes('=')) {
    const name = current.slice(2, current.indexOf('='))
    const flag = Object.values(command.flags).find((f) => f.name === name && !f.hidden)
    return flag && flag.type === 'option' ? valuesOf(flag, `--${name}=`, current, sources) : none
  }
  if (!afterDoubleDash && current.startsWith('-')) {
    if (!command) return {candidates: path.length === 0 ? withPrefix(ROOT_FLAGS, current) : [], files: false}
    const flags: Candidate[] = []
    for (const flag of Object.values(command.flags)) {
      if (flag.hidden || (given.has(flag.name) && !flag.multiple)) continue
      const description = oneLine(flag.summary ?? flag.description)
      flags.push({value: `--${flag.name}`, description})
      if (flag.type === 'boolean' && flag.allowNo) flags.push({value: `--no-${flag.name}`, description})
    }
    flags.push({value: '--help', description: 'Show help'})
    return {candidates: withPrefix(flags, current), files: false}
  }
  if (!command || (argCount === 0 && children(path).length > 0 && !afterDoubleDash)) {
    const below = children(path)
    const root = path.length === 0 ? [{value: 'help', description: 'Help on a topic or command'}] : []
    if (command || below.length > 0)
      return {
        candidates: withPrefix(
          [...below, ...root].sort((a, b) => (a.value < b.value ? -1 : 1)),
          current,
        ),
        files: false,
      }
    return none
  }
  const arg = Object.values(command.args)[argCount]
  if (!arg) return none
  const source = ARG_SOURCES[`${command.id} ${arg.name}`]
  const list = arg.options ?? (source ? await source(sources) : [])
  return {candidates: withPrefix(values(list), current), files: false}
}

/** The flag a word names: --name, --name=value, --no-name, -c. */
function findFlag(command: SpecCommand, word: string): SpecFlag | undefined {
  const flags = Object.values(command.flags)
  if (word.startsWith('--')) {
    const name = word.slice(2).split('=')[0]
    return flags.find((f) => f.name === name) ?? flags.find((f) => f.type === 'boolean' && f.allowNo && `no-${f.name}` === name)
  }
  return word.length === 2 ? flags.find((f) => f.char === word[1]) : undefined
}

async function valuesOf(flag: SpecFlag, prefix: string, current: string, sources: CompletionSources): Promise<CompletionAnswer> {
  const helpValue = [flag.helpValue ?? []].flat().join(' ')
  let list: readonly string[] = []
  if (flag.options) list = flag.options
  else if (flag.name === 'profile' || helpValue === 'PROFILE') list = await sources.profiles()
  else if (helpValue === 'FILE' || helpValue === 'DIR' || PATH_FLAGS.has(flag.name)) return {candidates: [], files: true}
  return {candidates: withPrefix(values(list.map((v) => prefix + v)), current), files: false}
}

/** The answer as `ppctl __complete` prints it: one candidate a line (a tab before its description), then `:1` when paths fit too, else `:0`. */
export function formatAnswer(answer: CompletionAnswer): string {
  const lines = answer.candidates.map((c) => (c.description ? `${c.value}\t${c.description}` : c.value))
  return [...lines, `:${answer.files ? 1 : 0}`].join('\n') + '\n'
}
