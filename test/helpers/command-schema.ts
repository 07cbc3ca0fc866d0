// Checks what a command prints under --json (and what its run() returns) against its committed schema, schemas/<id>.json.
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

// Not from cli.ts, which imports this file.
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

const ajv = new Ajv2020({allErrors: true, strict: true})
const compiled = new Map<string, {validate: ValidateFunction; ndjson: boolean}>()

/**
 * Commands that print their --json output themselves as it arrives (the events, the alerts) and return a summary
 * from run() that --json never prints: only their stdout is checked.
 */
const PRINTS_ITS_OWN_JSON = new Set(['audit:stream', 'audit:watch'])

/**
 * Whether `ppctl <args>` prints the command's own --json document: --json, and no --query reshaping it (a JMESPath
 * result has no schema).
 */
export const printsJsonDocument = (args: readonly string[]): boolean =>
  args.includes('--json') && !args.some((a) => a === '--query' || a.startsWith('--query='))

let ids: Set<string> | undefined
/** The command id that `ppctl <args>` runs (`sandbox sp create …` → sandbox:sp:create), from oclif.manifest.json. */
export function commandIdOf(args: readonly string[]): string | undefined {
  ids ??= new Set(Object.keys((JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: object}).commands))
  const firstFlag = args.findIndex((a) => a.startsWith('-'))
  const words = firstFlag === -1 ? args : args.slice(0, firstFlag)
  for (let n = words.length; n > 0; n--) if (ids.has(words.slice(0, n).join(':'))) return words.slice(0, n).join(':')
  return undefined
}

/** The file of a command's schema: `sandbox:sp:create` → schemas/sandbox-sp-create.json. */
export const schemaPath = (id: string): string => join(ROOT, 'schemas', `${id.replaceAll(':', '-')}.json`)

function schemaOf(name: string, path: string): {validate: ValidateFunction; ndjson: boolean} {
  let entry = compiled.get(name)
  if (!entry) {
    const schema = JSON.parse(readFileSync(path, 'utf8')) as {$comment?: string}
    entry = {validate: ajv.compile(schema), ndjson: schema.$comment?.startsWith('NDJSON') === true}
    compiled.set(name, entry)
  }
  return entry
}

/** The message names where and why, never the values: a document may carry a token or a password. */
function check(validate: ValidateFunction, value: unknown, what: string): void {
  if (!validate(value)) throw new Error(`${what} does not match its schema: ${ajv.errorsText(validate.errors)}`)
}

/**
 * Throws when a run's output breaks the command's JSON contract: under --json, stdout is the command's document
 * (each line of it for an NDJSON command), or after a failure the error document of schemas/error.json; without
 * --json, what run() returned is what --json would have printed.
 */
export function checkCommandJson(id: string, run: {json: boolean; code: number; stdout: string; result: unknown}): void {
  const command = schemaOf(id, schemaPath(id))
  const what = `ppctl ${id.replaceAll(':', ' ')}${run.json ? ' --json' : ''}`
  if (!run.json) {
    if (run.result !== undefined && !PRINTS_ITS_OWN_JSON.has(id)) check(command.validate, JSON.parse(JSON.stringify(run.result)), `${what}: run()'s result`)
    return
  }
  if (run.stdout === '') return
  if (command.ndjson) {
    for (const line of run.stdout.split('\n').filter((l) => l !== '')) {
      const value = JSON.parse(line) as Record<string, unknown>
      if (run.code !== 0 && 'error' in value) check(schemaOf('error', join(ROOT, 'schemas', 'error.json')).validate, value, `${what}: the error line`)
      else check(command.validate, value, `${what}: a line of stdout`)
    }
    return
  }
  const value = JSON.parse(run.stdout) as Record<string, unknown>
  if (run.code !== 0 && value !== null && typeof value === 'object' && 'error' in value) {
    check(schemaOf('error', join(ROOT, 'schemas', 'error.json')).validate, value, `${what}: the error document`)
  } else {
    check(command.validate, value, `${what}: stdout`)
  }
}
