// Hot commands answered without loading oclif (~40 ms of start-up): their flags and output come from what oclif's command uses; anything else goes to oclif.
//
// The fast path never decides anything oclif would decide differently: it reads the same flag definitions
// (plain data, lib/flag-defs.ts), reports through the same functions as BaseCommand (lib/output/command-output.ts),
// and hands over ("not handled") whenever argv, a flag definition, the environment or the oclif configuration
// holds anything it does not understand exactly, so that oclif's own parsing, errors, help and hooks apply.
import {SHARED_COMMANDS, type CommandSink, type SharedCommand} from './cli/fast-commands.js'
import {BASE_FLAG_DEFS, JSON_FLAG_DEF, type FlagDef} from './lib/flag-defs.js'

export type FastFlags = Record<string, string | boolean | undefined>

/** A command the fast path runs: its id, its own flags and its run body, all shared with its oclif class. */
export type FastCommand = SharedCommand

/** What oclif adds to every BaseCommand's own flags, in oclif's order: the json flag (enableJsonFlag), then baseFlags. */
export const FAST_BASE_FLAGS: Readonly<Record<string, FlagDef>> = {json: JSON_FLAG_DEF, ...BASE_FLAG_DEFS}

/** The commands the fast path runs (src/cli/fast-commands.ts: the same definitions and bodies as their oclif classes). */
export const FAST_COMMANDS: readonly FastCommand[] = SHARED_COMMANDS

/** Every flag the command accepts, aggregated as oclif does: json, then the base flags, then the command's own. */
export function fastFlagDefs(command: Pick<FastCommand, 'flags'>): Readonly<Record<string, FlagDef>> {
  return {...FAST_BASE_FLAGS, ...command.flags}
}

/** The keys of a definition the parser below honours; a definition with any other key is oclif's to parse. */
const UNDERSTOOD_KEYS = new Set([
  'type',
  'description',
  'summary',
  'helpGroup',
  'hidden',
  'char',
  'env',
  'required',
  'default',
  'options',
  'exclusive',
  'dependsOn',
])

function understood(def: FlagDef): boolean {
  return (
    (def.type === 'boolean' || def.type === 'option') &&
    Object.keys(def).every((key) => UNDERSTOOD_KEYS.has(key)) &&
    (def.char === undefined || /^[a-zA-Z]$/.test(def.char)) &&
    (def.default === undefined || typeof def.default === (def.type === 'boolean' ? 'boolean' : 'string'))
  )
}

/** oclif's reading of a boolean flag's environment variable. */
const isTruthy = (value: string) => ['1', 'true', 'y', 'yes'].includes(value.toLowerCase())

/**
 * The flags of argv when it is exactly the command's words followed by flags it defines (each at most once),
 * resolved like oclif resolves them (argv, then `env`, then `default`; `options`, `required`, `exclusive` and
 * `dependsOn` checked); undefined whenever oclif must decide (including every case in which oclif would fail).
 */
export function parseFast(argv: readonly string[], command: Pick<FastCommand, 'id' | 'flags'>, env: NodeJS.ProcessEnv = process.env): FastFlags | undefined {
  const words = command.id.split(':')
  if (argv.length < words.length || words.some((w, i) => argv[i] !== w)) return undefined
  const defs = fastFlagDefs(command)
  if (!Object.values(defs).every((def) => understood(def))) return undefined
  const byChar = new Map(Object.entries(defs).flatMap(([name, def]) => (def.char ? [[def.char, name] as const] : [])))
  const given: Record<string, string | boolean> = {}
  const rest = argv.slice(words.length)
  for (let i = 0; i < rest.length; i++) {
    const long = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(rest[i])
    const short = /^-([a-zA-Z])$/.exec(rest[i])
    const name = long ? long[1] : short ? byChar.get(short[1]) : undefined
    if (name === undefined || !Object.hasOwn(defs, name) || Object.hasOwn(given, name)) return undefined
    const inline = long?.[2]
    if (defs[name].type === 'boolean') {
      if (inline !== undefined) return undefined
      given[name] = true
    } else {
      const value = inline ?? rest[++i]
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) return undefined
      given[name] = value
    }
  }
  const flags: FastFlags = {}
  for (const [name, def] of Object.entries(defs)) {
    let value: string | boolean | undefined = given[name]
    const fromEnv = def.env ? env[def.env] : undefined
    if (value === undefined && fromEnv) value = def.type === 'boolean' ? isTruthy(fromEnv) : fromEnv
    value ??= def.default
    if (value === undefined) {
      if (def.required) return undefined
      continue
    }
    if (def.type === 'option' && def.options && !def.options.includes(value as string)) return undefined
    flags[name] = value
  }
  for (const [name, def] of Object.entries(defs)) {
    if (flags[name] === undefined) continue
    // Stricter than oclif (defaults count, dependencies must be on the command line): a doubtful case is oclif's.
    if (def.exclusive?.some((other) => flags[other] !== undefined)) return undefined
    if (def.dependsOn?.some((other) => given[other] === undefined)) return undefined
  }
  return flags
}

interface PackageJson {
  version: string
  oclif?: {hooks?: Record<string, unknown>; plugins?: unknown[]; topics?: Record<string, {description?: string; hidden?: boolean}>}
}

/** oclif would run hooks around a command (init, prerun, postrun …) or load plugins: then only oclif may run it. */
function oclifAddsBehaviour(pjson: PackageJson): boolean {
  const hooks = Object.keys(pjson.oclif?.hooks ?? {}).filter((hook) => hook !== 'command_not_found')
  return hooks.length > 0 || (pjson.oclif?.plugins?.length ?? 0) > 0
}

/** Runs argv when a fast command recognizes it; false means oclif must handle it. */
export async function tryFastPath(argv: string[], pjson: PackageJson, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  // A completion script asks on every Tab: answered from the manifest (the same answer as the hidden oclif command's).
  if (argv[0] === '__complete' && !oclifAddsBehaviour(pjson)) {
    const {answerFromManifest} = await import('./lib/completion/sources.js')
    const answer = await answerFromManifest(argv.slice(1), pjson.oclif?.topics, env)
    if (answer === undefined) return false
    process.stdout.write(answer)
    return true
  }
  // PPCTL_CONTENT_TYPE=json turns on oclif's jsonEnabled(); rare enough to leave to oclif.
  if (env.PPCTL_CONTENT_TYPE !== undefined || oclifAddsBehaviour(pjson)) return false
  const command = FAST_COMMANDS.find((c) => c.id.split(':').every((w, i) => argv[i] === w))
  const flags = command && parseFast(argv, command, env)
  if (!command || !flags) return false
  const [
    {createContext},
    {takeIgnoredTlsEnv},
    {CommandOutput, debugRequested, errorFormatOfArgv, readConfigOutput, reportError, writeNote},
    {resolveOutput},
    {text},
  ] = await Promise.all([
    import('./lib/context.js'),
    import('./lib/http/tls-env.js'),
    import('./lib/output/command-output.js'),
    import('./lib/output/format.js'),
    import('./lib/output/render.js'),
  ])
  // As BaseCommand.init: taken out of the environment before anything can connect, said to be ignored once parsed.
  const tlsWarning = takeIgnoredTlsEnv(env)
  // Lib's warnings as BaseCommand gives them: through note() (wrapped at a terminal).
  const ctx = createContext({
    version: pjson.version,
    profileFlag: flags.profile as string | undefined,
    debug: flags.debug as boolean | undefined,
    reporter: {warn: (content) => writeNote(ctx.io, content)},
  })
  if (tlsWarning) writeNote(ctx.io, text`${tlsWarning}`)
  // BaseCommand.isDebug(), and the same resolution of the output format as BaseCommand.init (no `--` can reach here).
  const debug = debugRequested(flags.debug as boolean | undefined, argv)
  let output: InstanceType<typeof CommandOutput> | undefined
  try {
    output = new CommandOutput(
      ctx.io,
      await resolveOutput({
        output: flags.output as string | undefined,
        json: flags.json === true,
        query: flags.query as string | undefined,
        noHeaders: flags['no-headers'] as boolean | undefined,
        env: ctx.env,
        stdoutIsTTY: ctx.io.stdoutIsTTY,
        configOutput: () => readConfigOutput(ctx),
      }),
    )
    const out = output
    // BaseCommand's view(), out() (silent in machine formats) and note().
    const sink: CommandSink = {view: (view) => out.view(view), out: (content) => out.human(content), note: (content) => writeNote(ctx.io, content)}
    // parseFast gave each flag the type its definition has.
    const result = await command.run(ctx, flags as never, sink)
    // oclif's _run: the result is printed when jsonEnabled(), i.e. in a machine format.
    if (result && output.machine) output.result(result)
  } catch (err) {
    const json = output ? output.errorFormat : errorFormatOfArgv(argv, flags.json === true)
    reportError(ctx.io, err, {commandId: command.id, json, debug})
  }
  return true
}
