// Every example of every command (oclif.manifest.json, shown by --help and in the README) names a real command and real flags.
import {readFileSync} from 'node:fs'

import {expect} from 'chai'

interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  allowNo?: boolean
  char?: string
  options?: string[]
}
interface ManifestCommand {
  id: string
  strict?: boolean
  args: Record<string, {name: string; options?: string[]}>
  flags: Record<string, ManifestFlag>
  examples?: Array<string | {description: string; command: string}>
}

const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, ManifestCommand>}
const commands = Object.values(manifest.commands)

/** Shell words of a command line, quotes removed; operators (`|`, `&&`, `;`, `&`, `>`, `(`, `)`) as words of their own. */
function shellWords(line: string): string[] {
  const words: string[] = []
  let word = ''
  let quoted = false
  const push = () => {
    if (word || quoted) words.push(word)
    word = ''
    quoted = false
  }
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1)
      word += line.slice(i + 1, end < 0 ? undefined : end)
      quoted = true
      i = end < 0 ? line.length : end
    } else if (c === '\\' && line[i + 1] === '\n') i++
    else if (/\s/.test(c)) push()
    else if (c === '$' && line[i + 1] === '(') {
      push()
      words.push('$(')
      i++
    } else if ('|&;<>()'.includes(c)) {
      if ('<>'.includes(c) && /^\d+$/.test(word)) word = '' // 2>file: a file descriptor, not an argument
      push()
      words.push(c)
    } else word += c
  }
  push()
  return words
}

/** Each `ppctl …` invocation in an example: the words after `ppctl` up to the next shell operator. */
function invocations(command: string): string[][] {
  const line = command.replaceAll('<%= config.bin %>', 'ppctl')
  // Command substitutions (also inside double quotes) are command lines of their own.
  const substitutions = [...line.matchAll(/\$\(([^()]*)\)/g)].map((m) => m[1])
  const found: string[][] = substitutions.flatMap((inner) => invocations(inner))
  const words = shellWords(line.replace(/\$\(([^()]*)\)/g, 'SUBSTITUTED'))
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== 'ppctl') continue
    const rest: string[] = []
    for (i++; i < words.length && !['|', '&', ';', '>', '<', '(', ')'].includes(words[i]); i++) rest.push(words[i])
    found.push(rest)
  }
  // A command line quoted for another program (`echo 'source <(ppctl completion bash)' >> ~/.bashrc`) is one too.
  for (const word of words) if (word !== 'ppctl' && /(^|[\s(])ppctl /.test(word)) found.push(...invocations(word.replace(/[<>()]/g, ' ')))
  return found
}

/** Why these words are not a valid call of a ppctl command, or undefined when they are. */
function problemWith(words: string[]): string | undefined {
  let command: ManifestCommand | undefined
  let used = 0
  for (let n = words.length; n > 0 && !command; n--) {
    command = manifest.commands[words.slice(0, n).join(':')]
    if (command) used = n
  }
  if (!command) return `no command "${words.slice(0, 3).join(' ')}"`
  const positional: string[] = []
  const rest = words.slice(used)
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]
    // `--` ends the flags: every word after it is an argument (`ppctl __complete -- connector list`).
    if (word === '--') {
      positional.push(...rest.slice(i + 1))
      break
    }
    if (!word.startsWith('-') || word === '-') {
      positional.push(word)
      continue
    }
    const [name, inline] = word.startsWith('--')
      ? [word.slice(2).split('=')[0], word.includes('=') ? word.split('=').slice(1).join('=') : undefined]
      : [word.slice(1), undefined]
    const flag =
      Object.values(command.flags).find((f) => (word.startsWith('--') ? f.name === name : f.char === name)) ??
      Object.values(command.flags).find((f) => f.allowNo && `no-${f.name}` === name)
    if (!flag) return `${command.id.replaceAll(':', ' ')}: no flag ${word}`
    if (flag.type === 'option') {
      const value = inline ?? rest[++i]
      if (value === undefined) return `${command.id.replaceAll(':', ' ')}: ${word} needs a value`
      if (flag.options && !flag.options.includes(value)) return `${command.id.replaceAll(':', ' ')}: ${word} ${value} is not one of ${flag.options.join(', ')}`
    } else if (inline !== undefined) return `${command.id.replaceAll(':', ' ')}: ${word}: a boolean flag takes no value`
  }
  const args = Object.values(command.args)
  if (command.strict !== false && positional.length > args.length)
    return `${command.id.replaceAll(':', ' ')}: ${positional.length} arguments (${positional.join(' ')}), it takes ${args.length}`
  for (const [i, arg] of args.entries())
    if (arg.options && positional[i] !== undefined && !arg.options.includes(positional[i]))
      return `${command.id.replaceAll(':', ' ')}: ${arg.name} ${positional[i]} is not one of ${arg.options.join(', ')}`
  return undefined
}

describe("commands' examples (oclif.manifest.json)", () => {
  it('every example calls real commands with their real flags and arguments', () => {
    const problems: string[] = []
    let calls = 0
    for (const command of commands)
      for (const example of command.examples ?? []) {
        const line = typeof example === 'string' ? example : example.command
        const found = invocations(line.replaceAll('<%= command.id %>', command.id.replaceAll(':', ' ')))
        if (found.length === 0) problems.push(`${command.id}: the example runs no ppctl command: ${line}`)
        for (const words of found) {
          calls++
          const problem = problemWith(words)
          if (problem) problems.push(`${command.id} example "${line}": ${problem}`)
        }
      }
    expect(problems).to.deep.equal([])
    expect(calls).to.be.greaterThan(100)
  })

  it('tells an example whose flag or command does not exist', () => {
    expect(problemWith(['config', 'get', 'tenant', '--json'])).to.equal(undefined)
    expect(problemWith(['sandbox', 'sp', 'create', '--tenant', 'contoso', '--name', 'ci', '--out', 'x', '--no-pfx'])).to.equal(undefined)
    expect(problemWith(['auth', 'token', '--expiry'])).to.equal('auth token: no flag --expiry')
    expect(problemWith(['route', 'explain'])).to.match(/^no command/)
    expect(problemWith(['auth', 'switch', 'a', 'b'])).to.match(/2 arguments/)
    expect(invocations('curl -H "Authorization: Bearer $(ppctl auth token)" "$(ppctl config get global-url)/v1"')).to.deep.equal([
      ['auth', 'token'],
      ['config', 'get', 'global-url'],
    ])
  })
})
