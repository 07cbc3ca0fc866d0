// Hot commands answered without loading oclif (~40 ms of start-up): exactly recognized argv only, everything else goes to oclif.
import type {Context} from './lib/context.js'
import type {IO} from './lib/io/io.js'
import type {Rendered} from './lib/output/render.js'

type FlagKind = 'string' | 'boolean'

interface FastCommand {
  words: string[]
  flags: Record<string, FlagKind>
  run(ctx: Context, flags: Record<string, string | boolean>): Promise<{result: unknown; render: (io: IO) => Rendered}>
}

const BASE_FLAGS: Record<string, FlagKind> = {json: 'boolean', debug: 'boolean', profile: 'string'}

const COMMANDS: FastCommand[] = [
  {
    words: ['route', 'show'],
    flags: {tenant: 'string', refresh: 'boolean'},
    async run(ctx, flags) {
      const {renderRouteShow, showRoute} = await import('./lib/routing/show.js')
      const result = await showRoute(ctx, {tenant: flags.tenant as string | undefined, refresh: flags.refresh === true})
      return {result, render: (io) => renderRouteShow(result, io)}
    },
  },
]

/** The flags of argv when it is exactly `words` followed by known flags (each at most once); undefined otherwise. */
export function parseFast(argv: string[], command: Pick<FastCommand, 'words' | 'flags'>): Record<string, string | boolean> | undefined {
  if (argv.length < command.words.length || command.words.some((w, i) => argv[i] !== w)) return undefined
  const kinds = {...BASE_FLAGS, ...command.flags}
  const flags: Record<string, string | boolean> = {}
  const rest = argv.slice(command.words.length)
  for (let i = 0; i < rest.length; i++) {
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(rest[i])
    if (!match) return undefined
    const [, name, inline] = match
    const kind = kinds[name]
    if (!kind || name in flags) return undefined
    if (kind === 'boolean') {
      if (inline !== undefined) return undefined
      flags[name] = true
    } else {
      const value = inline ?? rest[++i]
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) return undefined
      flags[name] = value
    }
  }
  return flags
}

/** Runs argv when a fast command recognizes it; false means oclif must handle it. */
export async function tryFastPath(argv: string[], version: string): Promise<boolean> {
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w))
  const flags = command && parseFast(argv, command)
  if (!command || !flags) return false
  const [{createContext}, {renderError}, {toPpctlError}, {sanitizeForTerminal}, {takeIgnoredTlsEnv}, {safeJsonStringify}] = await Promise.all([
    import('./lib/context.js'),
    import('./lib/output/render-error.js'),
    import('./lib/errors/index.js'),
    import('./lib/output/sanitize.js'),
    import('./lib/http/tls-env.js'),
    import('./lib/output/json.js'),
  ])
  const tlsWarning = takeIgnoredTlsEnv(process.env)
  const ctx = createContext({version, profileFlag: flags.profile as string | undefined, debug: flags.debug === true})
  if (tlsWarning) ctx.io.stderr.write(tlsWarning + '\n')
  const json = flags.json === true
  try {
    const {result, render} = await command.run(ctx, flags)
    if (json) ctx.io.stdout.write(safeJsonStringify(result, 2) + '\n')
    else {
      const {text} = render(ctx.io)
      ctx.io.stdout.write(text.endsWith('\n') ? text : text + '\n')
    }
  } catch (err) {
    const error = toPpctlError(err, command.words.join(':'))
    process.exitCode = error.exitCode
    if (json) ctx.io.stdout.write(safeJsonStringify({error: error.toJSON()}, 2) + '\n')
    else ctx.io.stderr.write(renderError(error))
    if (flags.debug === true && err instanceof Error && err.stack) ctx.io.stderr.write(sanitizeForTerminal(err.stack) + '\n')
  }
  return true
}
