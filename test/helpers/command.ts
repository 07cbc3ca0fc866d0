// Runs a command in-process, in a test context: oclif parses and reports as it does for `ppctl …`, nothing is spawned.
import {Config} from '@oclif/core'

import type {Context} from '../../src/lib/context.js'
import {ROOT} from './cli.js'
import {checkCommandJson, printsJsonDocument} from './command-schema.js'
import type {TestContext} from './context.js'

let loaded: Promise<Config> | undefined
/** The project's oclif config (from package.json and the built manifest), loaded once per test process. */
const oclifConfig = () => (loaded ??= Config.load(ROOT))

export interface CommandResult {
  /** The exit code ppctl would exit with (0 when the command set none). */
  code: number
  stdout: string
  stderr: string
  /** What run() returned (the --json document), undefined after an error. */
  result: unknown
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T
}

/** A ppctl command class (they all extend BaseCommand, which adds useContext and invoke). */
type CommandClass = (new (argv: string[], config: Config) => {useContext(context: Context): {invoke(): Promise<unknown>}}) & {id?: string; summary?: string}

/**
 * The command's id, as oclif would set it from the manifest when it loads the command by id: a class imported
 * from src has none. Found by its summary, which the manifest copies and every command has (cli.test.ts checks).
 */
function idOf(Command: CommandClass, config: Config): string {
  const ids = config.commands.filter((c) => c.summary !== undefined && c.summary === Command.summary).map((c) => c.id)
  if (ids.length !== 1) throw new Error(`runCommand: ${ids.length} commands in the manifest have the summary of ${Command.name} (run npm run build?)`)
  return ids[0]
}

/**
 * `ppctl <argv>` with the command class given, in `t`'s context (its fake streams, clock, credentials, HTTP).
 * process.exitCode is where oclif's reporting leaves the code; it is read and put back, so a failing command
 * never fails the test process. Every run is held to the command's JSON contract (test/helpers/command-schema.ts):
 * output that breaks schemas/<id>.json fails the test that ran it.
 */
export async function runCommand(Command: CommandClass, argv: string[], t: TestContext): Promise<CommandResult> {
  const config = await oclifConfig()
  const saved = process.exitCode
  process.exitCode = undefined
  // The test context's streams keep what earlier runs wrote: this run's output is what follows it.
  const before = t.stdout().length
  let result: unknown
  let code: number
  try {
    Command.id ??= idOf(Command, config)
    const command = new Command(argv, config)
    result = await command.useContext(t.ctx).invoke()
  } finally {
    code = Number(process.exitCode ?? 0)
    process.exitCode = saved
  }
  const stdout = t.stdout()
  const stderr = t.stderr()
  checkCommandJson(Command.id, {json: printsJsonDocument(argv), code, stdout: stdout.slice(before), result})
  return {code, stdout, stderr, result, json: <T>() => JSON.parse(stdout) as T}
}
