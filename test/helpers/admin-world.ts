// Shared steps of the admin e2e tests: a real platform, one signed-in CLI machine per role, schema-checked --json.
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT, runCli, type CliEnv, type CliResult} from './cli.js'
import {startTestPlatform, type TestPlatform} from './platform.js'
import {approveWithCli, deviceLogin, machine} from './sign-in.js'

const ajv = new Ajv2020({allErrors: true, strict: true})
const validators = new Map<string, ValidateFunction>()

/** Parses --json output and checks it against schemas/<name>.json. */
export function jsonOf<T = Record<string, unknown>>(res: CliResult, schema: string): T {
  let validate = validators.get(schema)
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', `${schema}.json`), 'utf8')))
    validators.set(schema, validate)
  }
  const value = JSON.parse(res.stdout) as unknown
  expect(validate(value), `${schema}: ${ajv.errorsText(validate.errors)}\n${res.stdout}\n${res.stderr}`).to.equal(true)
  return value as T
}

export type Role = 'admin' | 'maker' | 'user' | 'support'
const UPN: Record<Role, string> = {
  admin: 'admin@contoso.example',
  maker: 'maker@contoso.example',
  user: 'user@contoso.example',
  support: 'support@operator.example',
}

export interface AdminWorld {
  platform: TestPlatform
  machines: Record<Role, CliEnv>
  run(role: Role, ...args: string[]): Promise<CliResult>
  stop(): Promise<void>
}

/** Starts a platform and signs each role in on its own machine. */
/** `env` goes to the platform (e.g. PPCTL_SANDBOX_ENCRYPTION=on). */
export async function startAdminWorld(roles: readonly Role[] = ['admin', 'maker', 'user', 'support'], env: NodeJS.ProcessEnv = {}): Promise<AdminWorld> {
  const platform = await startTestPlatform(env)
  const machines = {} as Record<Role, CliEnv>
  await Promise.all(
    roles.map(async (role) => {
      const cli = await machine(platform, {COLUMNS: '200'})
      machines[role] = cli
      const login = await deviceLogin(cli.env, [], approveWithCli(platform, UPN[role]))
      if (login.code !== 0) throw new Error(`login of ${role} failed: ${login.stderr}`)
    }),
  )
  return {
    platform,
    machines,
    run: (role, ...args) => runCli(args, machines[role].env),
    async stop() {
      for (const m of Object.values(machines)) m.cleanup()
      await platform.stop()
    },
  }
}

/** The error object of a --json failure, checked against schemas/error.json. */
export function errorOf(res: CliResult): {code: string; message: string; exitCode: number} {
  return jsonOf<{error: {code: string; message: string; exitCode: number}}>(res, 'error').error
}
