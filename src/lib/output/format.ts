// Which format a command prints in (-o, --json, PPCTL_OUTPUT, the config's `output`, the terminal) and its --query.
import {UsageError} from '../errors/index.js'

export const OUTPUT_FORMATS = ['table', 'tsv', 'csv', 'json', 'yaml'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export const isOutputFormat = (value: unknown): value is OutputFormat => OUTPUT_FORMATS.includes(value as OutputFormat)

/** A compiled --query: the expression applied to a JSON value. */
export interface Query {
  expression: string
  apply(value: unknown): unknown
}

export interface OutputOptions {
  format: OutputFormat
  query?: Query
  /** The header line of TSV and CSV (false with --no-headers). */
  headers: boolean
}

export interface OutputRequest {
  /** -o/--output as given on the command line. */
  output?: string
  json?: boolean
  query?: string
  noHeaders?: boolean
  env: NodeJS.ProcessEnv
  stdoutIsTTY: boolean
  /** The config's `output` key; read only when neither a flag nor PPCTL_OUTPUT decides. */
  configOutput: () => Promise<string | undefined>
}

/**
 * The explicit flag (-o, --json) wins, then PPCTL_OUTPUT, then the config's `output`, then the terminal: a table at a
 * terminal, TSV into a pipe or a file. --json is -o json; with -o in any other format it is a usage error.
 */
export async function resolveOutput(request: OutputRequest): Promise<OutputOptions> {
  const {output, json} = request
  if (json && output !== undefined && output !== 'json') {
    throw new UsageError('OUTPUT_CONFLICT', `--json and --output ${output} ask for two different formats.`, {
      nextStep: `Give one of them: --json (the same as --output json), or --output ${output}.`,
    })
  }
  const query = request.query === undefined ? undefined : await compileQuery(request.query)
  const headers = !request.noHeaders
  if (json) return {format: 'json', query, headers}
  if (output !== undefined) {
    // oclif checks the flag's options; the fast path hands anything else to oclif.
    if (!isOutputFormat(output)) throw invalidFormat(`--output ${output}`, 'Use one of: ' + OUTPUT_FORMATS.join(', '))
    return {format: output, query, headers}
  }
  const fromEnv = request.env.PPCTL_OUTPUT
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isOutputFormat(fromEnv))
      throw new UsageError('INVALID_ENVIRONMENT', `PPCTL_OUTPUT="${fromEnv}" is not an output format.`, {
        nextStep: `Set it to one of ${OUTPUT_FORMATS.join(', ')}, or unset it.`,
      })
    return {format: fromEnv, query, headers}
  }
  const fromConfig = await request.configOutput()
  if (fromConfig !== undefined) {
    if (!isOutputFormat(fromConfig)) throw invalidFormat(`The configured output "${fromConfig}"`, 'Fix it: ppctl config set output tsv   (or unset it)')
    return {format: fromConfig, query, headers}
  }
  return {format: request.stdoutIsTTY ? 'table' : 'tsv', query, headers}
}

function invalidFormat(what: string, nextStep: string): UsageError {
  return new UsageError('INVALID_CONFIG_VALUE', `${what} is not one of ${OUTPUT_FORMATS.join(', ')}.`, {nextStep})
}

type Jmespath = typeof import('@jmespath-community/jmespath')

const QUERY_NEXT = `JMESPath, as in: --query "items[?tier=='premium'].id"   (https://jmespath.site)`

/**
 * The expression compiled once, before the command does anything, so a bad one is a usage error before any request.
 * The library's syntax errors name the offending token but not where it is; the position (1-based) is found by
 * compiling ever longer prefixes: the first prefix that fails on a token other than the end is the one that ends there.
 */
async function compileQuery(expression: string): Promise<Query> {
  const jmespath: Jmespath = await import('@jmespath-community/jmespath')
  try {
    jmespath.compile(expression)
  } catch (err) {
    const position = errorPosition(jmespath, expression)
    throw new UsageError('INVALID_QUERY', `Invalid --query at position ${position}: ${reason(err)}`, {nextStep: QUERY_NEXT})
  }
  return {
    expression,
    apply(value) {
      try {
        return jmespath.search(JSON.parse(JSON.stringify(value ?? null)) as Parameters<Jmespath['search']>[0], expression)
      } catch (err) {
        // Unknown functions, wrong arity or argument types are only found when the expression runs.
        throw new UsageError('INVALID_QUERY', `Invalid --query: ${reason(err)}`, {nextStep: QUERY_NEXT})
      }
    },
  }
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/^Syntax error: /, '')

function errorPosition(jmespath: Jmespath, expression: string): number {
  let tokens: Array<{start: number}>
  try {
    tokens = jmespath.tokenize(expression) as Array<{start: number}>
  } catch {
    // A lexer error (an unknown character, an unterminated literal): the first prefix that does not tokenize.
    for (let end = 1; end <= expression.length; end++) {
      try {
        jmespath.tokenize(expression.slice(0, end))
      } catch {
        return end
      }
    }
    return expression.length + 1
  }
  for (let i = 0; i < tokens.length; i++) {
    const end = i + 1 < tokens.length ? tokens[i + 1].start : expression.length
    try {
      jmespath.compile(expression.slice(0, end))
    } catch (err) {
      if (!/EOF/.test(reason(err))) return tokens[i].start + 1
    }
  }
  return expression.length + 1
}
