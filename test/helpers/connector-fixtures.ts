// What the connector command tests share: a connector as the platform sends it, the --json schemas, hostile text, and answering a prompt.
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {PassThrough} from 'node:stream'

import {ROOT} from './cli.js'
import type {CommandResult} from './command.js'
import type {FakePlatform} from './fake-platform.js'

export const connector = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  displayName: `Name of ${id}`,
  publisher: 'Contoso',
  tier: 'premium',
  blocked: false,
  unblockable: false,
  description: '',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  etag: '"1"',
  ...over,
})

const ajv = new Ajv2020({allErrors: true, strict: true})
const compiled = new Map<string, ValidateFunction>()

/** stdout parsed as JSON and checked against schemas/<name>.json. */
export function jsonAgainst<T = Record<string, unknown>>(res: CommandResult, name: string): T {
  let validate = compiled.get(name)
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.json`), 'utf8')))
    compiled.set(name, validate)
  }
  const value = res.json<T>()
  expect(validate(value), `${name}: ${ajv.errorsText(validate.errors)}\n${res.stdout}`).to.equal(true)
  return value
}

/**
 * Platform text a terminal would act on: an OSC 52 clipboard write, a CSI that clears the screen, an 8-bit CSI,
 * and a right-to-left override that would reverse what follows.
 */
export const HOSTILE = 'Evil\u001b]52;c;aGk=\u0007 \u001b[2J\u009b31m \u202egnp.exe\u202c end'

/** Nothing a terminal would act on: no ESC, no C0 but tab/LF/CR, no C1, no bidi controls. */
export const ACTIVE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

/**
 * Runs a command that asks at the (fake) terminal, and answers once the question is on stderr: the real
 * prompter (src/lib/io/prompter.ts) reads the fake IO's stdin. Waiting is for the question, never for time.
 */
export async function answering(p: FakePlatform, run: () => Promise<CommandResult>, answer: 'y' | 'n'): Promise<CommandResult> {
  let finished = false
  const result = run().finally(() => (finished = true))
  // stderr() is everything written so far, so polling it loses nothing of what runCommand reports.
  while (!finished && !p.stderr().includes('(y/N)')) await new Promise((resolve) => setImmediate(resolve))
  if (!finished) (p.ctx.io.stdin as PassThrough).write(`${answer}\r`)
  return result
}
